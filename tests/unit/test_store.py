"""The SQLite store: migrations apply once, responses round-trip, chains and deletes."""

import sqlite3

from ponder.store.sqlite import Store, StoredResponse, migrate
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
    assert db.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "delete")


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
