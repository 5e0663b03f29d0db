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


def test_the_conversation_budget_is_shared_by_every_process(redis_url: str) -> None:
    from bot.ratelimit import TOO_MANY_CONVERSATIONS

    async def run() -> None:
        first, second = [RedisRateLimiter(redis_url, 100, 1000, prefix=f"conv:{uuid.uuid4().hex}",
                                          conversations_per_ip=3, conversation_window=WINDOW) for _ in range(2)]
        second.prefix = first.prefix
        verdicts = [await (first, second)[n % 2].verdict(f"made-up-{n}", "203.0.113.7") for n in range(5)]
        assert verdicts == [None, None, None, TOO_MANY_CONVERSATIONS, TOO_MANY_CONVERSATIONS]
        assert await second.verdict("made-up-0", "203.0.113.7") is None  # a known one goes on
        assert await first.verdict("made-up-9", "198.51.100.1") is None  # another address: its own budget
        await asyncio.sleep(WINDOW + 0.3)
        assert await first.verdict("made-up-5", "203.0.113.7") is None  # the window has slid

    asyncio.run(run())


def test_a_socketio_session_is_held_by_one_connection_across_processes(redis_url: str) -> None:
    from bot.owners import Owners

    async def run() -> None:
        one, two = Owners({"REDIS_URL": redis_url}), Owners({"REDIS_URL": redis_url})
        session = uuid.uuid4().hex
        assert await one.claim(session, "a")
        assert not await two.claim(session, "a")  # the same socket id on another replica is another connection
        assert not await two.holds(session, "b")
        await two.release(session, "b")  # not its claim: nothing happens
        assert await one.holds(session, "a")
        await one.release(session, "a")
        assert await two.claim(session, "b")

    asyncio.run(run())
