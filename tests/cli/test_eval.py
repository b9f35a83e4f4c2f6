"""`ponder eval` as a user runs it: end to end on the embedded model, and every bad input."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PONDER = Path(sys.executable).with_name("ponder")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUESTIONS = [{"question": "What is 2 + 3?", "answer": "5"}, {"question": "What is 10 - 4?", "answer": 6}]


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    return path


@pytest.mark.model
def test_eval_end_to_end(ponder, questions, tmp_path):
    out = tmp_path / "out"
    # One thread: llama.cpp's spinning thread pool slows down badly on a CPU shared with other work.
    done = ponder("eval", "--task", str(questions), "--n", "2", "--effort", "none", "--samples", "1",
                  "--max-completion-tokens", "24", "--ctx", "1024", "--threads", "1", "--out", str(out), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for header in ("ponder eval", "task", "accuracy", "/sample", "tok/s", "2/2"):
        assert header in done.stdout
    data = json.loads((out / "results.json").read_text())
    assert data["schema"] == 1 and not data["interrupted"]
    assert data["config"]["model"] == "smollm2" and data["config"]["n_ctx"] == 1024
    (setting,) = data["settings"]
    assert (setting["task"], setting["effort"], setting["samples"], setting["n_done"]) == (str(questions), "none", 1, 2)
    for problem in setting["problems"]:
        (sample,) = problem["samples"]
        assert 0 < sample["answer_tokens"] <= 24 and sample["reasoning_tokens"] == 0
    assert (out / "scaling.png").read_bytes()[:8] == PNG_MAGIC


@pytest.mark.model
def test_sigterm_stops_like_ctrl_c_and_keeps_what_finished(tmp_path):
    """A run in the background ignores SIGINT; kill (SIGTERM) must still leave its results."""
    out = tmp_path / "out"
    run = subprocess.Popen([str(PONDER), "eval", "--task", "add", "--n", "500", "--effort", "none",
                            "--max-completion-tokens", "24", "--ctx", "1024", "--threads", "1", "--out", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # the folder appears once the model is loaded and the run begins
        if out.exists() or run.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(15)  # 8 problems of 24 tokens at a time: some finish, 500 do not
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stdout + stderr
    data = json.loads((out / "results.json").read_text())
    (setting,) = data["settings"]
    assert data["interrupted"] and 0 < setting["n_done"] < 500


BAD = {
    "unknown task": (["--task", "frobnicate"], 1, "task: unknown task 'frobnicate'"),
    "unknown gym dataset": (["--task", "gym:nope"], 1, "reasoning-gym dataset 'nope'"),
    "missing jsonl": (["--task", "/nonexistent/q.jsonl"], 1, "cannot read /nonexistent/q.jsonl"),
    "bad jsonl line": (["--task", "{bad}"], 1, "bad.jsonl:2: not valid JSON"),
    "empty task name": (["--task", "add,"], 1, "task: empty task name"),
    "no task": ([], 2, "Missing option '--task'"),
    "zero problems": (["--task", "add", "--n", "0"], 2, "--n"),
    "zero samples": (["--task", "add", "--samples", "0"], 1, "samples: each must be a positive integer, got '0'"),
    "non-numeric samples": (["--task", "add", "--samples", "1,many"], 1, "samples: each must be"),
    "bad effort": (["--task", "add", "--effort", "low,extreme"], 1, "effort: unknown effort 'extreme'"),
    "zero parallel": (["--task", "add", "--parallel", "0"], 2, "--parallel"),
    "parallel beyond llama.cpp": (["--task", "add", "--parallel", "257"], 2, "257 is not in the range 1<=x<=256"),
    "missing model": (["--task", "{good}", "--model", "/nope.gguf"], 1, "model file not found"),
    "out is a file": (["--task", "{good}", "--out", "{good}"], 2, "is a file"),
}


@pytest.mark.parametrize("args, code, says", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_clear_line(ponder, questions, tmp_path, args, code, says):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(QUESTIONS[0]) + "\n{nope\n")
    args = [a.format(bad=bad, good=questions) for a in args]
    done = ponder("eval", *args, *([] if "--out" in args else ["--out", str(tmp_path / "out")]))
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ponder: error: "), done.stderr
    assert says in lines[0]
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_help_lists_eval(ponder):
    assert "eval" in ponder("--help").stdout
