"""Background responses through the official openai SDK: create and poll, cancel, a stream cut
and resumed, and a server killed while one runs."""

import time

import pytest
from conftest import Server

# Surely runs for seconds, long enough to be caught running: think_longer at effort medium keeps
# the model reasoning for at least half of 1,024 tokens (a plain answer may end at any token).
LONG = {"model": "smollm2", "input": "List every number from 1 to 2000, one per line.", "background": True,
        "reasoning": {"effort": "medium"}, "max_output_tokens": 1500, "extra_body": {"strategy": "think_longer"}}


def poll(client, response, until=("completed", "incomplete", "failed", "cancelled"), seconds=120):
    deadline = time.time() + seconds
    while response.status not in until and time.time() < deadline:
        time.sleep(0.2)
        response = client.responses.retrieve(response.id)
    return response


def test_create_returns_queued_and_polls_to_completed_with_usage(client):
    created = client.responses.create(model="smollm2", input="What is 2+2?", background=True,
                                      reasoning={"effort": "low"}, extra_body={"seed": 1})
    assert created.status == "queued" and created.background is True and created.output == []
    done = poll(client, created)
    assert done.status in ("completed", "incomplete")  # incomplete: a 135M model may run to the cap
    assert done.usage.output_tokens > 0 and done.usage.output_tokens_details.reasoning_tokens > 0
    assert [item.type for item in done.output][0] == "reasoning"


def test_cancel_stops_a_running_response_and_frees_its_sequence(client, http):
    created = client.responses.create(**LONG)
    running = poll(client, created, until=("in_progress",), seconds=30)
    assert running.status == "in_progress"
    cancelled = client.responses.cancel(created.id)
    assert cancelled.status == "cancelled"
    assert client.responses.retrieve(created.id).status == "cancelled"
    for _ in range(50):  # the engine hears of it at its next step
        if http.get("/health").json()["live_sequences"] == 0:
            break
        time.sleep(0.1)
    assert http.get("/health").json()["live_sequences"] == 0
    assert client.responses.cancel(created.id).status == "cancelled"  # again: as it is
    reply = http.post("/v1/responses", json={"model": "smollm2", "input": "and?", "previous_response_id": created.id})
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "previous_response_id"  # no answer to follow


def test_a_cut_stream_resumes_after_its_last_event_with_the_same_numbers(client):
    stream = client.responses.create(model="smollm2", input="What is 3+3?", background=True, stream=True,
                                     reasoning={"effort": "low"}, extra_body={"seed": 2})
    first = []
    for event in stream:
        first.append(event)
        if len(first) == 10:
            break
    stream.close()  # the client goes; the response does not
    response_id = first[0].response.id
    rest = list(client.responses.retrieve(response_id, stream=True, starting_after=first[-1].sequence_number))
    whole = list(client.responses.retrieve(response_id, stream=True))  # uncut, read again from the start
    numbers = [e.sequence_number for e in first + rest]
    assert numbers == [e.sequence_number for e in whole] == list(range(len(whole)))
    assert [e.type for e in first + rest] == [e.type for e in whole]
    assert rest[-1].type in ("response.completed", "response.incomplete")
    final = client.responses.retrieve(response_id)
    assert final.status == rest[-1].response.status and final.output_text == rest[-1].response.output_text


def test_a_server_killed_mid_task_marks_it_failed_on_restart(tmp_path):
    db = tmp_path / "killed.db"
    server = Server(db).start()
    client = server.client()
    created = client.responses.create(**LONG)
    assert poll(client, created, until=("in_progress",), seconds=30).status == "in_progress"
    server.kill()  # SIGKILL: nothing gets to clean up
    with Server(db).start() as again:
        after = again.client().responses.retrieve(created.id)
        assert after.status == "failed" and after.error.code == "server_restarted"


@pytest.mark.parametrize("body, param", [
    ({"background": True, "store": False}, "background"),
])
def test_background_needs_the_store(http, body, param):
    reply = http.post("/v1/responses", json={"model": "smollm2", "input": "hi", **body})
    assert reply.status_code == 400 and reply.json()["error"]["param"] == param


def test_only_background_responses_cancel_or_stream_again(client, http):
    plain = client.responses.create(model="smollm2", input="hi", reasoning={"effort": "none"}, max_output_tokens=8)
    reply = http.post(f"/v1/responses/{plain.id}/cancel")
    assert reply.status_code == 400 and "background" in reply.json()["error"]["message"]
    reply = http.get(f"/v1/responses/{plain.id}", params={"stream": "true"})
    assert reply.status_code == 400 and "background" in reply.json()["error"]["message"]
    assert http.post("/v1/responses/resp_nope/cancel").status_code == 404


def test_deleting_a_conversation_stops_its_running_turn_before_it_replies(client, http):
    first = client.responses.create(model="smollm2", input="What is 2+2?", reasoning={"effort": "none"},
                                    max_output_tokens=16)
    created = client.responses.create(**LONG, previous_response_id=first.id)
    assert poll(client, created, until=("in_progress",), seconds=30).status == "in_progress"
    reply = http.delete(f"/v1/ponder/conversations/{first.id}")
    assert reply.status_code == 200 and reply.json()["deleted"] is True
    assert http.get("/health").json()["live_sequences"] == 0  # stopped by the time the delete replied
    for gone in (first.id, created.id):
        assert http.get(f"/v1/responses/{gone}").status_code == 404
    again = http.delete(f"/v1/ponder/conversations/{first.id}")
    assert again.status_code == 404 and again.json()["error"]["type"] == "invalid_request_error"
