"""bot/keys.py: client tags that stand for an address without naming it; the summary page's signed keys."""

from __future__ import annotations

from typing import Any

import pytest

from bot.keys import EXPIRED, SUMMARY_KEY_SECONDS, WRONG, client_tag, derived, summary_key, summary_sender


def test_a_client_tag_stands_for_an_address_without_naming_it() -> None:
    key = b"k" * 32
    tag = client_tag("203.0.113.9", key)
    assert tag == client_tag("203.0.113.9", key) and len(tag) == 16
    assert tag != client_tag("203.0.113.10", key) and tag != client_tag("203.0.113.9", b"x" * 32)
    assert "203" not in tag


KEY = b"s" * 32
NOW = 1_800_000_000.0


def test_a_summary_key_opens_its_own_conversation_until_it_expires() -> None:
    token, expires = summary_key("a" * 32, NOW, KEY)
    assert expires == NOW + SUMMARY_KEY_SECONDS
    assert summary_sender(token, NOW, KEY) == ("a" * 32, None)
    assert summary_sender(token, expires - 1, KEY) == ("a" * 32, None)
    assert summary_sender(token, expires, KEY) == (None, EXPIRED)
    assert summary_sender(token, NOW, b"o" * 32) == (None, WRONG)  # another server's secret


def test_a_summary_key_cannot_be_made_for_another_conversation_or_a_later_expiry() -> None:
    mine, _ = summary_key("student-b", NOW, KEY)
    encoded, expires, mac = mine.split(".")
    theirs, _ = summary_key("student-a", NOW, KEY)
    # Another student's sender id with my signature, or my key with a later expiry: both wrong.
    assert summary_sender(f"{theirs.split('.')[0]}.{expires}.{mac}", NOW, KEY) == (None, WRONG)
    assert summary_sender(f"{encoded}.{int(expires) + 86_400}.{mac}", NOW, KEY) == (None, WRONG)
    assert summary_sender(theirs, NOW, KEY) == ("student-a", None)


@pytest.mark.parametrize("token", [None, "", "student-a", "a.b", "a.b.c.d", "x" * 500, 42, ["a.b.c"],
                                   "c3R1ZGVudC1h.1800003600."])
def test_anything_else_is_a_wrong_key(token: Any) -> None:
    assert summary_sender(token, NOW, KEY) == (None, WRONG)


def test_the_summary_key_is_not_the_client_tag_s() -> None:
    assert derived(KEY, "summary-key") != derived(KEY, "client-tag")
