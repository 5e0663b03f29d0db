"""A socket.io client as small as the widget's: Engine.IO 4 / Socket.IO 5 frames over a WebSocket."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Dict, List, Optional

import websockets


async def socket_exchange(url: str, events: List[tuple[str, Any]], expect: int, wait: float = 20.0,
                          origin: Optional[str] = None, ssl: Optional[Any] = None) -> List[Dict[str, Any]]:
    """Speak Engine.IO 4 / Socket.IO 5 over a WebSocket, as the widget does; collect bot_uttered.

    `origin` is the Origin header a browser would send from the page (none by default, like curl).
    """
    received: List[Dict[str, Any]] = []
    options = {"ssl": ssl} if ssl is not None else {}  # a TLS context for a wss:// server with its own CA
    async with websockets.connect(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                  origin=origin, **options) as ws:  # type: ignore[arg-type]
        assert (await ws.recv()).startswith("0")
        await ws.send("40")
        assert (await ws.recv()).startswith("40")
        for name, data in events:
            await ws.send("42" + json.dumps([name, data]))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and len(received) < expect:
            try:
                frame = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
            if frame == "2":
                await ws.send("3")
            elif frame.startswith("42"):
                name, data = json.loads(frame[2:])[:2]
                if name == "bot_uttered":
                    received.append(data)
    return received


class SocketClient:
    """One socket.io connection held open, for tests that need two at once: what it was confirmed as,
    and every bot_uttered it received. `local_addr` picks the loopback address it comes from."""

    def __init__(self, url: str, origin: Optional[str] = None, ssl: Optional[Any] = None,
                 local_addr: Optional[tuple[str, int]] = None) -> None:
        self.url, self.origin = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", origin
        self.options: Dict[str, Any] = {"ssl": ssl} if ssl is not None else {}
        if local_addr is not None:
            self.options["local_addr"] = local_addr
        self.ws: Any = None
        self.session: Optional[str] = None
        self.received: List[Dict[str, Any]] = []
        self._reader: Optional[asyncio.Task] = None
        self._confirmed = asyncio.Event()

    async def open(self, session_id: str) -> str:
        """Connect, ask for `session_id`, and return the session the server confirmed."""
        self.ws = await websockets.connect(self.url, origin=self.origin, **self.options)  # type: ignore[arg-type]
        assert (await self.ws.recv()).startswith("0")
        await self.ws.send("40")
        assert (await self.ws.recv()).startswith("40")
        self._reader = asyncio.create_task(self._read())
        await self.ws.send("42" + json.dumps(["session_request", {"session_id": session_id}]))
        await asyncio.wait_for(self._confirmed.wait(), 20)
        assert self.session is not None
        return self.session

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if frame == "2":
                    await self.ws.send("3")
                elif frame.startswith("42"):
                    name, *data = json.loads(frame[2:])
                    if name == "session_confirm":
                        self.session = data[0]
                        self._confirmed.set()
                    elif name == "bot_uttered":
                        self.received.append(data[0])
        except websockets.ConnectionClosed:
            pass

    async def say(self, text: str, session_id: Optional[str] = None) -> None:
        """user_uttered, naming `session_id` (by default the confirmed one) as Rasa's protocol does."""
        await self.ws.send("42" + json.dumps(["user_uttered", {"message": text,
                                                               "session_id": session_id or self.session}]))

    async def wait_for(self, count: int, timeout: float = 30) -> List[Dict[str, Any]]:
        """Replies arrive asynchronously: wait for `count` of them, up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.received

    async def close(self) -> None:
        """Close the socket and let the reader end, so no task outlives the test."""
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=5)
