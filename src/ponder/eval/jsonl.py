"""A task from a JSONL file: one {"question": ..., "answer": ...} object per line.

Blank lines are skipped. Any other malformed line stops the run before a model loads, with
one error naming the file and the line, so a long eval never dies on line 900. Answers may be
JSON numbers or strings; numeric ones are checked numerically, others as phrases.
"""

from __future__ import annotations

import json
from pathlib import Path

from ponder.errors import InvalidOption
from ponder.eval.sources import EvalTask, Item, numeric_check, numeric_extract


def jsonl_task(path: Path, n: int) -> EvalTask:
    items = read_items(path)[:n]
    return EvalTask(str(path), items, numeric_extract, numeric_check)


def read_items(path: Path) -> list[Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InvalidOption("task", f"cannot read {path}: {reason}") from None
    items = [parse_line(line, path, number) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not items:
        raise InvalidOption("task", f"{path}: no problems in the file")
    return items


def parse_line(line: str, path: Path, number: int) -> Item:
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidOption("task", f"{where}: not valid JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise InvalidOption("task", f"{where}: expected an object with \"question\" and \"answer\"")
    question, answer = record.get("question"), record.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise InvalidOption("task", f"{where}: \"question\" must be a non-empty string")
    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)) or not str(answer).strip():
        raise InvalidOption("task", f"{where}: \"answer\" must be a non-empty string or a number")
    return Item(question, str(answer).strip(), record)
