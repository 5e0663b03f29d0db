"""Socket.io clients that nobody here wrote, against the real servers, as a school's page would use any
standard socket.io client: python-socketio's AsyncClient, and the npm package socket.io-client in Node
(tests/e2e/node/socketio_client.mjs, pinned in package.json; `npm ci` installs it). python-socketio speaks
long-polling here: its WebSocket transport needs aiohttp's ClientWSTimeout (aiohttp 3.10), and Rasa 3.6 pins
aiohttp 3.9; socket.io-client covers the WebSocket, after an upgrade from polling and on its own.
rasa-webchat, in a browser, is tests/e2e/test_webchat.py.

Rasa's socket.io conventions hold: `session_request` answered by `session_confirm`, `user_uttered` with the
message and `customData`, `bot_uttered` with `quick_replies` for buttons, and the session kept when the
page reloads and asks for it again.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import socketio

from harness.assistant import Assistant
from harness.servers import PROJECT_DIR
from store.events import stored_data
from tests.e2e.conftest import FOREIGN, HILLSIDE

pytestmark = pytest.mark.e2e

WAIT = 30.0


class Page:
    """One page load of a school's site: a standard client, its confirmed session and what the bot said."""

    def __init__(self, origin: str) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.origin = origin
        self.session: "asyncio.Future[str]" = asyncio.get_running_loop().create_future()
        self.said: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        self.client.on("session_confirm", self._confirmed)
        self.client.on("bot_uttered", self.said.put)

    async def _confirmed(self, session_id: Any) -> None:
        if not self.session.done():
            self.session.set_result(session_id)

    async def open(self, url: str, session_id: Optional[str] = None) -> str:
        """Connect as the page's script does, and ask for a session (the stored one, after a reload)."""
        await self.client.connect(url, headers={"Origin": self.origin}, socketio_path="/socket.io",
                                  transports=["polling"], wait_timeout=WAIT)
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session, WAIT)

    async def ask(self, session_id: str, text: str) -> List[Dict[str, Any]]:
        """Send a message the way rasa-webchat does, and gather the replies until the bot goes quiet."""
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id,
                                                "customData": {"language": "en"}})
        replies = [await asyncio.wait_for(self.said.get(), WAIT)]
        while True:
            try:
                replies.append(await asyncio.wait_for(self.said.get(), 2.0))
            except asyncio.TimeoutError:
                return replies

    async def close(self) -> None:
        """Leave as a closed tab does: at once, without waiting for the pending long-poll to come back."""
        await self.client.eio.disconnect(abort=True)


async def visit(url: str, origin: str, questions: List[str],
                session_id: Optional[str] = None) -> Tuple[str, List[List[Dict[str, Any]]], str]:
    """One page load: its session, the replies to each question, and the transport the client ended on."""
    page = Page(origin)
    try:
        session = await page.open(url, session_id)
        answers = [await page.ask(session, q) for q in questions]
        return session, answers, page.client.transport()
    finally:
        await page.close()


async def test_python_socketio_client_gets_answers_buttons_and_keeps_its_session(district: Assistant) -> None:
    session, (greeting, answer), transport = await visit(district.url, HILLSIDE, ["hi", "what does a sonographer do"])
    assert transport == "polling"
    assert any("patient" in (r.get("text") or "") for r in answer), answer  # the duties, before, during, after
    assert any("Source" in (r.get("text") or "") for r in answer), answer
    buttons = [q for r in greeting for q in r.get("quick_replies") or []]  # the greeting's suggested questions
    assert buttons and all(b.get("title") and b.get("payload", "").startswith("/") for b in buttons), greeting
    # The page reloads and asks for its stored session: the same conversation goes on.
    again, (follow_up,), _ = await visit(district.url, HILLSIDE, ["and how much do they earn"], session_id=session)
    assert again == session
    assert any("$" in (r.get("text") or "") for r in follow_up), follow_up  # the sonographer's pay, from context


async def test_python_socketio_client_from_a_foreign_page_is_refused(district: Assistant) -> None:
    page = Page("https://not-a-school.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await page.open(district.url)


# --- socket.io-client (npm) in Node ----------------------------------------------------------------

NODE_CLIENT = Path(__file__).parent / "node" / "socketio_client.mjs"
# What the project's widget sends with every message (bot/static/widget-messages.js), and what rasa-webchat's
# README puts in customData: the server keeps `language`, and replaces the school's keys with its own.
CUSTOM_DATA = {"language": "en", "school": "Hillside High School", "counsellor_name": "Ms Ada Park",
               "counsellor_email": "someone@evil.example"}


def node_client(**options: Any) -> Dict[str, Any]:
    """One page load by socket.io-client in Node; what it printed. A timeout or a surprise exits non-zero,
    and fails the test with what the script said."""
    node = shutil.which("node")
    if node is None or not (PROJECT_DIR / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("Node.js and `npm ci` (socket.io-client) are needed: apt-get install nodejs npm; npm ci")
    done = subprocess.run([node, str(NODE_CLIENT), json.dumps({"timeoutMs": WAIT * 1000, **options})],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=4 * WAIT)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}{done.stdout}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def texts(replies: List[Dict[str, Any]]) -> str:
    """The replies' texts in one string, to look for words in."""
    return "\n".join(r.get("text") or "" for r in replies)


def stored_metadata(assistant: Assistant, sender: str) -> List[Dict[str, Any]]:
    """The metadata of each stored message of the student's: what Rasa kept of the page's customData."""
    events = [json.loads(data) for data in stored_data(assistant.tracker_url, sender)]
    return [e.get("metadata") or {} for e in events if e.get("event") == "user"]


def test_socketio_client_in_node_upgrades_to_websocket_and_keeps_its_session(district: Assistant) -> None:
    first = node_client(url=district.url, origin=HILLSIDE, transports=["polling", "websocket"],
                        questions=["hi", "what does a sonographer do"], customData=CUSTOM_DATA)
    assert first["transports"] == ["polling", "websocket"] and first["final_transport"] == "websocket", first
    greeting, answer = first["answers"]
    buttons = [q for r in greeting for q in r.get("quick_replies") or []]
    assert [b["title"] for b in buttons][:1] == ["What does a sonographer do?"], greeting
    assert all(b.get("payload", "").startswith("/") for b in buttons), greeting
    assert "patient" in texts(answer) and "Source" in texts(answer), answer
    session = first["session_id"]
    kept = stored_metadata(district, session)
    assert kept and all(m.get("language") == "en" for m in kept), kept  # customData reached Rasa's metadata
    assert all(m.get("school_id") == "hillside" and m.get("counsellor_email") == "ada.park@hillside.example"
               for m in kept), kept  # the school is the Origin's, never the page's word
    # The page reloads, WebSocket only this time, and asks for its stored session: the conversation goes on.
    again = node_client(url=district.url, origin=HILLSIDE, transports=["websocket"], sessionId=session,
                        questions=["and how much do they earn"], customData=CUSTOM_DATA)
    assert again["transports"] == ["websocket"] and again["session_id"] == session, again
    assert "$" in texts(again["answers"][0]), again  # the sonographer's pay, from the context


@pytest.mark.parametrize("transports", [["polling", "websocket"], ["websocket"]])
def test_socketio_client_in_node_from_a_foreign_page_is_refused(district: Assistant, transports: List[str]) -> None:
    refused = node_client(url=district.url, origin=FOREIGN, transports=transports, questions=["hi"],
                          expectRefused=True)
    assert refused["refused"] and refused["error"], refused
