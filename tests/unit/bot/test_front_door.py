"""The door's rules on their own: the conversation budget per address, whole-string senders, one
connection per socket.io session, client tags that stand for an address without naming it."""

from __future__ import annotations

import asyncio

import pytest

from bot.keys import client_tag
from bot.owners import Owners
from bot.ratelimit import TOO_FAST, TOO_MANY_CONVERSATIONS, RateLimiter
from bot.sanitize import valid_sender


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


@pytest.mark.parametrize(("sender", "ok"), [
    ("abc", True), ("student-1.a:b@c_d", True), ("a" * 128, True),
    ("abc\n", False), ("abc\r\n", False), ("\nabc", False), ("a b", False), ("a" * 129, False), ("", False),
    (None, False), (12, False),
])
def test_a_sender_is_checked_whole(sender: object, ok: bool) -> None:
    assert valid_sender(sender) is ok


def test_a_session_belongs_to_its_first_connection_until_it_closes() -> None:
    owners = Owners({})

    async def run() -> list:
        return [await owners.claim("conv", "sid-1"), await owners.claim("conv", "sid-1"),  # asks again: ok
                await owners.claim("conv", "sid-2"), await owners.holds("conv", "sid-2"),
                await owners.holds("conv", "sid-1"), await owners.release("conv", "sid-2"),  # not its own
                await owners.holds("conv", "sid-1"), await owners.release("conv", "sid-1"),
                await owners.claim("conv", "sid-2")]

    assert asyncio.run(run()) == [True, True, False, False, True, None, True, None, True]


def test_two_processes_never_name_the_same_holder() -> None:
    assert Owners({}).holder("sid-1") != Owners({}).holder("sid-1")


def test_a_client_tag_stands_for_an_address_without_naming_it() -> None:
    key = b"k" * 32
    tag = client_tag("203.0.113.9", key)
    assert tag == client_tag("203.0.113.9", key) and len(tag) == 16
    assert tag != client_tag("203.0.113.10", key) and tag != client_tag("203.0.113.9", b"x" * 32)
    assert "203" not in tag
