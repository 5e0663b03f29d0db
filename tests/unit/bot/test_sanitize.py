"""The channel's input checks: cap, cleaning, masking, payloads, senders, rate limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ratelimit import RateLimiter
from bot.sanitize import (
    EMPTY_REPLY,
    MAX_MESSAGE_CHARS,
    TOO_LONG_REPLY,
    check_message,
    check_payload,
    mask_personal_data,
    valid_sender,
)

INTENTS = {"ask_salary", "inform_occupation"}


def entity_ok(name: str, value: object) -> bool:
    return name == "occupation" and isinstance(value, str) and value.isidentifier()


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200d\ufeff", "\n\t", None, 42, ["hi"]])
def test_empty_or_not_text_gets_a_polite_reply(raw: object) -> None:
    assert check_message(raw).reply == EMPTY_REPLY


@pytest.mark.parametrize("size", [MAX_MESSAGE_CHARS + 1, 100_000])
def test_too_long_gets_a_polite_reply(size: int) -> None:
    assert check_message("a" * size).reply == TOO_LONG_REPLY


def test_cleaning_keeps_words_and_drops_invisibles() -> None:
    assert check_message("what\u200b does a  sono\u00adgrapher\x00 do?\n").text == "what does a sonographer do?"
    assert check_message("مرحبا ما هو عمل فني الأشعة 👋").text == "مرحبا ما هو عمل فني الأشعة 👋"


@pytest.mark.parametrize("text, masked", [
    ("my email is Jo.Smith+x@school.edu ok", "my email is [email] ok"),
    ("call me on 07700 900123 pls", "call me on [phone] pls"),
    ("+1 (555) 123-4567", "[phone]"),
    ("they earn $70,180 in 2012", "they earn $70,180 in 2012"),
])
def test_contact_details_are_masked_and_figures_kept(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text, expected", [
    ('/ask_salary{"occupation": "sonographer"}', '/ask_salary{"occupation": "sonographer"}'),
    ("/ask_salary", "/ask_salary"),
    ('/ask_salary{"occupation": "<script>"}', "/ask_salary"),
    ('/ask_salary{"colour": "red"}', "/ask_salary"),
    ("/ask_salary{not json}", "ask salary"),
    ("/restart", "restart"),
    ("/session_start", "session_start"),
    ("/nlu_fallback", "nlu_fallback"),
    ("what does a sonographer do", "what does a sonographer do"),
])
def test_typed_payloads_pass_only_when_known_and_checked(text: str, expected: str) -> None:
    assert check_payload(text, INTENTS, entity_ok) == expected


@pytest.mark.parametrize("sender, ok", [
    ("student-1", True), ("a" * 128, True), ("a" * 129, False), ("", False), (None, False), (12, False),
    ("x" * 10_000, False), ("<script>", False), ("робот", False)])
def test_sender_ids(sender: object, ok: bool) -> None:
    assert valid_sender(sender) is ok


@given(st.text(max_size=3000))
def test_any_text_gives_text_or_a_reply(raw: str) -> None:
    checked = check_message(raw)
    assert (checked.reply is None) == bool(checked.text)
    assert len(checked.text) <= MAX_MESSAGE_CHARS
    assert "\u200b" not in checked.text and "\x00" not in checked.text


def test_rate_limit_per_sender_and_per_ip() -> None:
    now = [0.0]
    limiter = RateLimiter(per_sender=3, per_ip=5, clock=lambda: now[0])
    assert [limiter.allow("a", "1.1.1.1") for _ in range(4)] == [True, True, True, False]
    assert [limiter.allow("b", "1.1.1.1") for _ in range(3)] == [True, True, False]  # the IP is full
    assert limiter.allow("c", "2.2.2.2")
    now[0] = 61.0
    assert limiter.allow("a", "1.1.1.1")


def test_redis_rate_limit_falls_back_to_counting_in_memory_when_redis_is_unreachable() -> None:
    import asyncio
    import socket

    from bot.ratelimit import RedisRateLimiter

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
    from bot.ratelimit import client_address

    monkeypatch.setenv("TRUST_PROXY", trust)
    assert client_address(header, "10.0.0.1") == expected


def test_html_tags_are_removed_before_nlu_and_storage() -> None:
    assert check_message("<b>what</b> does a <i>sonographer</i> do").text == "what does a sonographer do"
    assert check_message("<script>alert(1)</script><img src=x onerror=alert(1)>").text == "alert(1)"
    assert check_message("is 3 < 5 and 7 > 2").text == "is 3 < 5 and 7 > 2"  # not a tag: kept
    assert check_message("<p></p>").reply is not None  # nothing left: the polite empty-message reply


def test_typed_payloads_may_name_every_entity_of_the_real_domain() -> None:
    """domain.yml lists entities as names or as {name: settings}; both must be allowed."""
    from bot.input import _domain_names

    intents, entities = _domain_names()
    assert entities == {"occupation", "other_job"}
    assert {"ask_salary", "out_of_scope", "inform_occupation"} <= intents


def test_a_retry_replays_the_stored_answer_of_its_message_only() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from bot.input import replay

    events = [UserUttered("how much", message_id="m1"), ActionExecuted("action_answer"),
              BotUttered("It's $65,860.", {"buttons": [{"title": "More", "payload": "/more"}]}),
              BotUttered("Source: BLS"), UserUttered("thanks", message_id="m2"), BotUttered("You're welcome")]
    assert [e.text for e in replay(events, "m1")] == ["It's $65,860.", "Source: BLS"]
    assert replay(events, "m1")[0].data["buttons"] == [{"title": "More", "payload": "/more"}]
    assert [e.text for e in replay(events, "m2")] == ["You're welcome"]
    assert replay(events, "m3") is None
