"""Channels carry a turn's events from the engine thread to whoever consumes them.

The engine thread only ever calls put(), which never blocks. A thread consumer blocks in
get(); an asyncio consumer awaits aget(), and put() hands the event to its event loop.
"""

from __future__ import annotations

import asyncio
import queue


class ThreadChannel:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, event: object) -> None:
        self._queue.put(event)

    def get(self) -> object:
        return self._queue.get()

    async def aget(self) -> object:
        raise TypeError("this turn was started for a thread consumer; pass loop= to Runtime.respond")


class AsyncChannel:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue = asyncio.Queue()

    def put(self, event: object) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, event)
        except RuntimeError:  # the loop has closed: nobody is listening any more
            pass

    def get(self) -> object:
        raise TypeError("this turn was started for an asyncio consumer; use async for")

    async def aget(self) -> object:
        return await self._queue.get()
