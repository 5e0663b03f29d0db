"""bot/input.py's pieces, without a server: the domain's names, the retry's replay, the request-size limit,
the metadata a page may send, the message checks and the rate limit's replies, the school of a stored
conversation and who may hold it, the REST channel's CORS answer, the socket.io Origin check, the reply count.

The e2e tests (tests/e2e/test_origins.py, test_bad_input.py) send real requests to real servers; these call
the channels' parts directly, with the project's schools.example.yml, the real domain.yml and real Rasa
tracker stores.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic
from sanic.compat import Header
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import CORS_MAX_AGE
from bot.input import (
    CONVERSATIONS_REPLY,
    MAX_METADATA_CHARS,
    RATE_REPLY,
    TOO_LARGE,
    GuardedRestInput,
    GuardedSocketIOInput,
    _Counting,
    _domain_names,
    _limit_request_size,
    _metadata,
    _school_of_conversation,
    _socket_metadata,
    handle_once,
    replay,
)
from bot.sanitize import EMPTY_REPLY, MAX_REQUEST_BYTES, TOO_LONG_REPLY
from store.tracker_store import GuardedSQLTrackerStore, TrackerStoreUnavailable

EXAMPLE = Path(__file__).resolve().parents[3] / "schools.example.yml"  # hillside (two origins) and ridgeview
HILLSIDE, RIDGEVIEW, FOREIGN = "https://hillside.example", "https://ridgeview.example", "https://evil.example"
LOCAL_PAGE = "http://127.0.0.1:8080"


@pytest.fixture(autouse=True)
def district(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channels read their settings from the environment: a district's schools file, limits in memory."""
    monkeypatch.setenv("SCHOOLS_FILE", str(EXAMPLE))
    for name in ("REDIS_URL", "CORS_ORIGINS", "RATE_LIMIT_PER_SENDER", "RATE_LIMIT_PER_IP",
                 "RATE_LIMIT_CONVERSATIONS_PER_IP", "TRUST_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture()
def local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run`'s settings instead: no schools file, the local page's origin in CORS_ORIGINS."""
    monkeypatch.delenv("SCHOOLS_FILE")
    monkeypatch.setenv("CORS_ORIGINS", LOCAL_PAGE)


def new_app() -> Sanic:
    """A Sanic app of its own (Sanic refuses two apps of one name in a process)."""
    return Sanic(f"test_input_{uuid.uuid4().hex[:12]}")


def request(method: str = "POST", origin: Optional[str] = None) -> Request:
    """A Sanic request as the server would build it for the REST webhook, without a connection."""
    headers = Header({"origin": origin} if origin else {})
    return Request(b"/webhooks/rest/webhook", headers, "1.1", method, None, None)  # type: ignore[arg-type]


def conversation(sender: str, *schools: Any) -> DialogueStateTracker:
    """A stored conversation whose user messages came from these schools' pages, in order."""
    tracker = DialogueStateTracker(sender, slots=[])
    for school in schools:
        tracker.update(UserUttered("what does a sonographer do", metadata={"school_id": school}))
        tracker.update(BotUttered("They use sound waves."))
    return tracker


async def agent_with(*trackers: DialogueStateTracker, store: Optional[TrackerStore] = None) -> Agent:
    """Rasa's own Agent (no model) over a tracker store that holds these conversations."""
    agent = Agent(tracker_store=store or InMemoryTrackerStore(Domain.empty()))
    for tracker in trackers:
        await agent.tracker_store.save(tracker)
    return agent


def app_of(agent: Optional[Agent]) -> Sanic:
    """A Sanic app with the agent where `rasa run` puts it."""
    app = new_app()
    app.ctx.agent = agent
    return app


# --- The domain's names and the retry's replay -----------------------------------------------------

def test_typed_payloads_may_name_every_entity_of_the_real_domain() -> None:
    """domain.yml lists entities as names or as {name: settings}; both must be allowed."""
    intents, entities = _domain_names()
    assert {"occupation", "other_job", "preference"} <= entities
    assert {"ask_salary", "out_of_scope", "inform_occupation"} <= intents


def test_a_retry_replays_the_stored_answer_of_its_message_only() -> None:
    events = [UserUttered("how much", message_id="m1"), ActionExecuted("action_answer"),
              BotUttered("It's $65,860.", {"buttons": [{"title": "More", "payload": "/more"}]}),
              BotUttered("Source: BLS"), UserUttered("thanks", message_id="m2"), BotUttered("You're welcome")]
    assert [e.text for e in replay(events, "m1")] == ["It's $65,860.", "Source: BLS"]
    assert replay(events, "m1")[0].data["buttons"] == [{"title": "More", "payload": "/more"}]
    assert [e.text for e in replay(events, "m2")] == ["You're welcome"]
    assert replay(events, "m3") is None


async def test_a_retry_of_a_stored_turn_is_answered_from_the_store_and_not_stored_again() -> None:
    """handle_once on Rasa's own Agent, lock store and tracker store: the stored replies go out through the
    message's output channel, and the conversation is left as it was."""
    tracker = DialogueStateTracker("s1", slots=[])
    for event in (UserUttered("how much", message_id="m1"), BotUttered("It's $65,860."), BotUttered("Source: BLS")):
        tracker.update(event)
    agent = await agent_with(tracker)
    collector = CollectingOutputChannel()
    await handle_once(agent, UserMessage("how much", collector, "s1", message_id="m1"))
    assert [m["text"] for m in collector.messages] == ["It's $65,860.", "Source: BLS"]
    assert all(m["recipient_id"] == "s1" for m in collector.messages)
    kept = await agent.tracker_store.retrieve("s1")
    assert kept is not None and len(kept.events) == len(tracker.events)


# --- The request-size limit --------------------------------------------------------------------------

async def test_the_request_size_limit_replaces_sanic_s_and_answers_413() -> None:
    app = new_app()
    assert app.config.REQUEST_MAX_SIZE > MAX_REQUEST_BYTES  # Sanic's own: 100 MB
    assert app.error_handler.lookup(PayloadTooLarge("too large")) is None
    _limit_request_size(app)
    assert app.config.REQUEST_MAX_SIZE == app.config.WEBSOCKET_MAX_SIZE == MAX_REQUEST_BYTES == 64 * 1024
    handler = app.error_handler.lookup(PayloadTooLarge("too large"))
    assert handler is not None
    answer = await handler(request(), PayloadTooLarge("too large"))
    assert answer.status == 413 and answer.headers["Connection"] == "close"
    assert json.loads(answer.body) == {"error": TOO_LARGE} and "64 KB" in TOO_LARGE


@pytest.mark.parametrize("channel", [GuardedRestInput, GuardedSocketIOInput])
def test_each_channel_sets_the_limit_before_the_server_starts(channel: type) -> None:
    blueprint: Blueprint = channel().blueprint(lambda message: None)
    listeners = [f.listener for f in blueprint._future_listeners if f.event == "before_server_start"]
    assert len(listeners) == 1
    app = new_app()
    listeners[0](app, None)
    assert app.config.REQUEST_MAX_SIZE == MAX_REQUEST_BYTES
    assert app.error_handler.lookup(PayloadTooLarge("too large")) is not None


# --- The metadata a page may send --------------------------------------------------------------------

@pytest.mark.parametrize(("sent", "kept"), [
    ({"lang": "en", "page": "careers"}, {"lang": "en", "page": "careers"}),
    (json.dumps({"lang": "en"}), {"lang": "en"}),  # socket.io clients may send it as a JSON string
    ({"lang": "en", "count": 3, "nested": {"a": "b"}, "list": ["x"], "none": None}, {"lang": "en"}),
    ({"lang": "en", "long": "x" * 201}, {"lang": "en"}),
    ({"lang": "en", "edge": "x" * 200}, {"lang": "en", "edge": "x" * 200}),
    ({"k" * 100: "v"}, {"k" * 64: "v"}),
    ("{not json", {}),
    (["lang", "en"], {}),
    (None, {}),
    (42, {}),
])
def test_only_a_small_flat_mapping_of_short_strings_goes_through(sent: Any, kept: Dict[str, Any]) -> None:
    assert _metadata(sent) == kept


@pytest.mark.parametrize(("data", "kept"), [
    ({"metadata": {"school": "Hillside"}}, {"school": "Hillside"}),  # the project's widget
    ({"customData": {"language": "en"}}, {"language": "en"}),  # rasa-webchat
    ({"metadata": {"school": "Hillside"}, "customData": {"language": "en"}}, {"school": "Hillside"}),
    ({"metadata": "{not json", "customData": {"language": "en"}}, {}),  # the channel's key, even when bad
    ({}, {}),
])
def test_socketio_metadata_is_the_channel_s_key_else_rasa_webchat_s(data: Dict[str, Any],
                                                                     kept: Dict[str, Any]) -> None:
    assert _socket_metadata(data, "metadata") == kept


def test_the_metadata_size_limit_is_on_the_whole_mapping() -> None:
    just_under = {f"k{n}": "x" * 190 for n in range(10)}  # each value short enough on its own
    assert len(json.dumps(just_under)) <= MAX_METADATA_CHARS and _metadata(just_under) == just_under
    over = {**just_under, "k10": "x" * 190}
    assert len(json.dumps(over)) > MAX_METADATA_CHARS and _metadata(over) == {}


# --- The message checks and the rate limit's replies, shared by both channels -------------------------

@pytest.mark.parametrize(("raw", "text", "reply"), [
    ("what does a sonographer do", "what does a sonographer do", None),
    ("mail me at jo@school.example", "mail me at [email]", None),
    ('/ask_salary{"occupation": "sonographer"}', '/ask_salary{"occupation": "sonographer"}', None),
    ('/ask_salary{"other_job": "nurse"}', '/ask_salary{"other_job": "nurse"}', None),
    ('/ask_salary{"occupation": "x; y"}', "/ask_salary", None),  # a value the entity pattern refuses
    ('/ask_salary{"occupation": "<b>x</b>"}', '/ask_salary{"occupation": " x "}', None),  # tags cleaned first
    ('/ask_salary{"occupation": "' + "a" * 65 + '"}', "/ask_salary", None),
    ('/ask_salary{"occupation": 7}', "/ask_salary", None),
    ('/ask_salary{"colour": "red"}', "/ask_salary", None),  # no such entity in domain.yml
    ("/not_an_intent", "not_an_intent", None),
    ("", None, EMPTY_REPLY),
    (None, None, EMPTY_REPLY),
    ("x" * 1001, None, TOO_LONG_REPLY),
])
def test_prepare_checks_a_message_against_the_real_domain(raw: Any, text: Optional[str],
                                                          reply: Optional[str]) -> None:
    assert GuardedRestInput().prepare(raw) == (text, reply)


async def test_the_rate_limit_answers_with_the_reply_for_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "2")
    monkeypatch.setenv("RATE_LIMIT_CONVERSATIONS_PER_IP", "2")
    channel = GuardedRestInput()
    assert [await channel.refusal("a", "1.1.1.1") for _ in range(3)] == [None, None, RATE_REPLY]
    assert await channel.refusal("b", "1.1.1.1") is None
    assert await channel.refusal("c", "1.1.1.1") == CONVERSATIONS_REPLY  # a third conversation from the address
    assert await channel.refusal("c", "2.2.2.2") is None


def test_a_wrong_schools_file_stops_the_channel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wrong = tmp_path / "schools.yml"
    wrong.write_text("schools: []\n", encoding="utf-8")
    monkeypatch.setenv("SCHOOLS_FILE", str(wrong))
    with pytest.raises(ValueError, match="non-empty `schools:`"):
        GuardedRestInput()


# --- The school of a stored conversation, and who may hold it ----------------------------------------

async def test_the_school_of_a_conversation_is_that_of_its_last_user_message() -> None:
    agent = await agent_with(conversation("one", "hillside"), conversation("moved", "hillside", "ridgeview"),
                             conversation("no-school", None), conversation("odd", 7), conversation("silent"))
    app = app_of(agent)
    assert await _school_of_conversation(app, "one") == ("hillside",)
    assert await _school_of_conversation(app, "moved") == ("ridgeview",)
    assert await _school_of_conversation(app, "no-school") == (None,)  # stored, but from no school's page
    assert await _school_of_conversation(app, "odd") == (None,)
    assert await _school_of_conversation(app, "silent") is None  # stored, no user message yet
    assert await _school_of_conversation(app, "never") is None


async def test_without_an_agent_no_conversation_is_known() -> None:
    assert await _school_of_conversation(app_of(None), "one") is None
    assert await _school_of_conversation(None, "one") is None  # socket.io without its Sanic request


async def test_a_connection_may_hold_only_a_free_session_of_its_own_school() -> None:
    channel = GuardedSocketIOInput()
    app = app_of(await agent_with(conversation("stored", "hillside")))
    ridgeview, hillside = {"app": app, "school": "ridgeview"}, {"app": app, "school": "hillside"}
    assert not await channel._may_hold("stored", "sid-r", ridgeview)  # another school's conversation
    assert await channel._may_hold("stored", "sid-h", hillside)  # the refused claim was released
    assert not await channel._may_hold("stored", "sid-h2", hillside)  # held by sid-h
    assert await channel._may_hold("new", "sid-r", ridgeview)  # nothing stored yet


async def test_a_session_whose_store_cannot_be_read_is_not_held(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    """TrackerStoreUnavailable passes through Rasa's FailSafeTrackerStore, and the connection gets a new session."""
    monkeypatch.setenv("TRACKER_STORE_CONNECT_ATTEMPTS", "1")
    monkeypatch.setenv("TRACKER_STORE_RETRY_SECONDS", "0")
    store = GuardedSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 'not-yet' / 'tracker.db'}")
    app = app_of(await agent_with(store=store))
    with pytest.raises(TrackerStoreUnavailable):
        await _school_of_conversation(app, "stored")
    channel = GuardedSocketIOInput()
    assert not await channel._may_hold("stored", "sid-1", {"app": app, "school": "hillside"})
    assert await channel.owners.claim("stored", "sid-2")  # released, not left held


# --- The REST channel's CORS answer -------------------------------------------------------------------

def cors() -> Any:
    """The REST channel's response middleware, as Sanic would run it."""
    blueprint = GuardedRestInput().blueprint(lambda message: None)
    found = [m.middleware for m in blueprint._future_middleware if m.attach_to == "response"]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("origin", [HILLSIDE, "https://www.hillside.example", RIDGEVIEW])
async def test_a_school_s_page_gets_cors_headers_for_its_own_origin(origin: str) -> None:
    middleware = cors()
    posted = HTTPResponse()
    await middleware(request("POST", origin), posted)
    assert posted.headers["Access-Control-Allow-Origin"] == origin and posted.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Methods" not in posted.headers
    preflight = HTTPResponse()
    await middleware(request("OPTIONS", origin), preflight)
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert preflight.headers["Access-Control-Max-Age"] == CORS_MAX_AGE
    assert "Access-Control-Allow-Credentials" not in preflight.headers


@pytest.mark.parametrize("origin", [FOREIGN, "http://hillside.example", "null", None])
async def test_any_other_page_gets_no_cors_headers(origin: Optional[str]) -> None:
    middleware = cors()
    for method in ("POST", "OPTIONS"):
        answer = HTTPResponse()
        await middleware(request(method, origin), answer)
        assert not [h for h in answer.headers if h.lower().startswith("access-control-")], (method, origin)


async def test_on_a_local_server_the_page_of_cors_origins_gets_cors_headers(local_server: None) -> None:
    middleware = cors()
    allowed, refused = HTTPResponse(), HTTPResponse()
    await middleware(request("OPTIONS", LOCAL_PAGE), allowed)
    await middleware(request("OPTIONS", FOREIGN), refused)
    assert allowed.headers["Access-Control-Allow-Origin"] == LOCAL_PAGE
    assert "Access-Control-Allow-Origin" not in refused.headers


# --- The socket.io Origin check -----------------------------------------------------------------------

@pytest.mark.parametrize(("origin", "allowed"), [
    (HILLSIDE, True), ("https://www.hillside.example", True), (RIDGEVIEW, True),
    ("HTTPS://Ridgeview.Example:443", True),  # the same origin, written differently
    ("http://hillside.example", False),  # another scheme: another origin
    ("https://hillside.example:8443", False), (FOREIGN, False), ("null", False), ("", False), (None, False),
])
def test_socketio_allows_the_schools_origins_only(origin: Optional[str], allowed: bool) -> None:
    assert GuardedSocketIOInput()._origin_allowed(origin, {"HTTP_ORIGIN": origin}) is allowed


@pytest.mark.parametrize(("origin", "allowed"), [(LOCAL_PAGE, True), (None, True), (FOREIGN, False)])
def test_a_local_server_allows_its_page_and_clients_without_an_origin(local_server: None, origin: Optional[str],
                                                                      allowed: bool) -> None:
    assert GuardedSocketIOInput()._origin_allowed(origin) is allowed


def test_the_socket_server_asks_the_origin_check_and_caps_its_buffers() -> None:
    channel = GuardedSocketIOInput()
    channel.blueprint(lambda message: None)
    assert channel.sio.eio.cors_allowed_origins == channel._origin_allowed  # never [], which checks nothing
    assert channel.sio.eio.max_http_buffer_size == MAX_REQUEST_BYTES


# --- The reply count -----------------------------------------------------------------------------------

class RecordingServer(AsyncServer):
    """A socket.io server that keeps what it would emit, as no client is connected."""

    def __init__(self) -> None:
        super().__init__(async_mode="asgi")
        self.emitted: List[tuple] = []

    async def emit(self, event: str, data: Any = None, to: Any = None, room: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data, room or to))


async def test_counting_forwards_every_reply_and_counts_it() -> None:
    server = RecordingServer()
    counting = _Counting(SocketIOOutput(server, "bot_uttered"))
    assert counting.sent == []
    await counting.send_text_message("sid-1", "First part.\n\nSecond part.")
    await counting.send_image_url("sid-1", "https://example.org/x.png")
    assert counting.sent == [{"text": "First part."}, {"text": "Second part."},
                             {"attachment": {"type": "image", "payload": {"src": "https://example.org/x.png"}}}]
    assert server.emitted == [("bot_uttered", reply, "sid-1") for reply in counting.sent]

