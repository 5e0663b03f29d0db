"""`WidgetInput`: serves the embeddable chat widget from the Rasa server itself.

A counsellor embeds the widget with one script tag pointing at the Rasa server, so the server
must serve the script, its stylesheet and a demo page. Mounting them as an input channel keeps
that inside `rasa run` (no second web server, one origin for a strict CSP to allow). The channel
never takes messages: the widget talks to the standard `socketio` and `rest` channels.

The script is kept in parts (`SCRIPT_PARTS` in bot/static/: settings and helpers, the transport,
the conversation, the view) and served as the one `widget.js` a school's page loads: the parts in
their fixed order inside one function (so they share names without adding any to the page's
`window`), with the server's message-length limit written in. The parts are not served alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.sanitize import MAX_MESSAGE_CHARS

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The only files served, with their types. A fixed list, so no path from a request ever reaches
# the file system (no traversal, no serving of stray files dropped into static/).
FILES: Dict[str, str] = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.html": "text/html; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}

# widget.js, as served: these files from STATIC_DIR, in this order, between SCRIPT_START and SCRIPT_END.
# Each part is plain JavaScript on its own (`node --check` passes); the later ones use the earlier
# ones' names: widget-base.js (settings, helpers), widget-transport.js (`Transport`: socket.io,
# else REST), widget-messages.js (`conversation`: send, receive, render), widget-readaloud.js (reading an
# answer aloud), widget-view.js (the
# <career-chat> element, and the start).
SCRIPT_PARTS: Tuple[str, ...] = ("widget-base.js", "widget-transport.js", "widget-messages.js", "widget-readaloud.js",
                                  "widget-view.js")
SCRIPT_START = b"(function () {\n'use strict';\n\n"
SCRIPT_END = b"}());\n"

# Short enough that a fixed widget reaches every school's page within minutes; `no-cache` plus an
# ETag would mean a request per page view, which costs the school's visitors more than it saves.
CACHE_CONTROL = "public, max-age=300"
CORS_MAX_AGE = "600"  # seconds a browser may keep a preflight's answer

# The demo page loads only same-origin script and style and talks only to this server.
DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _headers(name: str, body: bytes) -> Dict[str, str]:
    """Headers for one served file: type, caching, and no MIME sniffing (the script is code)."""
    headers = {
        "Content-Type": FILES[name],
        "Cache-Control": CACHE_CONTROL,
        "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if name == "demo.html":
        headers["Content-Security-Policy"] = DEMO_CSP
    else:
        # Host pages on other origins load these; allow it even when they set COEP.
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return headers


def served(name: str) -> bytes:
    """A file as served (KeyError for one not in FILES). widget.js is built from SCRIPT_PARTS and gets
    the server's message-length limit, so there is one number."""
    if name not in FILES:
        raise KeyError(name)
    if name != "widget.js":
        return (STATIC_DIR / name).read_bytes()
    body = SCRIPT_START + b"".join((STATIC_DIR / part).read_bytes() for part in SCRIPT_PARTS) + SCRIPT_END
    return body.replace(b"__MAX_MESSAGE_CHARS__", str(MAX_MESSAGE_CHARS).encode())


def allow_school_page(request: Request, result: HTTPResponse, schools: Any) -> None:
    """CORS for a school's page, with no credentials: its own origin once, and for a preflight the JSON POST
    it may send. Another origin gets no header, so its browser keeps the answer from it."""
    origin = request.headers.get("origin")
    if not origin or schools.for_origin(origin) is None:
        return
    result.headers["Access-Control-Allow-Origin"] = origin
    result.headers["Vary"] = "Origin"
    if request.method == "OPTIONS":
        result.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        result.headers["Access-Control-Allow-Headers"] = "Content-Type"
        result.headers["Access-Control-Max-Age"] = CORS_MAX_AGE


class PageChannel(InputChannel):
    """A channel that serves pages or files and never takes a chat message (the widget's files, the
    health route, the insights page): no settings in credentials.yml, nothing ever sent through it."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """credentials.yml opens these channels without settings, so there is nothing to read."""
        return cls()

    def get_output_channel(self) -> Optional[OutputChannel]:
        """None: nothing is ever sent through a page, so Rasa has no output channel here."""
        return None


class WidgetInput(PageChannel):
    """Serves bot/static/ at /webhooks/widget/ (GET only, a fixed list of files); the widget's own
    settings live on the school's script tag."""

    @classmethod
    def name(cls) -> Text:
        """The URL prefix: the schools' script tags load /webhooks/widget/widget.js."""
        return "widget"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes for the static files only; `on_new_message` is deliberately never used."""
        widget = Blueprint("widget_webhook", __name__)

        @widget.route("/", methods=["GET"], strict_slashes=False)
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "files": sorted(FILES)})

        @widget.route("/<name:str>", methods=["GET"])
        async def static_file(request: Request, name: str) -> HTTPResponse:
            if name not in FILES:
                return response.text("Not found", status=404, headers={"X-Content-Type-Options": "nosniff"})
            body = served(name)
            headers = _headers(name, body)
            if request.headers.get("If-None-Match") == headers["ETag"]:
                del headers["Content-Type"]
                return HTTPResponse(status=304, headers=headers)
            return HTTPResponse(body=body, status=200, headers=headers, content_type=FILES[name])

        return widget
