"""`ponder eval-report` as a user runs it: hand-written results.json files in `ponder eval`'s schema, shown as one."""

import json

import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def setting(effort, samples, strategy, answers, expected="7"):
    problems = [{"index": i, "question": f"3 + 4 = ? ({i})", "expected": expected, "answer": a, "correct": a == expected,
                 "latency_s": 1.0, "prompt_tokens": 20, "cached_tokens": 0, "strategy": None,
                 "samples": [{"seed": i, "content": f"It is {a}.", "answer": a, "correct": a == expected,
                              "reasoning_tokens": 50, "answer_tokens": 6}]}
                for i, a in enumerate(answers)]
    return {"task": "add", "effort": effort, "samples": samples, "strategy": strategy, "n_planned": len(answers),
            "wall_s": 2.0, "problems": problems}


def write(folder, model, settings, seed=0):
    folder.mkdir()
    config = {"model": model, "seed": seed, "temperature": 0.6, "max_completion_tokens": None}
    (folder / "results.json").write_text(json.dumps({"schema": 1, "config": config, "interrupted": False,
                                                     "settings": settings}))
    return folder


def test_two_models_in_one_table_and_plot(ponder, tmp_path):
    rl = write(tmp_path / "rl", "ponder-reasoner", [setting("low", 1, "single", ["7", "7", "8", "7"])])
    sft = write(tmp_path / "sft", "ponder-reasoner-sft", [setting("low", 1, "single", ["7", "1", "8", "9"])])
    done = ponder("eval-report", str(rl), str(sft / "results.json"), "--out", str(tmp_path / "both"))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.split()[:1] in (["ponder-reasoner"],
                                                                                     ["ponder-reasoner-sft"])]
    assert [row[:6] for row in rows] == [["ponder-reasoner", "add", "low", "single", "4/4", "75.0%"],
                                         ["ponder-reasoner-sft", "add", "low", "single", "4/4", "25.0%"]]
    # paired: the SFT model against the RL one on the same four problems, 2 only RL solves
    paired = [line.split() for line in done.stdout.splitlines() if line.split()[:1] == ["add"]]
    assert paired == [["add", "low", "ponder-reasoner", "single", "ponder-reasoner-sft", "single", "4", "2", "0", "-50.0",
                       "28.9"]]
    data = json.loads((tmp_path / "both" / "results.json").read_text())
    assert [(s["model"], s["accuracy"]) for s in data["settings"]] == [("ponder-reasoner", 0.75),
                                                                        ("ponder-reasoner-sft", 0.25)]
    assert (tmp_path / "both" / "scaling.png").read_bytes()[:8] == PNG_MAGIC


def test_runs_scored_on_other_problems_print_a_note(ponder, tmp_path):
    a = write(tmp_path / "a", "m", [setting("low", 1, "single", ["7"])])
    b = write(tmp_path / "b", "m", [setting("high", 1, "single", ["7"])], seed=5)
    done = ponder("eval-report", str(a), str(b))
    assert done.returncode == 0, done.stderr
    assert "seed 0 vs 5; their accuracies do not compare" in done.stderr
    assert "Traceback" not in done.stderr


BAD = {
    "no files": ([], 2, "Missing argument 'RESULTS...'"),
    "missing file": (["{missing}"], 1, "cannot read"),
    "not results": (["{text}"], 1, "not valid JSON"),
    "same setting twice": (["{a}", "{a_again}"], 1, "m add low single is in both"),
    "out is a file": (["{a}", "--out", "{text}"], 2, "is a file"),
}


@pytest.mark.parametrize("args, code, says", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_clear_line(ponder, tmp_path, args, code, says):
    paths = {"a": write(tmp_path / "a", "m", [setting("low", 1, "single", ["7"])]),
             "a_again": write(tmp_path / "a2", "m", [setting("low", 1, "single", ["8"])]),
             "missing": tmp_path / "missing", "text": tmp_path / "notes.txt"}
    paths["text"].write_text("not json")
    done = ponder("eval-report", *[arg.format(**paths) for arg in args])
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ponder: error: "), done.stderr
    assert says in lines[0]
    assert done.stdout == ""
