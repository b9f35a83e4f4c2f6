"""Awaiting the turns of a non-streaming reply, with the client still there.

A streaming reply notices a client that leaves (its next write fails, and Starlette cancels
it); a non-streaming one writes only at the end, so without this a request whose client left
would generate to its last token, holding the engine and a place in the queue. So the client's
connection is watched while the turns run: when it closes, every turn is cancelled. And when
one of n turns fails, its siblings are cancelled too: their answers can no longer be sent.
"""

from __future__ import annotations

import asyncio

from fastapi import Request

from ponder.turn import Turn
from ponder.types import TurnResult


class ClientGone(Exception):
    """The client closed its connection before the reply was ready."""


async def collect(turns: list[Turn], client: Request) -> list[TurnResult]:
    tasks = [asyncio.create_task(turn.acollect()) for turn in turns]
    left = asyncio.create_task(disconnected(client))
    try:
        running = set(tasks)
        while running:
            done, _ = await asyncio.wait(running | {left}, return_when=asyncio.FIRST_COMPLETED)
            if left in done:
                raise ClientGone()
            for task in done:
                running.discard(task)
                if task.exception() is not None:
                    raise task.exception()
        return [task.result() for task in tasks]
    finally:
        for task in [*tasks, left]:
            task.cancel()  # a cancelled acollect cancels its turn in the engine
        await asyncio.gather(*tasks, left, return_exceptions=True)


async def disconnected(client: Request) -> None:
    """Returns once the client has gone (the body was read already: only the disconnect comes)."""
    while (await client.receive())["type"] != "http.disconnect":
        pass
