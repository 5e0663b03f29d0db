"""Only the schools' pages may use the assistant: the Origin is checked on REST, socket.io polling and
the WebSocket handshake, on a local server (CORS_ORIGINS) and on a district's (a schools file).
The school, and its counsellor, come from the Origin, never from what the page says."""

from __future__ import annotations

import uuid
from typing import Optional

import pytest
import requests
import websockets

from bot.input import ORIGIN_REFUSED
from harness.assistant import Assistant
from harness.socketio import socket_exchange
from store.events import count_events
from tests.e2e.conftest import FOREIGN, HILLSIDE, RIDGEVIEW

pytestmark = pytest.mark.e2e


def who() -> str:
    return f"origin-{uuid.uuid4().hex[:10]}"


def rest(assistant: Assistant, sender: str, origin: Optional[str], text: str = "what does a sonographer do",
         metadata: Optional[dict] = None) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
    return requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=30)


def polling(assistant: Assistant, origin: Optional[str]) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    return requests.get(f"{assistant.url}/socket.io/?EIO=4&transport=polling", headers=headers, timeout=10)


async def websocket_opens(assistant: Assistant, origin: Optional[str]) -> bool:
    url = assistant.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    try:
        async with websockets.connect(url, origin=origin, open_timeout=10) as ws:  # type: ignore[arg-type]
            return (await ws.recv()).startswith("0")
    except websockets.exceptions.InvalidStatusCode:
        return False


def stored(assistant: Assistant, sender: str) -> int:
    return count_events(assistant.tracker_url, sender)


def page_origin(assistant: Assistant) -> str:
    return f"http://127.0.0.1:{assistant.page_port}"  # on the local server's CORS_ORIGINS


def test_a_foreign_page_is_refused_on_rest_and_nothing_is_stored(assistant: Assistant) -> None:
    sender = who()
    refused = rest(assistant, sender, FOREIGN)
    assert refused.status_code == 403 and refused.json() == {"error": ORIGIN_REFUSED}
    assert stored(assistant, sender) == 0
    allowed = rest(assistant, sender, page_origin(assistant))
    assert allowed.status_code == 200 and "gel" in allowed.text
    assert rest(assistant, who(), None).status_code == 200  # curl and `rasa test` send no Origin


async def test_a_foreign_page_is_refused_on_socketio_polling_and_websocket(assistant: Assistant) -> None:
    assert polling(assistant, FOREIGN).status_code == 400
    assert polling(assistant, page_origin(assistant)).status_code == 200
    assert not await websocket_opens(assistant, FOREIGN)
    assert await websocket_opens(assistant, page_origin(assistant))
    session = who()
    received = await socket_exchange(assistant.url, [("session_request", {"session_id": session}),
                                                     ("user_uttered", {"session_id": session,
                                                                       "message": "what does a sonographer do"})],
                                     expect=1, origin=page_origin(assistant))
    assert any("gel" in r.get("text", "") for r in received)


def test_a_district_knows_each_school_by_its_origin(district: Assistant) -> None:
    for origin, contact, other in ((HILLSIDE, "ada.park@hillside.example", "tom.lee"),
                                   (RIDGEVIEW, "tom.lee@ridgeview.example", "ada.park")):
        claim = {"school": "Some Other School", "counsellor_email": "someone@evil.example"}
        reply = rest(district, who(), origin, "can i talk to my school counsellor", metadata=claim)
        assert reply.status_code == 200, reply.text
        assert contact in reply.text and other not in reply.text and "evil" not in reply.text


async def test_a_district_refuses_every_other_page_on_every_channel(district: Assistant) -> None:
    for origin in (FOREIGN, "null", None):  # a foreign page, a sandboxed page, no page at all
        sender = who()
        refused = rest(district, sender, origin)
        assert refused.status_code == 403 and stored(district, sender) == 0, (origin, refused.text)
    assert polling(district, FOREIGN).status_code == 400
    assert not await websocket_opens(district, FOREIGN)
    # No Origin passes Engine.IO, but the socket.io connection is refused: no school's page.
    url = district.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url, open_timeout=10) as ws:
        assert (await ws.recv()).startswith("0")
        await ws.send("40")
        assert (await ws.recv()).startswith("44")  # CONNECT_ERROR
    assert polling(district, HILLSIDE).status_code == 200 and await websocket_opens(district, RIDGEVIEW)


async def test_a_student_in_danger_is_pointed_to_their_schools_counsellor(district: Assistant) -> None:
    """bot/safeguarding.py, through the real channels: a person, with the contact of the page's school."""
    sender = who()
    reply = rest(district, sender, RIDGEVIEW, "i want to kill myself")
    assert reply.status_code == 200 and "tom.lee@ridgeview.example" in reply.text and "emergency" in reply.text
    assert stored(district, sender) == 0  # not passed to the model, not kept
    session = who()
    received = await socket_exchange(district.url, [("session_request", {"session_id": session}),
                                                    ("user_uttered", {"session_id": session,
                                                                      "message": "my dad keeps hitting me"})],
                                     expect=1, origin=HILLSIDE)
    assert any("ada.park@hillside.example" in r.get("text", "") for r in received), received


def cors_headers(response: requests.Response) -> dict:
    """Each CORS header of a response with every value it was sent with: a browser refuses a second one."""
    raw = response.raw.headers
    return {name: raw.getlist(name) for name in {k for k in raw.keys() if k.lower().startswith("access-control-")}}


@pytest.mark.parametrize("server", ["district", "assistant"])
def test_each_cors_header_is_sent_once_on_every_channel(server: str, request: pytest.FixtureRequest) -> None:
    """What a browser checks for a school's page: REST (preflight and post) and socket.io polling (open and
    post), on a district's server (a schools file) and a local one (CORS_ORIGINS)."""
    district: Assistant = request.getfixturevalue(server)
    origin = HILLSIDE if server == "district" else page_origin(district)
    preflight = requests.options(f"{district.url}/webhooks/rest/webhook", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    posted = rest(district, who(), origin)
    opened = polling(district, origin)
    assert opened.status_code == 200, opened.text
    sid = opened.text[opened.text.index("{"):].split('"sid":"')[1].split('"')[0]
    connected = requests.post(f"{district.url}/socket.io/?EIO=4&transport=polling&sid={sid}", data="40",
                              headers={"Origin": origin, "Content-Type": "text/plain;charset=UTF-8"}, timeout=10)
    for name, response in (("REST preflight", preflight), ("REST post", posted), ("socket.io open", opened),
                           ("socket.io post", connected)):
        headers = cors_headers(response)
        assert headers.get("Access-Control-Allow-Origin") == [origin], (name, headers)
        assert all(len(values) == 1 for values in headers.values()), (name, headers)
