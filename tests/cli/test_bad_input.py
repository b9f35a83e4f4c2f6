"""Every mistake a user can make on the command line: one line, non-zero exit, no traceback."""

from pathlib import Path

import pytest

from ponder.models.registry import resolve_model

BAD = {
    "empty question": (["ask", ""], 1, "question: must not be empty"),
    "blank question": (["ask", "   "], 1, "question: must not be empty"),
    "missing question": (["ask"], 2, "Missing argument"),
    "unknown effort": (["ask", "hi", "--effort", "extreme"], 2, "'extreme' is not one of"),
    "empty effort": (["ask", "hi", "--effort", ""], 2, "--effort"),
    "zero completion tokens": (["ask", "hi", "--max-completion-tokens", "0"], 2, "--max-completion-tokens"),
    "negative completion tokens": (["ask", "hi", "--max-completion-tokens", "-5"], 2, "--max-completion-tokens"),
    "non-numeric completion tokens": (["ask", "hi", "--max-completion-tokens", "lots"], 2, "is not a valid integer"),
    "negative reasoning budget": (["ask", "hi", "--reasoning-budget", "-1"], 2, "--reasoning-budget"),
    "zero context": (["ask", "hi", "--ctx", "0"], 2, "--ctx"),
    "negative context": (["ask", "hi", "--ctx", "-100"], 2, "--ctx"),
    "zero threads": (["ask", "hi", "--threads", "0"], 2, "--threads"),
    "temperature too high": (["ask", "hi", "--temperature", "5"], 2, "--temperature"),
    "unknown truncation": (["ask", "hi", "--truncation", "sometimes"], 2, "--truncation"),
    "missing model file": (["ask", "hi", "--model", "/nonexistent/model.gguf"], 1, "model file not found"),
    "non-GGUF model file": (["ask", "hi", "--model", "{text}"], 1, "not a GGUF model file"),
    "empty model file": (["ask", "hi", "--model", "{empty}"], 1, "not a GGUF model file"),
    "directory as model": (["ask", "hi", "--model", "{dir}"], 1, "not a file"),
    "corrupt GGUF": (["ask", "hi", "--model", "{corrupt}"], 1, "could not load the model"),
    "truncated GGUF": (["ask", "hi", "--model", "{truncated}"], 1, "could not load the model"),
    "unknown model name": (["ask", "hi", "--model", "gpt-9"], 1, "unknown model 'gpt-9'"),
    "unknown strategy": (["ask", "hi", "--strategy", "votes"], 1, "strategy.name: unknown strategy 'votes'"),
    "unreadable strategy": (["ask", "hi", "--strategy", "vote@x"], 1, "strategy: cannot read 'vote@x'"),
    "zero samples": (["ask", "hi", "--samples", "0"], 2, "--samples"),
    "samples for think_longer": (["ask", "hi", "--strategy", "think_longer", "--samples", "4"], 1,
                                 "samples: applies to vote and best_of_n, not think_longer"),
    "sample count twice": (["ask", "hi", "--strategy", "vote@3", "--samples", "4"], 1, "already gives a count"),
    "think_longer without reasoning": (["ask", "hi", "--strategy", "think_longer", "--effort", "none"], 1,
                                       "think_longer needs a reasoning phase"),
    "strategy wider than the pool": (["ask", "hi", "--model", "ponder-reasoner", "--kv-cells", "2048",
                                      "--strategy", "vote@8"], 1, "but the pool holds 2048"),
    "window past the training context": (["ask", "hi", "--model", "ponder-reasoner", "--ctx", "4096"], 1,
                                         "over the model's training context of 2048"),
    "pool under one window": (["ask", "hi", "--model", "ponder-reasoner", "--kv-cells", "512"], 1,
                              "cannot hold one 2048-token window"),
    "checker on a question it cannot read": (["ask", "hi", "--strategy", "best_of_n/checker"], 1,
                                             "the checker verifies only questions phrased by ponder's tasks"),
    "window too small": (["ask", "hi", "--ctx", "64"], 1, "context window exceeded"),
    "cap larger than window": (["ask", "hi", "--ctx", "256", "--max-completion-tokens", "1000"], 1, "reserve of 1000 tokens"),
    "missing chat template": (["ask", "hi", "--chat-template", "/nope.jinja"], 1, "cannot read the chat template /nope.jinja"),
    "chat template that does not compile": (["ask", "hi", "--chat-template", "{broken_template}"], 1, "does not compile"),
    "chat template that refuses": (["ask", "hi", "--chat-template", "{refusing_template}"], 1,
                                   "refusing.jinja refused the conversation: no users here"),
    "serve with a broken chat template": (["serve", "--port", "0", "--chat-template", "{broken_template}"], 1,
                                          "does not compile"),
    "unknown command": (["frobnicate"], 2, "No such command"),
    "unknown option": (["ask", "hi", "--colour"], 2, "No such option"),
    "chat with bad effort": (["chat", "--effort", "max"], 2, "'max' is not one of"),
    "demo with missing model": (["demo", "--model", "/nope.gguf"], 1, "model file not found"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    (folder / "notes.txt").write_text("hello, I am not a model\n")
    (folder / "empty.gguf").write_bytes(b"")
    (folder / "corrupt.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    real = resolve_model(None).read_bytes()[:1_000_000]
    (folder / "truncated.gguf").write_bytes(real)
    (folder / "broken.jinja").write_text("{% for message in messages %}")
    (folder / "refusing.jinja").write_text("{{ raise_exception('no users here') }}")
    return {
        "broken_template": folder / "broken.jinja",
        "refusing_template": folder / "refusing.jinja",
        "text": folder / "notes.txt",
        "empty": folder / "empty.gguf",
        "dir": folder,
        "corrupt": folder / "corrupt.gguf",
        "truncated": folder / "truncated.gguf",
    }


@pytest.mark.parametrize("args, code, says", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_clear_line(ponder, files, args, code, says):
    args = [a.format(**files) if "{" in a else a for a in args]
    done = ponder(*args)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ponder: error: ")
    assert says in lines[0]
    assert done.stdout == ""


def test_help_works(ponder):
    done = ponder("--help")
    assert done.returncode == 0
    for command in ("ask", "chat", "demo"):
        assert command in done.stdout


def test_paths_in_errors_are_the_ones_given(ponder, files):
    done = ponder("ask", "hi", "--model", str(files["text"]))
    assert str(Path(files["text"])) in done.stderr
