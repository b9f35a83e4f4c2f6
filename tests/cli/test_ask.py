"""`ponder ask` on the real model: JSON shape, usage arithmetic, streaming output."""

import json


def test_ask_json_has_reasoning_apart_and_consistent_usage(ponder):
    done = ponder("ask", "What is 17+25?", "--effort", "low", "--json", "--seed", "1")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    message, usage = data["message"], data["usage"]
    assert message["content"] and message["reasoning"]
    assert message["content"] not in message["reasoning"] or message["reasoning"] != message["content"]
    assert usage["reasoning_tokens"] > 0
    assert usage["completion_tokens"] == usage["reasoning_tokens"] + usage["answer_tokens"]
    assert usage["answer_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert data["finish_reason"] == "stop"


def test_ask_effort_none_json(ponder):
    done = ponder("ask", "What is 17+25?", "--effort", "none", "--json")
    data = json.loads(done.stdout)
    assert data["usage"]["reasoning_tokens"] == 0 and "reasoning" not in data["message"]


def test_ask_length_when_completion_cap_is_below_budget(ponder):
    done = ponder("ask", "What is 17+25?", "--effort", "low", "--max-completion-tokens", "8", "--json")
    data = json.loads(done.stdout)
    assert data["finish_reason"] == "length"
    assert data["message"]["content"] == ""
    assert data["usage"]["reasoning_tokens"] == 8


def test_ask_streams_reasoning_then_answer_then_summary(ponder):
    done = ponder("ask", "What is 2+2?", "--effort", "minimal", "--max-completion-tokens", "120", "--seed", "4")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("thinking: ")
    assert lines[-1].startswith("input ") and " reasoning " in lines[-1] and "context " in lines[-1]


def test_hide_reasoning(ponder):
    done = ponder("ask", "What is 2+2?", "--effort", "minimal", "--max-completion-tokens", "120", "--hide-reasoning")
    assert "thinking:" not in done.stdout and done.stdout.strip()


def test_question_from_stdin(ponder):
    done = ponder("ask", "-", "--effort", "none", "--json", stdin="What is 5+5?\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["usage"]["prompt_tokens"] > 10


def test_empty_stdin_question_is_refused(ponder):
    done = ponder("ask", "-", stdin="")
    assert done.returncode == 1 and done.stderr.strip() == "ponder: error: question: must not be empty"


def test_ask_with_a_strategy_reports_every_candidate(ponder):
    done = ponder("ask", "What is 4821 + 367?", "--model", "ponder-reasoner", "--strategy", "vote",
                  "--samples", "3", "--seed", "2", "--max-completion-tokens", "200", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    report = data["strategy"]
    assert report["name"] == "vote" and len(report["candidates"]) == 3
    assert sum(report["votes"].values()) <= 3
    assert data["usage"]["reasoning_tokens"] == sum(c["reasoning_tokens"] for c in report["candidates"])
    assert data["message"]["content"] == report["candidates"][report["chosen"]]["content"]


def test_ask_streams_candidates_then_the_vote(ponder):
    done = ponder("ask", "What is 4821 + 367?", "--model", "ponder-reasoner", "--strategy", "vote@2", "--seed", "2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("[candidate 1/2]") < out.index("[candidate 2/2]") < out.index("[vote]") < out.index("answer: ")
    assert "strategy vote · 2 sequences" in out.strip().splitlines()[-1]


def test_a_chat_template_file_replaces_the_models_own(ponder, tmp_path):
    from support.reference import vocab

    own = vocab().metadata["tokenizer.chat_template"]
    banner = "This server runs a custom template."
    custom = tmp_path / "custom.jinja"
    custom.write_text(own.replace("{% for message in messages %}", f"{banner}\n{{% for message in messages %}}", 1))
    assert banner in custom.read_text()

    def prompt_tokens(*extra):
        done = ponder("ask", "What is 17+25?", "--effort", "none", "--max-completion-tokens", "4", "--json", *extra)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["usage"]["prompt_tokens"]

    added = len(vocab().tokenize(f"{banner}\n".encode(), add_bos=False, special=True))
    assert prompt_tokens("--chat-template", str(custom)) == prompt_tokens() + added
