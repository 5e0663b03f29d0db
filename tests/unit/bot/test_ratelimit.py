"""bot/ratelimit.py: the message budgets per conversation and per address, the budget of conversations per
address, the fallback when Redis is unreachable, and which address is the client's."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.ratelimit import TOO_FAST, TOO_MANY_CONVERSATIONS, RateLimiter, RedisRateLimiter, client_address


def test_an_address_gets_a_budget_of_conversations_beside_its_messages() -> None:
    now = [0.0]
    limiter = RateLimiter(per_sender=100, per_ip=1000, clock=lambda: now[0], conversations_per_ip=3,
                          conversation_window=3600)
    assert [limiter.refusal(f"s{n}", "1.1.1.1") for n in range(3)] == [None, None, None]
    assert limiter.refusal("s3", "1.1.1.1") == TOO_MANY_CONVERSATIONS  # a fourth new one
    assert limiter.refusal("s0", "1.1.1.1") is None  # the three go on
    assert limiter.refusal("s3", "2.2.2.2") is None  # another address has its own budget
    now[0] = 3000.0
    assert limiter.refusal("s1", "1.1.1.1") is None  # s1 stays active
    now[0] = 3601.0  # s0 and s2 last spoke over an hour ago: two places free
    assert [limiter.refusal(s, "1.1.1.1") for s in ("n1", "n2", "n3")] == [None, None, TOO_MANY_CONVERSATIONS]


def test_a_refused_new_conversation_takes_no_message_place() -> None:
    limiter = RateLimiter(per_sender=100, per_ip=3, conversations_per_ip=1)
    assert limiter.refusal("a", "1.1.1.1") is None
    assert [limiter.refusal(f"x{n}", "1.1.1.1") for n in range(5)] == [TOO_MANY_CONVERSATIONS] * 5
    assert [limiter.refusal("a", "1.1.1.1") for _ in range(3)] == [None, None, TOO_FAST]


def test_rate_limit_per_sender_and_per_ip() -> None:
    now = [0.0]
    limiter = RateLimiter(per_sender=3, per_ip=5, clock=lambda: now[0])
    assert [limiter.allow("a", "1.1.1.1") for _ in range(4)] == [True, True, True, False]
    assert [limiter.allow("b", "1.1.1.1") for _ in range(3)] == [True, True, False]  # the IP is full
    assert limiter.allow("c", "2.2.2.2")
    now[0] = 61.0
    assert limiter.allow("a", "1.1.1.1")


def test_redis_rate_limit_falls_back_to_counting_in_memory_when_redis_is_unreachable() -> None:
    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0", per_sender=2, per_ip=100)

    async def three() -> list:
        return [await limiter.check("a", "1.1.1.1") for _ in range(3)]

    assert asyncio.run(three()) == [True, True, False]


@pytest.mark.parametrize(("trust", "header", "expected"), [
    ("", "6.6.6.6", "10.0.0.1"),                      # no proxy configured: the header is the client's claim
    ("1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),     # one proxy: the address it saw, not the claimed one
    ("2", "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    ("1", "", "10.0.0.1"),
])
def test_client_address_trusts_only_the_configured_proxies(monkeypatch: pytest.MonkeyPatch, trust: str,
                                                           header: str, expected: str) -> None:
    monkeypatch.setenv("TRUST_PROXY", trust)
    assert client_address(header, "10.0.0.1") == expected
