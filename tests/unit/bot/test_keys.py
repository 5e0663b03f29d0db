"""bot/keys.py: client tags that stand for an address without naming it."""

from __future__ import annotations

from bot.keys import client_tag


def test_a_client_tag_stands_for_an_address_without_naming_it() -> None:
    key = b"k" * 32
    tag = client_tag("203.0.113.9", key)
    assert tag == client_tag("203.0.113.9", key) and len(tag) == 16
    assert tag != client_tag("203.0.113.10", key) and tag != client_tag("203.0.113.9", b"x" * 32)
    assert "203" not in tag
