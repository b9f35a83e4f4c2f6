"""A background job's outcome is stored once its stream ends (server/background.py): a store
that fails for a moment is tried again; one that keeps failing still releases the followers."""

import asyncio
import sqlite3

import pytest

from ponder.server import background
from ponder.server.background import Jobs


@pytest.fixture(autouse=True)
def quick_waits(monkeypatch):
    monkeypatch.setattr(background, "SETTLE_WAITS", (0.01, 0.01, 0.01))


def run_job(settle) -> tuple:
    async def frames():
        yield "event: one\n\n"
        yield "event: two\n\n"

    async def main():
        jobs = Jobs()
        job = jobs.start("resp_1", frames(), None, lambda: None, settle)
        follower = [frame async for frame in job.follow(-1)]  # returns only once the job has ended
        await asyncio.wait_for(job.ended.wait(), 5)
        return job, jobs, follower

    return asyncio.run(main())


def test_a_store_that_fails_for_a_moment_is_tried_again_with_every_frame():
    calls = []

    def settle(job):
        calls.append(list(job.frames))
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")

    job, jobs, follower = run_job(settle)
    assert calls == [["event: one\n\n", "event: two\n\n"]] * 3  # stored on the third try, whole
    assert job.done and jobs.get("resp_1") is None and follower == calls[-1]


def test_a_store_that_keeps_failing_gives_up_and_releases_the_followers(caplog):
    calls = []

    def settle(job):
        calls.append(job.id)
        raise sqlite3.OperationalError("disk I/O error")

    job, jobs, follower = run_job(settle)
    assert len(calls) == 4 and job.done and jobs.get("resp_1") is None and len(follower) == 2
    assert "tried 4 times" in caplog.text
