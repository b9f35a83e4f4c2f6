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


class ChainTooLong(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the conversation is longer than {limit} responses")
        self.limit = limit


# A conversation of more responses than this is refused rather than walked: each link is a row
# to read and a turn of history to render, and a client could chain without end.
MAX_CHAIN = 1000
# the links from one response back to the first, deepest first; depth bounds a cycle or a chain
CHAIN_SQL = """
WITH RECURSIVE chain(id, previous_response_id, body, input_messages, output_messages, depth) AS (
    SELECT id, previous_response_id, body, input_messages, output_messages, 0 FROM responses WHERE id = ?1
    UNION ALL
    SELECT r.id, r.previous_response_id, r.body, r.input_messages, r.output_messages, chain.depth + 1
    FROM responses r JOIN chain ON r.id = chain.previous_response_id WHERE chain.depth + 1 < ?2
)
SELECT id, previous_response_id, body, input_messages, output_messages, depth FROM chain ORDER BY depth DESC
"""


# how many responses the chain that ends at ?1 holds (ids only, no bodies), at most ?2
CHAIN_LENGTH_SQL = """
WITH RECURSIVE chain(previous_response_id, depth) AS (
    SELECT previous_response_id, 1 FROM responses WHERE id = ?1
    UNION ALL
    SELECT r.previous_response_id, chain.depth + 1
    FROM responses r JOIN chain ON r.id = chain.previous_response_id WHERE chain.depth < ?2
)
SELECT MAX(depth) FROM chain
"""

# a conversation's name, its opening input item, start, and its latest response (the last one
# stored: rowids grow with time)
CONVERSATION_SQL = """
SELECT g.conversation, c.title, (SELECT i.item FROM input_items i WHERE i.response_id = g.conversation
       ORDER BY i.position DESC LIMIT 1), g.created_at, latest.id, latest.body
FROM (SELECT conversation, MIN(created_at) AS created_at, MAX(rowid) AS last_row
      FROM responses {where} GROUP BY conversation) g
JOIN responses latest ON latest.rowid = g.last_row
LEFT JOIN conversations c ON c.id = g.conversation
"""
CONVERSATIONS_SQL = CONVERSATION_SQL.format(where="") + "ORDER BY g.last_row DESC LIMIT ?"
ONE_CONVERSATION_SQL = CONVERSATION_SQL.format(where="WHERE conversation = ?")


@dataclass(frozen=True)
class Conversation:
    id: str  # its first response's id
    title: str | None  # given by a person
    opening: dict | None  # the first response's last input item (what it was asked), if still stored
    turns: int  # the responses of the chain that ends at the latest (a stopped branch is not one)
    created_at: int
    latest_id: str
    latest: dict  # the latest response's body


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
                "INSERT INTO responses (id, created_at, previous_response_id, model, body, input_messages,"
                " output_messages, status, conversation) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                " COALESCE((SELECT conversation FROM responses WHERE id = ?3), ?1))",
                (
                    stored.id,
                    int(time.time()),
                    stored.previous_response_id,
                    stored.body.get("model", ""),
                    json.dumps(stored.body),
                    _dump_messages(stored.input_messages),
                    _dump_messages(stored.output_messages),
                    stored.body.get("status", "completed"),
                ),
            )
            self._db.executemany(
                "INSERT INTO input_items VALUES (?, ?, ?)",
                [(stored.id, i, json.dumps(item)) for i, item in enumerate(input_items)],
            )

    def update(self, response_id: str, body: dict, output_messages: list[Message] | None = None,
               events: list[str] | None = None) -> None:
        """A background response moves on: its body (and status), what it said, its events."""
        with self._lock, self._db:
            self._db.execute(
                "UPDATE responses SET body = ?, status = ?, output_messages = COALESCE(?, output_messages),"
                " events = COALESCE(?, events) WHERE id = ?",
                (json.dumps(body), body.get("status", "completed"),
                 None if output_messages is None else _dump_messages(output_messages),
                 None if events is None else json.dumps(events), response_id),
            )

    def events(self, response_id: str) -> list[str] | None:
        with self._lock:
            row = self._db.execute("SELECT events FROM responses WHERE id = ?", (response_id,)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def fail_unfinished(self, error: dict) -> int:
        """Mark what was queued or running when the server last stopped as failed (it cannot be
        running now: nothing runs before the server starts); how many."""
        with self._lock, self._db:
            rows = self._db.execute(
                "SELECT id, body FROM responses WHERE status IN ('queued', 'in_progress')").fetchall()
            for response_id, text in rows:
                body = {**json.loads(text), "status": "failed", "error": error}
                self._db.execute("UPDATE responses SET body = ?, status = 'failed' WHERE id = ?",
                                 (json.dumps(body), response_id))
        return len(rows)

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

    def chain(self, response_id: str, limit: int = MAX_CHAIN) -> list[StoredResponse] | None:
        """The response and all before it, oldest first, in one query; None if any link is
        missing (deleted, or pruned by retention); ChainTooLong past limit links."""
        with self._lock:
            rows = self._db.execute(CHAIN_SQL, (response_id, limit)).fetchall()
        if not rows:
            return None
        oldest = rows[0]
        if oldest[1] is not None:
            if oldest[5] >= limit - 1:
                raise ChainTooLong(limit)
            return None  # a link is gone
        return [StoredResponse(r[0], r[1], json.loads(r[2]), _load_messages(r[3]), _load_messages(r[4])) for r in rows]

    def prune(self, older_than_s: float) -> int:
        """Delete the responses stored more than older_than_s seconds ago (retention); how many."""
        cutoff = int(time.time() - older_than_s)
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM responses WHERE created_at < ?", (cutoff,)).rowcount
            self._db.execute("DELETE FROM conversations WHERE id NOT IN (SELECT conversation FROM responses)")
            return removed

    def conversations(self, limit: int) -> list[Conversation]:
        """The conversations, the most recently continued first."""
        with self._lock:
            rows = self._db.execute(CONVERSATIONS_SQL, (limit,)).fetchall()
            return [self._conversation(row) for row in rows]

    def conversation(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            row = self._db.execute(ONE_CONVERSATION_SQL, (conversation_id,)).fetchone()
            return None if row is None else self._conversation(row)

    def _conversation(self, row) -> Conversation:
        # counted along the chain, as reopening shows it: a cancelled turn that the next one
        # branched around is stored in the conversation but is not one of its turns
        turns = self._db.execute(CHAIN_LENGTH_SQL, (row[4], MAX_CHAIN)).fetchone()[0]
        opening = None if row[2] is None else json.loads(row[2])
        return Conversation(row[0], row[1], opening, turns, row[3], row[4], json.loads(row[5]))

    def rename(self, conversation_id: str, title: str) -> bool:
        with self._lock, self._db:
            if self._db.execute("SELECT 1 FROM responses WHERE conversation = ?", (conversation_id,)).fetchone() is None:
                return False
            self._db.execute("INSERT INTO conversations VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET title = ?2",
                             (conversation_id, title))
            return True

    def delete_conversation(self, conversation_id: str) -> list[str]:
        """Delete every response of the conversation (a running one settles to nothing); their ids."""
        with self._lock, self._db:
            ids = [row[0] for row in self._db.execute("SELECT id FROM responses WHERE conversation = ?",
                                                       (conversation_id,))]
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            self._db.execute("DELETE FROM responses WHERE conversation = ?", (conversation_id,))
            return ids


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
