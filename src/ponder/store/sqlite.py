"""SQLite store of responses: WAL, numbered migrations, one connection behind a lock.

Migrations are the files migrations/NNNN_name.sql, applied in order, each in its own
transaction, and recorded in schema_migrations so a database is upgraded exactly once.
The store knows JSON and Messages; it knows nothing about HTTP or the engine.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ponder.types import Message


@dataclass(frozen=True)
class StoredResponse:
    id: str
    previous_response_id: str | None
    body: dict
    input_messages: list[Message]
    output_messages: list[Message]


class Store:
    def __init__(self, path: Path | str):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a killed process loses nothing it acknowledged
        self._db.execute("PRAGMA foreign_keys=ON")
        migrate(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def save(self, stored: StoredResponse, input_items: list[dict]) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    stored.id,
                    int(time.time()),
                    stored.previous_response_id,
                    stored.body.get("model", ""),
                    json.dumps(stored.body),
                    _dump_messages(stored.input_messages),
                    _dump_messages(stored.output_messages),
                ),
            )
            self._db.executemany(
                "INSERT INTO input_items VALUES (?, ?, ?)",
                [(stored.id, i, json.dumps(item)) for i, item in enumerate(input_items)],
            )

    def get(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, previous_response_id, body, input_messages, output_messages FROM responses WHERE id = ?",
                (response_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], json.loads(row[2]), _load_messages(row[3]), _load_messages(row[4]))

    def delete(self, response_id: str) -> bool:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM responses WHERE id = ?", (response_id,)).rowcount > 0

    def input_items(self, response_id: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT item FROM input_items WHERE response_id = ? ORDER BY position", (response_id,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def chain(self, response_id: str) -> list[StoredResponse] | None:
        """The response and all before it, oldest first; None if any link is missing."""
        chain: list[StoredResponse] = []
        seen: set[str] = set()
        current: str | None = response_id
        while current is not None:
            stored = self.get(current)
            if stored is None or current in seen:
                return None
            seen.add(current)
            chain.append(stored)
            current = stored.previous_response_id
        return chain[::-1]


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen; return the schema version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)")
    done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    for version, sql in _migrations():
        if version in done:
            continue
        record = f"INSERT INTO schema_migrations VALUES ({version}, {int(time.time())});"
        try:
            db.executescript(f"BEGIN;\n{sql}\n;{record}\nCOMMIT;")
        except Exception:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return max((v for v, _ in _migrations()), default=0)


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("ponder.store").joinpath("migrations")
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(int(f.name.split("_", 1)[0]), f.read_text(encoding="utf-8")) for f in files]


def _dump_messages(messages: list[Message]) -> str:
    return json.dumps([m.to_dict() for m in messages])


def _load_messages(text: str) -> list[Message]:
    return [Message.from_dict(d) for d in json.loads(text)]
