"""Test-time strategies over HTTP, on the trained reasoner, through the official openai SDK."""

import pytest
from conftest import Server

from ponder.answers import extract_any

QUESTION = [{"role": "user", "content": "What is 4821 + 367?"}]
SMALL = {"reasoning_effort": "low", "max_completion_tokens": 200, "seed": 5}


@pytest.fixture(scope="module")
def reasoner(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("reasoner") / "ponder.db", "--model", "ponder-reasoner", ctx=None).start()
    yield running
    running.stop()


def extra(choice_or_response, name="strategy"):
    return choice_or_response.model_extra[name]


def test_vote_returns_the_majority_the_counts_and_usage_of_all_samples(reasoner):
    client = reasoner.client()
    done = client.chat.completions.create(model="ponder-reasoner", messages=QUESTION,
                                          extra_body={"strategy": {"name": "vote", "n": 5}}, **SMALL)
    choice = done.choices[0]
    report = extra(choice)
    candidates = report["candidates"]
    assert report["name"] == "vote" and report["n"] == 5 and len(candidates) == 5
    # the majority, recounted here from the five candidates' own texts
    answers = [extract_any(c["content"]) for c in candidates]
    counts = {a: answers.count(a) for a in set(answers) if a is not None}
    assert report["votes"] == counts
    assert counts[report["answer"]] == max(counts.values())
    assert extract_any(choice.message.content) == report["answer"]
    assert choice.message.content == candidates[report["chosen"]]["content"]
    # usage covers every sample: reasoning and answer tokens of all five
    assert done.usage.completion_tokens_details.reasoning_tokens == sum(c["reasoning_tokens"] for c in candidates)
    assert done.usage.completion_tokens == sum(c["reasoning_tokens"] + c["answer_tokens"] for c in candidates)
    single = client.chat.completions.create(model="ponder-reasoner", messages=QUESTION, **SMALL)
    assert done.usage.prompt_tokens == 5 * single.usage.prompt_tokens
    assert done.usage.prompt_tokens_details.cached_tokens >= 4 * (single.usage.prompt_tokens - 8)


def test_a_model_name_suffix_picks_the_strategy(reasoner):
    done = reasoner.client().chat.completions.create(model="ponder-reasoner:vote@3", messages=QUESTION, **SMALL)
    report = extra(done.choices[0])
    assert report["name"] == "vote" and report["n"] == 3 and report["sequences"] == 3
    assert done.model == "ponder-reasoner"


def test_streamed_vote_agrees_with_its_final_report(reasoner):
    stream = reasoner.client().chat.completions.create(
        model="ponder-reasoner", messages=QUESTION, stream=True, stream_options={"include_usage": True},
        extra_body={"strategy": "vote@3"}, **SMALL)
    reasoning, content, report, usage = [], [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            delta = choice.delta
            reasoning.append((delta.model_extra or {}).get("reasoning_content") or "")
            content.append(delta.content or "")
            if choice.finish_reason is not None:
                report = extra(choice)
    text = "".join(reasoning)
    assert "[candidate 1/3]" in text and "[candidate 3/3]" in text and "[vote]" in text
    assert report["name"] == "vote" and extract_any("".join(content)) == report["answer"]
    assert usage.completion_tokens == sum(c["reasoning_tokens"] + c["answer_tokens"] for c in report["candidates"])


def test_best_of_n_with_the_checker_over_the_responses_api(reasoner):
    response = reasoner.client().responses.create(
        model="ponder-reasoner", input="What is 4821 + 367?", reasoning={"effort": "low"}, max_output_tokens=200,
        extra_body={"strategy": {"name": "best_of_n", "n": 4, "verifier": "checker"}, "seed": 5})
    report = extra(response)
    assert report["verifier"] == "checker" and len(report["scores"]) == 4
    right = [i for i, c in enumerate(report["candidates"]) if c["answer"] == "5188"]
    assert report["scores"] == [1.0 if i in right else 0.0 for i in range(4)]
    assert right, report["candidates"]  # seeded, and the reasoner adds 4-digit numbers right most of the time
    assert extract_any(response.output_text) == "5188"  # the checker knows the answer: a right candidate wins
    assert response.usage.output_tokens == sum(c["reasoning_tokens"] + c["answer_tokens"]
                                                for c in report["candidates"])


def test_think_longer_keeps_the_reasoner_thinking(reasoner):
    done = reasoner.client().chat.completions.create(
        model="ponder-reasoner", messages=QUESTION, extra_body={"strategy": {"name": "think_longer", "min_tokens": 120}},
        # room past effort low's 256-token budget: a continuation that thinks to the budget still answers
        # (under SMALL's cap of 200 it would end at the cap, mid-thought, with no answer, as o1 does)
        **{**SMALL, "max_completion_tokens": 300})
    report = extra(done.choices[0])
    assert report["continuations"] >= 1  # its trace for 4-digit addition is ~80 tokens
    assert done.usage.completion_tokens_details.reasoning_tokens >= 120
    assert "Wait," in done.choices[0].message.model_extra["reasoning_content"]
    assert done.choices[0].message.content
