"""Background responses (`background: true`): the turn runs on the server, not in a request.

A job consumes the response's own event stream (responses.stream) in a task of the server's
event loop, keeping every SSE frame in order, so that any number of clients can follow it
from any point (`GET /v1/responses/{id}?stream=true&starting_after=N`) and none of them,
leaving, stops it. The store holds its status as it moves (queued, in_progress, then
completed, incomplete, failed or cancelled); the frames go into the store with the final
body, so a finished job's stream can be read again after a restart. Cancelling cancels the
turn (its engine sequence is freed) and marks the response cancelled. A server that stops
while jobs run marks them failed when it starts again (ServerState).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi.responses import StreamingResponse

from ponder.server.errors import invalid
from ponder.server.logs import LOG

FINAL = ("completed", "incomplete", "failed", "cancelled")
SETTLE_WAITS = (0.1, 0.5, 2.0)  # seconds before each further try to store a finished job's outcome


class Job:
    def __init__(self, response_id: str):
        self.id = response_id
        self.frames: list[str] = []
        self.done = False
        self.cancelled = False
        self.turn = None  # the running Turn, for cancel
        self.ended = asyncio.Event()
        self._changed = asyncio.Event()

    def add(self, frame: str) -> None:
        self.frames.append(frame)
        self._wake()

    def finish(self) -> None:
        self.done = True
        self.ended.set()
        self._wake()

    def cancel(self) -> None:
        self.cancelled = True
        if self.turn is not None:
            self.turn.cancel()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self, after: int) -> AsyncIterator[str]:
        # a follower that found the job keeps it (and its frames) until it has read to the end
        """Frames with sequence numbers above after (frame i is number i), then live ones, to the end."""
        index = after + 1
        while True:
            while index < len(self.frames):
                yield self.frames[index]
                index += 1
            if self.done:
                return
            changed = self._changed
            await changed.wait()


class Jobs:
    """The jobs this server runs (and has run since it started), by response id."""

    def __init__(self):
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task] = set()

    def get(self, response_id: str) -> Job | None:
        return self._jobs.get(response_id)

    def start(self, response_id: str, frames: AsyncIterator[str], turn, started, settle) -> Job:
        """Run frames (the response's stream) to its end in a task; started() marks it running
        in the store at its first frame, settle(job) writes its outcome once the stream is over."""
        job = Job(response_id)
        job.turn = turn
        self._jobs[response_id] = job

        async def run() -> None:
            try:
                async for frame in frames:
                    if not job.frames:
                        await asyncio.to_thread(started)
                    job.add(frame)
            except Exception as error:  # the stream reports its own errors; this is a bug in it
                LOG.error("background response %s failed", response_id, exc_info=error)
            finally:
                try:
                    await settled(settle, job)
                finally:  # settled or not, followers must not be left waiting
                    job.finish()
                    self._jobs.pop(response_id, None)  # its frames are in the store now

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)  # held, so that the loop does not drop a running job
        task.add_done_callback(self._tasks.discard)
        return job


async def settled(settle, job: Job) -> None:
    """settle(job), tried again after a short wait where the store fails (SQLite's "database is
    locked" under a burst of writers passes in moments). One that keeps failing is logged, and
    the response reads as it was last stored until the server restarts and marks it failed."""
    for wait in (*SETTLE_WAITS, None):
        try:
            await asyncio.to_thread(settle, job)
            return
        except Exception as error:
            if wait is None:
                LOG.error("settling background response %s failed; tried %d times", job.id,
                          len(SETTLE_WAITS) + 1, exc_info=error)
                return
            LOG.warning("settling background response %s failed (%s); trying again in %.1f s", job.id, error, wait)
            await asyncio.sleep(wait)


def last_error(frames: list[str]) -> dict | None:
    """The error event's payload, if the stream ended with one."""
    for frame in reversed(frames):
        if frame.startswith("event: error"):
            data = frame.split("data: ", 1)[1].strip()
            payload = json.loads(data)
            return {"code": payload.get("code") or "server_error", "message": payload.get("message", "")}
    return None


async def resume(state, found, after: int) -> StreamingResponse:
    """GET …?stream=true: a background response's events after sequence number `after`, live
    while it runs, from the store once it has ended."""
    if not found.body.get("background"):
        raise invalid("stream", "only a background response can be streamed again")
    job = state.jobs.get(found.id)
    if job is not None:
        return StreamingResponse(job.follow(after), media_type="text/event-stream")
    frames = await asyncio.to_thread(state.store.events, found.id)
    if frames is None:  # queued or running when the last server stopped: it failed, and kept no events
        raise invalid("stream", f"response {found.id!r} has no events to stream (it is {found.body['status']})")

    async def replay() -> AsyncIterator[str]:
        for frame in frames[after + 1:]:
            yield frame

    return StreamingResponse(replay(), media_type="text/event-stream")


async def cancel(state, found) -> dict:
    """POST …/cancel: stop a running background response (its turn, and so its engine sequence);
    a finished one is returned as it is."""
    if not found.body.get("background"):
        raise invalid("response_id", "only a background response can be cancelled")
    job = state.jobs.get(found.id)
    if job is not None and not job.done:
        job.cancel()
        await job.ended.wait()  # settled: the store says cancelled (or what it finished as first)
    return (await asyncio.to_thread(state.store.get, found.id)).body
