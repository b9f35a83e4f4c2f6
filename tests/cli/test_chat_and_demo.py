"""`ponder chat` driven through stdin, and `ponder demo`, on the real model."""

import json


def test_chat_session_commands(ponder, tmp_path):
    saved = tmp_path / "chat.json"
    script = "\n".join([
        "What is 2+2?",
        "/effort none",
        "And 3+3?",
        f"/save {saved}",
        "/effort sideways",
        "/nonsense",
        "/reset",
        f"/save {tmp_path / 'after-reset.json'}",
        "/exit",
    ]) + "\n"
    done = ponder("chat", "--effort", "minimal", "--max-completion-tokens", "120", "--seed", "3", stdin=script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("input ") == 2  # one summary line per turn
    assert "effort: none" in done.stdout
    assert "unknown effort 'sideways'" in done.stdout
    assert "unknown command /nonsense" in done.stdout
    messages = json.loads(saved.read_text())["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[1].get("reasoning") and "reasoning" not in messages[3]
    assert json.loads((tmp_path / "after-reset.json").read_text())["messages"] == []


def test_chat_summary_shows_cache_reuse_on_turn_two(ponder):
    done = ponder("chat", "--effort", "minimal", "--max-completion-tokens", "120", "--seed", "1",
                  stdin="Hi!\nHow are you?\n")
    summaries = [line for line in done.stdout.splitlines() if line.startswith("input ")]
    assert len(summaries) == 2
    cached = int(summaries[1].split("cached ")[1].split(" ")[0])
    assert cached > 0


def test_chat_hide_reasoning_and_eof_exit(ponder):
    done = ponder("chat", "--effort", "minimal", "--max-completion-tokens", "120", "--hide-reasoning",
                  stdin="What is 1+1?\n")
    assert done.returncode == 0
    assert "thinking:" not in done.stdout
    assert "reasoning " in done.stdout  # the summary still counts the hidden reasoning


def test_chat_save_to_unwritable_path_keeps_the_session(ponder):
    done = ponder("chat", stdin="/save /nonexistent-dir/x.json\n/exit\n")
    assert done.returncode == 0
    assert "cannot write" in done.stdout


def test_demo_shows_the_trained_reasoner_solving_fresh_problems(ponder):
    done = ponder("demo", "--seed", "2", timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "model ponder-reasoner" in out and "(native)" in out
    assert out.count("turn ") >= 3
    assert sum(line.startswith("input ") for line in out.splitlines()) == 3
    assert "reasoning tokens of earlier turns were discarded" in out
    assert "->" in out  # the digit-by-digit reasoning trace is shown
    # each turn is checked against the problem's true answer, and the check is the answer's
    verdicts = [line for line in out.splitlines() if line.startswith("expected ")]
    answers = [line for line in out.splitlines() if line.startswith("answer:")]
    assert len(verdicts) == 3 and len(answers) == 3, out
    for verdict, answer in zip(verdicts, answers):
        expected = verdict.split()[1].rstrip(":")
        assert verdict.endswith(": correct") == (f"The answer is {expected}." in answer), (verdict, answer)


def test_demo_runs_on_another_model_too(ponder):
    done = ponder("demo", "--model", "smollm2", "--effort", "minimal", "--max-completion-tokens", "60", "--seed", "2",
                  timeout=300)
    assert done.returncode == 0, done.stderr
    assert sum(line.startswith("input ") for line in done.stdout.splitlines()) == 3


LONG_CHAT = "".join(f"Tell me one thing about the number {n}, please, in a sentence.\n" for n in range(8))


def test_chat_beyond_the_window_drops_oldest_turns_and_says_so(ponder):
    done = ponder("chat", "--ctx", "256", "--effort", "none", "--max-completion-tokens", "24", "--seed", "1", stdin=LONG_CHAT)
    assert done.returncode == 0, done.stderr
    summaries = [line for line in done.stdout.splitlines() if line.startswith("input ")]
    assert len(summaries) == 8
    assert any("oldest turn(s) to fit the window" in line for line in summaries)
    for line in summaries:
        used, window = line.split("context ")[1].split(" ")[0].split("/")
        assert int(used) <= int(window) == 256


def test_chat_beyond_the_window_with_truncation_disabled_fails_with_numbers(ponder):
    done = ponder("chat", "--ctx", "256", "--effort", "none", "--max-completion-tokens", "24",
                  "--truncation", "disabled", "--seed", "1", stdin=LONG_CHAT)
    assert done.returncode == 0
    errors = [line for line in done.stdout.splitlines() if "error: context window exceeded" in line]
    assert errors and "reserve of 24 tokens" in errors[0] and "context window is 256 tokens" in errors[0]
