"""Bad input at every channel, against the real servers: a 4xx or a polite reply, fast, and the server lives on."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
import websockets

from bot.input import RATE_REPLY
from bot.sanitize import EMPTY_REPLY, TOO_LONG_REPLY
from harness.assistant import Assistant
from harness.socketio import socket_exchange
from store.events import count_events, stored_data

pytestmark = pytest.mark.e2e


def post(assistant: Assistant, body: Any, raw: bytes | None = None) -> requests.Response:
    url = f"{assistant.url}/webhooks/rest/webhook"
    if raw is not None:
        return requests.post(url, data=raw, headers={"Content-Type": "application/json"}, timeout=30)
    return requests.post(url, json=body, timeout=30)


def who() -> str:
    return f"bad-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("name, raw, body", [
    ("not UTF-8", b'{"sender": "a", "message": "\xff\xfe caf\xe9"}', None),
    ("invalid JSON", b'{"sender": "a", "message": ', None),
    ("a JSON list", None, ["hello"]),
    ("no sender", None, {"message": "hi"}),
    ("sender is a number", None, {"sender": 42, "message": "hi"}),
    ("10 KB sender", None, {"sender": "s" * 10_240, "message": "hi"}),
    ("message is a number", None, {"sender": "a", "message": 7}),
    ("message is an object", None, {"sender": "a", "message": {"text": "hi"}}),
    ("nested 20,000 deep", b'{"sender": "a", "message": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", None),
    ("sender ends in a newline", None, {"sender": "abc\n", "message": "hi"}),
    ("message_id ends in a newline", None, {"sender": "abc", "message": "hi", "message_id": "m1\n"}),
])
def test_malformed_requests_get_a_clear_400(assistant: Assistant, name: str, raw: bytes | None, body: Any) -> None:
    response = post(assistant, body, raw)
    assert response.status_code == 400, name
    assert "error" in response.json() and "Traceback" not in response.text


@pytest.mark.parametrize("name, message, reply", [
    ("empty", "", EMPTY_REPLY),
    ("whitespace", " \n\t ", EMPTY_REPLY),
    ("zero-width only", "\u200b\u200c\ufeff", EMPTY_REPLY),
    ("5,000 characters", "x" * 5_000, TOO_LONG_REPLY),
    ("60 KB", "x" * 60_000, TOO_LONG_REPLY),
])
def test_empty_and_huge_messages_get_a_polite_reply_at_once(assistant: Assistant, name: str, message: str,
                                                             reply: str) -> None:
    start = time.monotonic()
    response = post(assistant, {"sender": who(), "message": message})
    assert time.monotonic() - start < 2.0, name
    assert response.status_code == 200 and response.json()[0]["text"] == reply


@pytest.mark.parametrize("size", [70_000, 2_000_000, 99_000_000])
def test_a_body_over_64_kb_gets_413_before_it_is_read(assistant: Assistant, size: int) -> None:
    """Sanic would take 100 MB; the channel's limit is 64 KB, answered at once with a clear JSON error.
    The 99 MB body is sent as a stream that the server stops reading: its memory never holds it."""
    def body():  # a generator: requests sends it chunked, with no Content-Length for the server to check
        chunk = b"x" * 65_536
        yield b'{"sender": "big", "message": "'
        for _ in range(size // len(chunk)):
            yield chunk
        yield b'"}'

    start = time.monotonic()
    try:
        response = requests.post(f"{assistant.url}/webhooks/rest/webhook", data=body(), timeout=30,
                                 headers={"Content-Type": "application/json"})
    except requests.ConnectionError:  # the server closed the connection while the rest was on its way
        response = None
    assert time.monotonic() - start < 10
    if response is not None:
        assert response.status_code == 413 and "64 KB" in response.json()["error"]
    sized = requests.post(f"{assistant.url}/webhooks/rest/webhook", data=b"x" * 70_000, timeout=30)
    assert sized.status_code == 413 and "64 KB" in sized.json()["error"]  # with a Content-Length: at once


def test_a_socketio_polling_post_over_64_kb_is_refused_at_once(assistant: Assistant) -> None:
    handshake = requests.get(f"{assistant.url}/socket.io/?EIO=4&transport=polling", timeout=10)
    sid = json.loads(handshake.text[1:])["sid"]
    start = time.monotonic()
    response = requests.post(f"{assistant.url}/socket.io/?EIO=4&transport=polling&sid={sid}",
                             data=b"4" + b"x" * 70_000, timeout=30)
    assert response.status_code == 413 and time.monotonic() - start < 5


@pytest.mark.parametrize("message", [
    "what does a sonographer do 👩‍⚕️🩻",
    "ما هو راتب فني الأشعة",
    "what\u200b does\u200d a sono\u200bgrapher do",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE events; -- what do x-ray techs earn",
    "Robert'); DELETE FROM events WHERE ('1'='1",
    "/definitely_not_an_intent",
    '/ask_salary{"occupation": "nurse"}',
    '/ask_salary{"occupation": "<b>x</b>"}',
    '/inform_occupation{"occupation": "sonographer", "extra": {"a": 1}}',
    "qwertyuiop asdfghjkl zxcvbnm",
])
def test_odd_text_gets_a_reply_and_never_an_error(assistant: Assistant, message: str) -> None:
    response = post(assistant, {"sender": who(), "message": message})
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(isinstance(r.get("text", ""), str) for r in replies)
    assert "Traceback" not in response.text and "<script>" not in response.text


def test_typed_payload_with_an_unknown_value_is_not_trusted(assistant: Assistant) -> None:
    reply = post(assistant, {"sender": who(), "message": '/ask_salary{"occupation": "nurse"}'}).json()
    assert "Which one do you mean?" in reply[0]["text"]
    reply = post(assistant, {"sender": who(), "message": '/ask_salary{"occupation": "sonographer"}'}).json()
    assert "$65,860" in reply[0]["text"]


def test_the_tracker_store_survives_sql_like_text(assistant: Assistant) -> None:
    sender = who()
    post(assistant, {"sender": sender, "message": "'; DROP TABLE events; --"})
    assert count_events(assistant.tracker_url, sender) > 0


def test_contact_details_are_masked_before_they_are_stored(assistant: Assistant) -> None:
    sender = who()
    text = "i'm jo.doe@school.example, 07700 900123, what does a sonographer do"
    post(assistant, {"sender": sender, "message": text})
    stored = " ".join(stored_data(assistant.tracker_url, sender))
    assert "jo.doe@school.example" not in stored and "07700 900123" not in stored
    assert "[email]" in stored and "[phone]" in stored


def test_no_message_text_in_the_logs(assistant: Assistant) -> None:
    marker = f"zebracrossing{uuid.uuid4().hex[:6]}"
    post(assistant, {"sender": who(), "message": f"what does a sonographer do {marker}"})
    for log in assistant.logs.glob("*.log"):
        assert marker not in log.read_text(errors="replace"), log.name


async def test_socketio_bad_input_gets_polite_replies(assistant: Assistant) -> None:
    session = who()
    received = await socket_exchange(assistant.url, [
        ("session_request", {"session_id": session}),
        ("user_uttered", "not a dict"),
        ("user_uttered", {"session_id": session, "message": "y " * 1_500}),
        ("user_uttered", {"session_id": session, "message": ""}),
        ("user_uttered", {"session_id": session, "message": "what does a sonographer do",
                          "metadata": json.dumps({"school": "Hillside"})}),
    ], expect=5)
    texts = [r.get("text", "") for r in received]
    assert "Sorry, I couldn't read that message." in texts
    assert TOO_LONG_REPLY in texts and EMPTY_REPLY in texts
    assert any("gel" in t for t in texts)


async def test_socketio_oversized_frame_closes_that_socket_only(assistant: Assistant) -> None:
    """A 100 KB frame is over the socket's 64 KB limit: the server drops that connection and goes on."""
    with pytest.raises(websockets.ConnectionClosed):
        await socket_exchange(assistant.url, [("session_request", {"session_id": who()}),
                                              ("user_uttered", {"session_id": who(), "message": "y" * 102_400})],
                              expect=2, wait=10)
    received = await socket_exchange(assistant.url, [
        ("session_request", {"session_id": "after-big"}),
        ("user_uttered", {"session_id": "after-big", "message": "how much do x-ray techs earn"})], expect=1)
    assert "$54,620" in received[0]["text"]


def test_rate_limit_per_sender_gives_a_polite_429(assistant: Assistant) -> None:
    sender = who()
    statuses = [post(assistant, {"sender": sender, "message": "hi"}).status_code for _ in range(30)]
    assert statuses == [200] * 30
    response = post(assistant, {"sender": sender, "message": "hi"})
    assert response.status_code == 429
    assert response.json()[0]["text"] == RATE_REPLY
    assert post(assistant, {"sender": who(), "message": "hi"}).status_code == 200  # others go on


def test_server_still_answers_after_all_that(assistant: Assistant) -> None:
    reply = post(assistant, {"sender": who(), "message": "how much do nuclear medicine techs earn"}).json()
    assert "$70,180" in reply[0]["text"]
