"""ponder's conversations routes (the page's list) on a real server: listed with their turns,
opened turn by turn, renamed, deleted, and bad input refused with OpenAI-shaped errors."""

from conftest import Server

from ponder.store.sqlite import MAX_CHAIN, Store, StoredResponse
from ponder.types import Message, Role


def ask(client, text, previous=None):
    return client.responses.create(model="smollm2", input=text, reasoning={"effort": "none"},
                                   max_output_tokens=8, previous_response_id=previous)


def test_a_conversation_is_listed_opened_renamed_and_deleted(client, http):
    first = ask(client, "Name a colour.")
    second = ask(client, "And another?", first.id)
    listed = {c["id"]: c for c in http.get("/v1/ponder/conversations").json()["data"]}
    mine = listed[first.id]
    assert (mine["turns"], mine["latest_response_id"], mine["title"]) == (2, second.id, "Name a colour.")
    opened = http.get(f"/v1/ponder/conversations/{first.id}").json()
    assert [turn["response"]["id"] for turn in opened["turns"]] == [first.id, second.id]
    assert opened["turns"][1]["input"][0]["content"][0]["text"] == "And another?"
    renamed = http.post(f"/v1/ponder/conversations/{first.id}", json={"title": "  colours "})
    assert renamed.status_code == 200 and renamed.json()["title"] == "colours"
    assert http.delete(f"/v1/ponder/conversations/{first.id}").json()["deleted"] is True
    assert http.get(f"/v1/responses/{second.id}").status_code == 404


def test_bad_input_is_refused_by_name(http):
    missing = http.get("/v1/ponder/conversations/conv_nope")
    assert missing.status_code == 404 and "conv_nope" in missing.json()["error"]["message"]
    assert http.post("/v1/ponder/conversations/conv_nope", json={"title": "t"}).status_code == 404
    assert http.delete("/v1/ponder/conversations/conv_nope").status_code == 404
    no_title = http.post("/v1/ponder/conversations/conv_nope", json={})
    assert no_title.status_code == 400 and no_title.json()["error"]["type"] == "invalid_request_error"
    zero = http.get("/v1/ponder/conversations", params={"limit": 0})
    assert zero.status_code == 400 and zero.json()["error"]["param"] == "query.limit"


def test_a_conversation_too_long_to_open_is_refused_not_a_server_error(tmp_path):
    db = tmp_path / "long.db"
    store = Store(db)
    for i in range(MAX_CHAIN + 1):
        previous = f"resp_{i - 1}" if i else None
        store.save(StoredResponse(f"resp_{i}", previous, {"id": f"resp_{i}", "status": "completed"},
                                  [Message(Role.USER, "q")], [Message(Role.ASSISTANT, "a")]), [])
    store.close()
    with Server(db).start() as server, server.http() as http:
        listed = http.get("/v1/ponder/conversations").json()["data"]
        assert [(c["id"], c["turns"]) for c in listed] == [("resp_0", MAX_CHAIN)]  # counted up to the cap
        reply = http.get("/v1/ponder/conversations/resp_0")
        assert reply.status_code == 400 and reply.json()["error"]["param"] == "conversation_id"
        assert "too long to open" in reply.json()["error"]["message"]
