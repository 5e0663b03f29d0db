"""A socket.io session belongs to its first connection, against the real servers: a second connection
that names a student's session id gets a session of its own and nothing of the student's replies,
and a message that names another session id never reaches that conversation. Also the REST channel's
own CORS answer (no `rasa run --cors`): the schools' pages only, and never on the insights routes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import requests

from harness.assistant import Assistant
from harness.socketio import SocketClient
from tests.e2e.conftest import FOREIGN, HILLSIDE, RIDGEVIEW

pytestmark = pytest.mark.e2e


def new_id() -> str:
    return uuid.uuid4().hex


async def test_a_stolen_session_id_gets_a_new_session_and_none_of_the_replies(district: Assistant) -> None:
    student, thief = SocketClient(district.url, HILLSIDE), SocketClient(district.url, HILLSIDE)
    session = new_id()
    try:
        assert await student.open(session) == session
        taken = await thief.open(session)  # the same school's page, the same id: still not the student's
        assert taken != session and len(taken) == 32
        await student.say("how much do sonographers earn")
        assert "$65,860" in (await student.wait_for(1))[0]["text"]
        await thief.say("how much do nuclear medicine technologists earn", session_id=session)  # names the student's
        assert "$70,180" in (await thief.wait_for(1))[0]["text"]  # answered, in the thief's own conversation
        await asyncio.sleep(1.5)
        assert [r["text"] for r in student.received if "$70,180" in r["text"]] == []
        assert [r["text"] for r in thief.received if "$65,860" in r["text"]] == []
        assert all("$70,180" not in r["text"] and "nuclear" not in r["text"].lower() for r in student.received)
    finally:
        await student.close()
        await thief.close()


async def test_a_closed_session_is_resumed_from_its_school_only(district: Assistant) -> None:
    session = new_id()
    first = SocketClient(district.url, HILLSIDE)
    assert await first.open(session) == session
    await first.say("what does a sonographer do")
    await first.wait_for(1)
    await first.close()
    await asyncio.sleep(0.5)
    other_school = SocketClient(district.url, RIDGEVIEW)
    try:
        assert await other_school.open(session) != session  # another origin: its own conversation
    finally:
        await other_school.close()
    again = SocketClient(district.url, HILLSIDE)
    try:
        assert await again.open(session) == session  # the reload of the same school's page goes on
        await again.say("do they need a license")
        assert (await again.wait_for(1))[0]["text"]
    finally:
        await again.close()


def test_rest_answers_cors_for_the_schools_pages_only(district: Assistant) -> None:
    url = f"{district.url}/webhooks/rest/webhook"
    preflight = requests.options(url, headers={"Origin": HILLSIDE, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type"}, timeout=10)
    assert preflight.headers.get("Access-Control-Allow-Origin") == HILLSIDE
    assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", "")
    assert "content-type" in preflight.headers.get("Access-Control-Allow-Headers", "").lower()
    answer = requests.post(url, json={"sender": f"cors-{new_id()[:8]}", "message": "hi"},
                           headers={"Origin": RIDGEVIEW}, timeout=30)
    assert answer.status_code == 200
    assert [v for k, v in answer.headers.items() if k.lower() == "access-control-allow-origin"] == [RIDGEVIEW]
    assert "Access-Control-Allow-Credentials" not in answer.headers  # the widget sends no cookie
    foreign = requests.options(url, headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in foreign.headers


@pytest.mark.parametrize("path", ["/webhooks/insights/", "/webhooks/insights/export.csv",
                                  "/webhooks/insights/sign-in"])
def test_no_cors_grant_on_the_insights_routes(district: Assistant, path: str) -> None:
    for method in ("GET", "OPTIONS", "POST"):
        found = requests.request(method, f"{district.url}{path}", timeout=10,
                                 headers={"Origin": RIDGEVIEW, "Access-Control-Request-Method": "GET"})
        granted = [k for k in found.headers if k.lower().startswith("access-control-")]
        assert granted == [], (method, path, granted)


def test_socketio_polling_grants_one_origin_header(district: Assistant) -> None:
    """python-socketio answers its own CORS; with no `--cors` nothing adds a second header."""
    found = requests.get(f"{district.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": HILLSIDE},
                         timeout=10)
    assert [v for k, v in found.headers.items() if k.lower() == "access-control-allow-origin"] == [HILLSIDE]
