"""Retention of stored responses: with --store-days, older ones are deleted at startup and
every hour after, on a worker thread (a delete may take a while on a large store)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ponder.store.sqlite import Store

LOG = logging.getLogger("ponder.server")
EVERY_S = 3600


def retention(store: Store, days: float | None):
    """A FastAPI lifespan that prunes store while the server runs; nothing without days."""

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        task = asyncio.create_task(prune_forever(store, days * 86400)) if days else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


async def prune_forever(store: Store, older_than_s: float) -> None:
    while True:
        removed = await asyncio.to_thread(store.prune, older_than_s)
        if removed:
            LOG.info("retention: deleted %d stored responses older than %.1f days", removed, older_than_s / 86400)
        await asyncio.sleep(EVERY_S)
