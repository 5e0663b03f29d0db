"""`SummaryInput`: the student's summary page at /webhooks/summary/, and the key that opens it.

The page is keyed by a summary key (bot/keys.py: the sender id and an expiry, signed), never by a sender
id: the REST channel takes any sender id from anyone, so knowing one must not be enough. The widget asks
for its conversation's key once, when the conversation begins (`POST key` with the new sender id): a key
is given only while nothing is stored for that sender id yet, so a sender id of a conversation that has
begun, learnt in any way, gets no key. Before a key expires the widget trades it for a fresh one
(`POST key` with the key). Only a school's page may ask (CORS, the same origins as the chat).

The page reads the conversation from the tracker store each time (bot/summary.py) and keeps nothing; a
purged conversation has no summary. Its responses are never cached, send no referrer, and say nothing of a
conversation to a wrong, expired or foreign key: a polite page, 403 or 404. Every page is in the chat's language,
which the widget's link gives (`lang`: English or Spanish, else English).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import summary
from bot.channels import PageChannel, allow_school_page
from bot.keys import EXPIRED, SUMMARY_KEY_SECONDS, summary_key, summary_sender
from bot.sanitize import valid_sender
from schools.file import from_env
from store.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
FILES = {"summary.css": "text/css; charset=utf-8", "summary.js": "text/javascript; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the key is in the address: no link on the page may pass it on
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex",
}
# The problem pages (a heading and a sentence), in each language of the summary page (bot/summary.py WORDS).
Problem = Dict[str, Tuple[str, str]]
WRONG: Problem = {
    "en": ("This summary link is not right", "Open the summary again from the chat: the button is "
           "“Summary for my counsellor”, under the box where you type."),
    "es": ("Este enlace del resumen no es correcto", "Vuelve a abrir el resumen desde el chat: el botón es "
           "“Resumen para mi consejero o consejera”, debajo de la caja donde escribes."),
}
EXPIRED_PAGE: Problem = {
    "en": ("This summary link has expired", f"A summary link works for {SUMMARY_KEY_SECONDS // 3600} hours. "
           "Open the summary again from the chat, with “Summary for my counsellor”."),
    "es": ("Este enlace del resumen ya venció", f"Un enlace del resumen funciona durante {SUMMARY_KEY_SECONDS // 3600} "
           "horas. Vuelve a abrir el resumen desde el chat, con “Resumen para mi consejero o consejera”."),
}
NOTHING: Problem = {
    "en": ("There is nothing to show", "No questions are kept for this chat: either none was asked yet, or the "
           "chat was deleted after the time your school keeps chats."),
    "es": ("No hay nada que mostrar", "No se guardó ninguna pregunta de este chat: todavía no hiciste ninguna, o el "
           "chat se borró después del tiempo que tu escuela guarda los chats."),
}
UNAVAILABLE: Problem = {
    "en": ("The summary can't be shown right now", "The chats can't be read at the moment. "
           "Please try again in a minute."),
    "es": ("Ahora no se puede mostrar el resumen", "En este momento no se pueden leer los chats. "
           "Vuelve a intentarlo en un minuto."),
}
STARTED = "This conversation has already begun: its key was given when it began. Start a new chat for a summary."


async def static_file(_: Request, name: str) -> HTTPResponse:
    """The page's stylesheet or script (a fixed list: no path from a request reaches the file system)."""
    return HTTPResponse(body=(STATIC / name).read_bytes(), content_type=FILES[name],
                        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})


async def _tracker(request: Request, sender: str, full: bool = True) -> Any:
    """The conversation as the tracker store holds it (None when nothing is stored, or no agent is loaded)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    store = agent.tracker_store
    return await (store.retrieve_full_tracker(sender) if full else store.retrieve(sender))


class SummaryInput(PageChannel):
    """The summary page, its stylesheet and script, and the key; it takes no chat messages."""

    def __init__(self) -> None:
        self.schools = from_env()  # a wrong schools file stops the server with its reason

    @classmethod
    def name(cls) -> Text:
        """The URL prefix: the widget opens /webhooks/summary/?key=..."""
        return "summary"

    def _html(self, body: str, status: int = 200) -> HTTPResponse:
        return response.html(body, status=status, headers=dict(HEADERS))

    def _problem(self, page: Problem, status: int, lang: str) -> HTTPResponse:
        return self._html(summary.problem(*page[lang], lang=lang), status=status)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page (GET, by key), its two files, and the key (POST, from a school's page only)."""
        page = Blueprint("summary_webhook", __name__)

        @page.middleware("response")
        async def cors(request: Request, result: HTTPResponse) -> None:
            """Only the key may be asked for from a school's page (the widget); the page itself is never readable
            by another page."""
            if request.path.endswith("/key"):
                allow_school_page(request, result, self.schools)

        @page.route("/", methods=["GET"], strict_slashes=False)
        async def show(request: Request) -> HTTPResponse:
            lang = summary.language(request.args.get("lang"))  # only the words: the key alone opens the page
            sender, why = summary_sender(request.args.get("key"))
            if sender is None:
                return self._problem(EXPIRED_PAGE if why == EXPIRED else WRONG, 403, lang)
            try:
                tracker = await _tracker(request, sender)
            except TrackerStoreUnavailable:
                return self._problem(UNAVAILABLE, 503, lang)
            found = summary.from_events((e.as_dict() for e in tracker.events), lang) if tracker is not None else None
            if found is None:
                return self._problem(NOTHING, 404, lang)
            return self._html(summary.render(found, lang))

        for name in FILES:  # one route per file (a `/<name>` route would take the page's own `/` too)
            page.add_route(functools.partial(static_file, name=name), f"/{name}", methods=["GET"],
                           name=f"summary_{name.replace('.', '_')}")

        @page.route("/key", methods=["POST", "OPTIONS"])
        async def key(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            if not self.schools.allows(request.headers.get("origin")):
                return response.json({"error": "This page is not one of the schools this assistant serves."},
                                     status=403)
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError, RecursionError):
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            return await self._key(request, body)

        return page

    async def _key(self, request: Request, body: Dict[str, Any]) -> HTTPResponse:
        """A key for a conversation that has not begun (`sender`), or a fresh one for a good key (`key`)."""
        if "key" in body:
            sender, why = summary_sender(body.get("key"))
            if sender is None:
                return response.json({"error": f"The key is {why}."}, status=403)
        else:
            sender = body.get("sender")
            if not valid_sender(sender):
                return response.json({"error": "`sender` must be a string of 1-128 letters, digits or _.:@-"},
                                     status=400)
            try:
                tracker = await _tracker(request, sender, full=False)
            except TrackerStoreUnavailable:
                return response.json({"error": "The chats can't be read right now."}, status=503)
            if tracker is not None and any(isinstance(e, UserUttered) for e in tracker.events):
                return response.json({"error": STARTED}, status=409)
        token, expires = summary_key(sender, time.time())
        return response.json({"key": token, "expires": expires, "seconds": SUMMARY_KEY_SECONDS},
                             headers={"Cache-Control": "no-store"})

