"""The SQLite store: migrations apply once, responses round-trip, chains and deletes."""

import sqlite3

import pytest

from ponder.store.sqlite import ChainTooLong, Store, StoredResponse, _migrations, migrate
from ponder.types import Message, Role


def response(rid, previous=None):
    return StoredResponse(
        rid, previous, {"id": rid, "model": "m"},
        [Message(Role.USER, f"q {rid}")], [Message(Role.ASSISTANT, f"a {rid}", reasoning=f"r {rid}")],
    )


def test_round_trip_survives_reopening(tmp_path):
    path = tmp_path / "store.db"
    store = Store(path)
    store.save(response("resp_1"), [{"type": "message", "role": "user", "content": "q"}])
    store.close()
    again = Store(path)
    loaded = again.get("resp_1")
    assert loaded.output_messages[0].reasoning == "r resp_1"
    assert again.input_items("resp_1") == [{"type": "message", "role": "user", "content": "q"}]


def test_migrations_apply_once(tmp_path):
    db = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    first = migrate(db)
    assert migrate(db) == first >= 1
    assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == first


def test_wal_mode(tmp_path):
    store = Store(tmp_path / "w.db")
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_chain_is_oldest_first_and_breaks_on_a_deleted_link(tmp_path):
    store = Store(tmp_path / "c.db")
    store.save(response("a"), [])
    store.save(response("b", "a"), [])
    store.save(response("c", "b"), [])
    assert [r.id for r in store.chain("c")] == ["a", "b", "c"]
    assert store.delete("b") and not store.delete("b")
    assert store.chain("c") is None
    assert store.input_items("b") == []


def test_a_chain_is_read_in_one_query_and_bounded(tmp_path):
    store = Store(tmp_path / "long.db")
    store.save(response("r0"), [])
    for i in range(1, 12):
        store.save(response(f"r{i}", f"r{i - 1}"), [])
    queries = []
    store._db.set_trace_callback(queries.append)
    assert [r.id for r in store.chain("r11")] == [f"r{i}" for i in range(12)]
    assert len(queries) == 1  # not one SELECT per link
    assert len(store.chain("r11", limit=12)) == 12
    with pytest.raises(ChainTooLong, match="longer than 11 responses"):
        store.chain("r11", limit=11)
    assert store.chain("nope") is None


def test_retention_prunes_old_responses_only(tmp_path):
    store = Store(tmp_path / "old.db")
    store.save(response("old"), [{"type": "message"}])
    store._db.execute("UPDATE responses SET created_at = created_at - 90000 WHERE id = 'old'")
    store.save(response("new"), [])
    assert store.prune(older_than_s=86400) == 1
    assert store.get("old") is None and store.input_items("old") == [] and store.get("new") is not None


def test_conversations_group_chains_newest_first_and_rename_and_delete(tmp_path):
    store = Store(tmp_path / "c.db")
    store.save(response("a"), [{"type": "message", "role": "user", "content": "first question"}])
    store.save(response("b", "a"), [{"type": "message", "role": "user", "content": "and then"}])
    store.save(response("x"), [{"type": "message", "role": "user", "content": "another"}])
    store.save(response("c", "b"), [])
    listed = store.conversations(10)
    assert [(c.id, c.turns, c.latest_id) for c in listed] == [("a", 3, "c"), ("x", 1, "x")]  # a moved last
    assert listed[0].opening["content"] == "first question" and listed[0].title is None
    assert store.rename("a", "named") and store.conversation("a").title == "named"
    assert not store.rename("nope", "t")
    assert sorted(store.delete_conversation("a")) == ["a", "b", "c"]
    assert store.get("b") is None and [c.id for c in store.conversations(10)] == ["x"]
    assert store.delete_conversation("a") == []


def test_a_conversations_turns_are_its_chain_not_a_stopped_branch(tmp_path):
    store = Store(tmp_path / "branch.db")
    store.save(response("a"), [])
    store.save(response("stopped", "a"), [])  # cancelled: the next turn continues from a
    store.save(response("b", "a"), [])
    assert [(c.id, c.turns, c.latest_id) for c in store.conversations(10)] == [("a", 2, "b")]
    assert store.conversation("a").turns == len(store.chain("b")) == 2


def test_the_conversations_migration_finds_the_chains_of_an_older_store(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)")
    for version, sql in [(v, s) for v, s in _migrations() if v < 3]:  # a store from before 0003
        db.executescript(f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations VALUES ({version}, 0);\nCOMMIT;")
    for rid, previous in [("r1", None), ("r2", "r1"), ("r3", "r2"), ("orphan", "gone"), ("orphan2", "orphan")]:
        db.execute("INSERT INTO responses (id, created_at, previous_response_id, model, body, input_messages,"
                   " output_messages) VALUES (?, 0, ?, 'm', '{}', '[]', '[]')", (rid, previous))
    db.close()
    store = Store(path)
    # a chain whose first links were pruned begins at its oldest kept one, and is one conversation
    assert {c.id: c.turns for c in store.conversations(10)} == {"r1": 3, "orphan": 2}
