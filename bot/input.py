"""REST and socket.io channels that check every message before Rasa sees it.

They keep Rasa's URLs and events (`/webhooks/rest/webhook`, socket.io `user_uttered`), so
any Rasa client works, and add what a public, student-facing server needs: well-formed
requests only (4xx otherwise), a length cap, masking of contact details, checked
`/intent{...}` payloads, a rate limit, and a polite reply instead of silence when
something behind the channel fails. The school comes from the request's Origin (schools/school.py):
a page whose origin is no school's is refused on REST, socket.io polling and the WebSocket
handshake alike, before anything is stored. A REST client may send a `message_id`, and send the
same message again with `"retry": true` when it got no answer: a turn already stored is answered
from the store instead of a second time.

The client is the real peer (bot.ratelimit.request_address: nginx's X-Forwarded-For under
TRUST_PROXY, else the connection's own address), on socket.io too; each stored user message carries
a keyed tag of it (bot.keys.client_tag), never the address. REST answers CORS for the schools'
origins itself (no `rasa run --cors`, which would grant every route). A socket.io session belongs to
the connection that first asked for it (bot/owners.py), and its messages are that session's only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import rasa_patches, safeguarding
from bot.channels import allow_school_page
from bot.keys import client_tag
from bot.owners import Owners
from bot.ratelimit import TOO_MANY_CONVERSATIONS, RateLimiter, request_address
from bot.sanitize import MAX_REQUEST_BYTES, check_message, check_payload, valid_sender
from schools.file import from_env as schools_from_env
from schools.school import school_metadata
from store.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

TROUBLE_REPLY = "Sorry, I'm having trouble answering right now. Please try again in a moment."
STORE_REPLY = "Sorry, I can't save our chat right now, so I can't answer yet. Please try again in a minute."
RATE_REPLY = "You're sending messages very quickly. Please wait a few seconds and try again."
CONVERSATIONS_REPLY = ("Too many new chats have started from your network in the last hour. "
                       "Please carry on in a chat you already have, or try again later.")
RELOAD_REPLY = "Please reload the page to start a new chat."
CONFIRM_WAIT_SECONDS = 5.0
TOO_LARGE = f"The request is too large: the limit is {MAX_REQUEST_BYTES // 1024} KB, and a message 1,000 characters."
ORIGIN_REFUSED = ("This page is not one of the schools this assistant serves, so it cannot be used here. "
                  "Ask your school's IT team to add the page's address to the assistant's schools file.")
ENTITY_VALUE = re.compile(r"^[A-Za-z0-9 _\-]{1,64}$")
MAX_METADATA_CHARS = 2000
# rasa-webchat's key for a page's metadata in user_uttered. Rasa 3.6's channel reads only its `metadata_key`
# ("metadata" by default, what the project's widget sends), so without this a webchat's customData was dropped.
WEBCHAT_METADATA_KEY = "customData"
DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"


def _domain_names() -> tuple[set[str], set[str]]:
    """The intents and entities a typed payload may name (read once, at channel start)."""
    try:
        domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}
    except OSError:
        logger.exception("cannot read %s; typed /intent payloads will be treated as text", DOMAIN_FILE)
        return set(), set()
    return _names(domain.get("intents")), _names(domain.get("entities"))


def _names(items: Any) -> set[str]:
    """Names from a domain list, whose entries are names or {name: settings} mappings."""
    names: set[str] = set()
    for item in items or []:
        names.update([item] if isinstance(item, str) else map(str, item) if isinstance(item, dict) else [])
    return names


def _metadata(value: Any) -> Dict[str, Any]:
    """Only a small flat mapping of short strings goes through (the widget's school settings)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict) or len(json.dumps(value, default=str)) > MAX_METADATA_CHARS:
        return {}
    return {str(k)[:64]: v for k, v in value.items() if isinstance(v, str) and len(v) <= 200}


def _socket_metadata(data: Dict[str, Any], key: str) -> Dict[str, Any]:
    """The page's metadata of a socket.io message: under the channel's `metadata_key`, else under rasa-webchat's
    `customData`, so that both the widget and an unchanged rasa-webchat reach Rasa with no credentials change."""
    found = data.get(key)
    return _metadata(data.get(WEBCHAT_METADATA_KEY) if found is None else found)


def replay(events: List[Event], message_id: str) -> Optional[List[BotUttered]]:
    """The replies already stored for this message, or None when it was never stored.

    A client that got no answer (a proxy's "try again", a dropped connection) sends the same message
    again with the same `message_id`; if the first try was answered and saved before the answer was
    lost, the student gets that answer again and the turn is not stored twice."""
    replies: Optional[List[BotUttered]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif isinstance(event, BotUttered) and replies is not None:
            replies.append(event)
    return replies


async def handle_once(agent: Any, message: UserMessage) -> None:
    """Rasa's Agent.handle_message, with the retry check inside the conversation's lock, so that a retry
    and a first try still running elsewhere cannot both be processed. Stored replies go out through
    the message's own output channel, as they did the first time."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        found = replay(list(tracker.events), message.message_id) if tracker else None
        if found is None:
            await agent.processor.handle_message(message)
            return
        for reply in found:
            await message.output_channel.send_response(message.sender_id, reply.message())


def _limit_request_size(app: Any) -> None:
    """Sanic's own limits (100 MB bodies, 1 MB WebSocket frames) let one request hold hundreds of MB:
    a chat request is a few KB, so anything over MAX_REQUEST_BYTES gets 413 before it is read."""
    from sanic.exceptions import PayloadTooLarge

    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.config.WEBSOCKET_MAX_SIZE = MAX_REQUEST_BYTES
    app.error_handler.add(PayloadTooLarge, _too_large)


async def _too_large(request: Request, error: Exception) -> HTTPResponse:
    return response.json({"error": TOO_LARGE}, status=413, headers={"Connection": "close"})


class _Guard:
    """What both channels share: checking a message and limiting the rate."""

    def __init__(self) -> None:
        rasa_patches.install()  # the servers' Rasa: checked, and the action client patched
        self.intents, self.entities = _domain_names()
        self.limiter = RateLimiter.from_env()
        self.schools = schools_from_env()  # a wrong schools file stops the server here, with its error

    async def refusal(self, sender: str, address: str) -> Optional[str]:
        """The polite reply when the rate limit refuses this message, else None."""
        verdict = await self.limiter.verdict(sender, address)
        if verdict is None:
            return None
        return CONVERSATIONS_REPLY if verdict == TOO_MANY_CONVERSATIONS else RATE_REPLY

    def _entity_ok(self, name: str, value: Any) -> bool:
        return name in self.entities and isinstance(value, str) and bool(ENTITY_VALUE.match(value))

    def prepare(self, raw: Any) -> tuple[Optional[str], Optional[str]]:
        """(text to process, None) or (None, polite reply)."""
        checked = check_message(raw)
        if checked.reply:
            return None, checked.reply
        return check_payload(checked.text, self.intents, self._entity_ok), None


class GuardedRestInput(RestInput, _Guard):
    """Rasa's REST channel (same URL and JSON), with the checks above."""

    def __init__(self) -> None:
        RestInput.__init__(self)
        _Guard.__init__(self)

    @classmethod
    def name(cls) -> Text:
        """Rasa's REST channel's own name, so every REST client keeps /webhooks/rest/webhook."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes, every message checked (origin, body, rate, text, safeguarding) before Rasa sees it."""
        webhook = Blueprint("guarded_rest_webhook", __name__)
        webhook.listener("before_server_start")(lambda app, _loop: _limit_request_size(app))

        @webhook.middleware("response")
        async def cors(request: Request, result: HTTPResponse) -> None:
            """A school's page may call this channel (the widget's REST fallback), with no credentials;
            Rasa's automatic OPTIONS answers the preflight, and this adds what it needs."""
            allow_school_page(request, result, self.schools)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST", "OPTIONS"])  # OPTIONS: the preflight, through `cors`
        async def receive(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            origin = request.headers.get("origin")
            if not self.schools.allows(origin):
                return response.json({"error": ORIGIN_REFUSED}, status=403)
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "The body must be JSON in UTF-8."}, status=400)
            except RecursionError:  # [[[[...]]]] thousands deep
                return response.json({"error": "The body is nested too deeply."}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            sender = body.get("sender")
            if not valid_sender(sender):
                return response.json({"error": "`sender` must be a string of 1-128 letters, digits or _.:@-"},
                                     status=400)
            if "message" in body and not isinstance(body["message"], str):
                return response.json({"error": "`message` must be a string."}, status=400)
            message_id = body.get("message_id")
            if message_id is not None and not valid_sender(message_id):
                return response.json({"error": "`message_id` must be a string of 1-128 letters, digits or _.:@-"},
                                     status=400)
            retry = body.get("retry") is True
            address = request_address(request)
            refused = await self.refusal(sender, address)
            if refused:
                return response.json([{"recipient_id": sender, "text": refused}], status=429)
            text, reply = self.prepare(body.get("message"))
            if reply is not None:
                return response.json([{"recipient_id": sender, "text": reply}])
            metadata = school_metadata(_metadata(body.get("metadata")), self.schools.for_request(origin))
            metadata["client_tag"] = client_tag(address)
            if safeguarding.concerning(text):  # a person, not a careers answer; not passed to the model
                reply = safeguarding.reply(metadata, safeguarding.language(text, metadata))
                return response.json([{"recipient_id": sender, "text": reply}])
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel="rest", metadata=metadata,
                                  message_id=message_id)
            try:
                if retry and message_id and getattr(request.app.ctx, "agent", None) is not None:
                    await handle_once(request.app.ctx.agent, message)  # the same message again
                else:
                    await on_new_message(message)
            except TrackerStoreUnavailable:  # the store logged why; an unsaved answer is not given
                return response.json([{"recipient_id": sender, "text": STORE_REPLY}], status=503)
            except Exception:
                logger.exception("rest: the message of sender %s could not be handled", sender[:16])
            if not collector.messages:  # never silence: something behind us failed
                collector.messages.append({"recipient_id": sender, "text": TROUBLE_REPLY})
            return response.json(collector.messages)

        return webhook


class GuardedSocketIOInput(SocketIOInput, _Guard):
    """Rasa's socket.io channel (same events), with the checks above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        SocketIOInput.__init__(self, *args, **kwargs)
        _Guard.__init__(self)
        self.owners = Owners()
        # Set once a connection's session_request is answered: a client that sends its first message
        # right after session_request (without waiting for session_confirm) is not refused meanwhile.
        self._confirmed: Dict[str, asyncio.Event] = {}

    @classmethod
    def name(cls) -> Text:
        """Rasa's socket.io channel's own name, as this channel stands in for it (routes under /webhooks/socketio/)."""
        return "socketio"

    def _origin_allowed(self, origin: Optional[str], environ: Optional[Dict[str, Any]] = None) -> bool:
        """python-engineio asks this for every request that has an Origin header."""
        return self.schools.allows(origin)

    async def _may_hold(self, session_id: str, sid: str, session: Dict[str, Any]) -> bool:
        """This connection may go on in `session_id`: no other live connection holds it, and its stored
        conversation, if there is one, is of this connection's school (a page of another origin never
        resumes it)."""
        if not await self.owners.claim(session_id, sid):
            return False
        try:
            stored = await _school_of_conversation(session.get("app"), session_id)
        except TrackerStoreUnavailable:
            stored = ("unreadable",)
        if stored is not None and stored != (session.get("school"),):
            await self.owners.release(session_id, sid)
            return False
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's SocketIOInput.blueprint rewritten (rasa/core/channels/socketio.py, lines 189-270 of Rasa
        3.6.21; bot/rasa_patches.py checks that it is still there): the same events and payloads, plus an
        Origin check per school, sessions owned by their connection, the message checks and rate limit,
        and the `await` on enter_room that Rasa 3.6 forgets. It cannot be wrapped: the checks sit inside
        its event handlers."""
        # Never []: python-engineio then checks no Origin at all. The callable refuses every origin
        # that is no school's, on the polling requests and the WebSocket handshake alike.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self._origin_allowed,
                          max_http_buffer_size=MAX_REQUEST_BYTES)
        webhook = SocketBlueprint(sio, self.socketio_path, "guarded_socketio_webhook", __name__)
        webhook.listener("before_server_start")(lambda app, _loop: _limit_request_size(app))
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:  # as in Rasa's channel: a configured key makes a token mandatory
                token = auth.get("token") if isinstance(auth, dict) else None
                if not token or not decode_bearer_token(token, self.jwt_key, self.jwt_algorithm):
                    return False
            origin = environ.get("HTTP_ORIGIN")
            if not self.schools.allows(origin):  # no Origin, with a schools file: no school's page
                return False
            school = self.schools.for_request(origin)
            request = environ.get("sanic.request")  # the real peer: REMOTE_ADDR is always 127.0.0.1 here
            await sio.save_session(sid, {"ip": request_address(request), "school": school.id if school else None,
                                         "app": getattr(request, "app", None)},
                                   namespace=self.namespace)
            self._confirmed[sid] = asyncio.Event()  # set by its session_request
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            self._confirmed.pop(sid, None)
            session = await sio.get_session(sid, namespace=self.namespace)
            if (session or {}).get("session_id"):
                await self.owners.release(session["session_id"], sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            confirmed = self._confirmed.setdefault(sid, asyncio.Event())
            session = await sio.get_session(sid, namespace=self.namespace) or {}
            session_id = asked if valid_sender(asked) else uuid.uuid4().hex
            if not await self._may_hold(session_id, sid, session):
                session_id = uuid.uuid4().hex  # someone else's: a conversation of this connection's own
                await self.owners.claim(session_id, sid)
            if session.get("session_id") and session["session_id"] != session_id:
                await self.owners.release(session["session_id"], sid)
                await sio.leave_room(sid, session["session_id"], namespace=self.namespace)
            session["session_id"] = session_id
            await sio.save_session(sid, session, namespace=self.namespace)
            if self.session_persistence:
                # A coroutine in python-socketio 5.18: Rasa 3.6 forgets this await, and replies never arrive.
                await sio.enter_room(sid, session_id)
            confirmed.set()
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_text_message(sid, "Sorry, I couldn't read that message.")
                return
            if sid in self._confirmed:  # until its first session_request is answered (a client need not wait)
                try:
                    await asyncio.wait_for(self._confirmed[sid].wait(), CONFIRM_WAIT_SECONDS)
                except asyncio.TimeoutError:
                    pass
            session = await sio.get_session(sid, namespace=self.namespace) or {}
            # The session this connection was confirmed in, whatever the message names: a message that
            # names another student's session id never reaches that conversation.
            sender = session.get("session_id") if self.session_persistence else sid
            if not valid_sender(sender) or (self.session_persistence and not await self.owners.holds(sender, sid)):
                await output.send_text_message(sid, RELOAD_REPLY)
                return
            refused = await self.refusal(sender, session.get("ip", "unknown"))
            if refused:
                await output.send_text_message(sender, refused)
                return
            text, reply = self.prepare(data.get("message"))
            if reply is not None:
                await output.send_text_message(sender, reply)
                return
            school = self.schools.by_id(session.get("school") or "")
            metadata = school_metadata(_socket_metadata(data, self.metadata_key), school)
            metadata["client_tag"] = client_tag(session.get("ip", "unknown"))
            if safeguarding.concerning(text):  # a person, not a careers answer; not passed to the model
                reply = safeguarding.reply(metadata, safeguarding.language(text, metadata))
                await output.send_text_message(sender, reply)
                return
            collector = _Counting(output)
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel="socketio",
                                                 metadata=metadata))
            except TrackerStoreUnavailable:
                await output.send_text_message(sender, STORE_REPLY)
                return
            except Exception:
                logger.exception("socketio: the message of sender %s could not be handled", sender[:16])
            if not collector.sent:
                await output.send_text_message(sender, TROUBLE_REPLY)

        return webhook


async def _school_of_conversation(app: Any, sender: str) -> Optional[tuple[Optional[str]]]:
    """(school id,) of a stored conversation's last message, or None when nothing is stored yet."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender)
    if tracker is None:
        return None
    for event in reversed(list(tracker.events)):
        if isinstance(event, UserUttered):
            school = (event.metadata or {}).get("school_id")
            return (school if isinstance(school, str) else None,)
    return None


class _Counting(SocketIOOutput):
    """Forwards to the socket and counts, so an empty turn can be noticed."""

    def __init__(self, inner: SocketIOOutput) -> None:
        super().__init__(inner.sio, inner.bot_message_evt)
        self.sent: List[Dict[str, Any]] = []

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent.append(response)
        await super()._send_message(socket_id, response)
