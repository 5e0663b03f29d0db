"""A socket.io client that nobody here wrote, against the real servers: python-socketio's AsyncClient, as a
page of a school would use any standard socket.io client. It speaks long-polling here: its WebSocket transport
needs aiohttp's ClientWSTimeout (aiohttp 3.10), and Rasa 3.6 pins aiohttp 3.9; the project's own client
(harness/socketio.py) and the widget cover the WebSocket.

Rasa's socket.io conventions hold: `session_request` answered by `session_confirm`, `user_uttered` with the
message and `customData`, `bot_uttered` with `quick_replies` for buttons, and the session kept when the
page reloads and asks for it again.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
import socketio

from harness.assistant import Assistant
from tests.e2e.conftest import HILLSIDE

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
