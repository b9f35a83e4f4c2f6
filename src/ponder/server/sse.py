"""Server-sent events: framing, and merging several turns' streams into one.

The merged stream yields (choice index, event) as the engine produces them, so n choices
stream interleaved, token by token. Closing the merged stream cancels every turn in it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from ponder.turn import Turn

DONE = "data: [DONE]\n\n"


def data(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def event(kind: str, payload: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def merged(turns: list[Turn]) -> AsyncIterator[tuple[int, object]]:
    if len(turns) == 1:
        async for item in turns[0]:
            yield 0, item
        return
    queue: asyncio.Queue = asyncio.Queue()
    finished = object()

    async def pump(index: int, turn: Turn) -> None:
        try:
            async for item in turn:
                await queue.put((index, item))
        except Exception as error:  # hand the failure to the consumer, in order
            await queue.put((index, error))
        await queue.put((index, finished))

    tasks = [asyncio.create_task(pump(i, t)) for i, t in enumerate(turns)]
    try:
        remaining = len(tasks)
        while remaining:
            index, item = await queue.get()
            if item is finished:
                remaining -= 1
            elif isinstance(item, Exception):
                raise item
            else:
                yield index, item
    finally:
        for task in tasks:
            task.cancel()
        for turn in turns:
            if turn.result is None:
                turn.cancel()
