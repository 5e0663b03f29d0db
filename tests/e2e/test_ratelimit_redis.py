"""The shared rate limit against a real redis-server: a sliding window, the same for every process.

A fixed window lets a burst that crosses its boundary through twice; these tests send such
bursts on purpose, with a one-second window so that they take seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Iterator, List

import pytest

from bot.ratelimit import RedisRateLimiter
from harness.ratelimit import class_behind_one_address
from harness.servers import Redis

pytestmark = pytest.mark.e2e
WINDOW = 1.0
LIMIT = 5


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = Redis()
    yield server.url
    server.stop()


def two_processes(url: str, per_sender: int = LIMIT, per_ip: int = 1000) -> List[RedisRateLimiter]:
    """Two limiters on one Redis, as two server processes have."""
    return [RedisRateLimiter(url, per_sender, per_ip, prefix=f"test:{uuid.uuid4().hex}", window_seconds=WINDOW)
            for _ in range(2)]


def test_a_burst_gets_the_limit_and_nothing_more_until_the_window_has_slid(redis_url: str) -> None:
    async def run() -> None:
        first, second = two_processes(redis_url)
        second.prefix = first.prefix
        started = time.monotonic()
        answers = [await (first if i % 2 else second).check("student", "203.0.113.1") for i in range(LIMIT)]
        assert answers == [True] * LIMIT
        refused = 0
        while time.monotonic() - started < 0.7 * WINDOW:  # a fixed window would reopen at its boundary
            assert not await first.check("student", "203.0.113.1")
            assert not await second.check("student", "203.0.113.1")
            refused += 2
        assert refused > 10
        await asyncio.sleep(WINDOW - (time.monotonic() - started) + 0.3)
        assert await second.check("student", "203.0.113.1")  # a minute (here: a second) later, back in
        assert await first.check("other student", "203.0.113.1")

    asyncio.run(run())


def test_refused_messages_do_not_push_the_student_further_back(redis_url: str) -> None:
    async def run() -> None:
        (limiter,) = two_processes(redis_url)[:1]
        for _ in range(LIMIT):
            assert await limiter.check("keen", "203.0.113.2")
        for _ in range(50):  # keeps typing while refused
            assert not await limiter.check("keen", "203.0.113.2")
        await asyncio.sleep(WINDOW + 0.3)
        assert [await limiter.check("keen", "203.0.113.2") for _ in range(LIMIT + 1)] == [True] * LIMIT + [False]

    asyncio.run(run())


def test_in_any_window_no_more_than_the_limit_is_answered(redis_url: str) -> None:
    """Twenty concurrent senders behind one address for 2.5 windows, through two processes."""
    per_ip = 12
    answered = class_behind_one_address(redis_url, per_ip, WINDOW, 2.5)
    assert len(answered) >= 2 * per_ip  # the window slid at least twice
    slack = 0.3  # the client's send time, not Redis's: allow for the round trip
    for i, start in enumerate(answered):
        inside = [t for t in answered[i:] if t < start + WINDOW - slack]
        assert len(inside) <= per_ip, (start, len(inside))
