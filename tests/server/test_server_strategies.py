"""Test-time strategies over HTTP, on the trained reasoner, through the official openai SDK."""

import re

import pytest
from conftest import Server

from ponder.answers import extract_any
from ponder.strategies.consistency import contradicting

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


def test_vote_consistent_leaves_out_exactly_the_candidates_whose_streamed_work_contradicts_itself(reasoner):
    # 3-by-2 products at effort high: the reasoner often recalls a partial product wrong (the model card)
    stream = reasoner.client().chat.completions.create(
        model="ponder-reasoner:vote@8/consistent", messages=[{"role": "user", "content": "What is 164 * 25?"}],
        stream=True, reasoning_effort="high", max_completion_tokens=450, seed=11, temperature=1.0)
    reasoning, report = [], None
    for chunk in stream:
        for choice in chunk.choices:
            reasoning.append((choice.delta.model_extra or {}).get("reasoning_content") or "")
            if choice.finish_reason is not None:
                report = extra(choice)
    # each candidate's whole text streams under its head, in order; the votes line follows the last
    texts = re.split(r"\[candidate \d/8\]", "".join(reasoning))[1:]
    texts[-1] = texts[-1].split("[vote")[0]
    assert len(texts) == 8 and report["consistent"] is True
    assert report["contradicted"] == contradicting(texts)
    assert report["contradicted"], "seeded: some of the eight recall a partial product wrong"
    answered = [i for i, c in enumerate(report["candidates"]) if c["answer"] is not None]
    left = [i for i in answered if i not in report["contradicted"]]
    assert report["voters"] == (left or answered)
    assert sum(report["votes"].values()) == len(report["voters"])


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
