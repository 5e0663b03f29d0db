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
