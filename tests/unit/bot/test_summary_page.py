"""bot/summary_page.py: a key only for a conversation that has not begun, the page only for its key, nothing kept.

The routes are called directly on a Sanic request (no server), with Rasa's own Agent over Rasa's own SQL
tracker store, so that the retention purge (store/purge.py) runs on the same rows the page reads.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import keys
from bot.summary_page import HEADERS, SummaryInput
from store.purge import purge

PAGE = "http://127.0.0.1:8000"
SECRET = "s" * 40
DAY = 86_400


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SCHOOLS_FILE", raising=False)
    monkeypatch.setenv("CORS_ORIGINS", PAGE)
    monkeypatch.setenv("INSIGHTS_SECRET", SECRET)
    keys._summary_key.cache_clear()
    yield
    keys._summary_key.cache_clear()


@pytest.fixture()
def store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 'tracker.db'}")


async def chat(store: SQLTrackerStore, sender: str, when: Optional[float] = None) -> None:
    """A conversation of one answered question, stored as Rasa stores one."""
    when = time.time() if when is None else when
    tracker = DialogueStateTracker(sender, slots=[])
    for event in (UserUttered("what does a sonographer do", timestamp=when, metadata={"school": "Hillside High"}),
                  BotUttered("They use sound waves.\n\nSource: careertrend.com.", timestamp=when + 1),
                  SlotSet("reply_kind", "answered", timestamp=when + 1)):
        tracker.update(event)
    await store.save(tracker)


def routes() -> Dict[str, Any]:
    blueprint = SummaryInput().blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
    return {route.uri: route.handler for route in blueprint._future_routes}


def request(path: str, store: SQLTrackerStore, method: str = "GET", body: Any = None,
            origin: Optional[str] = PAGE) -> Request:
    app = Sanic(f"test_summary_{uuid.uuid4().hex[:12]}")
    app.ctx.agent = Agent(tracker_store=store)
    made = Request(path.encode(), Header({"origin": origin} if origin else {}), "1.1", method, None, app)
    made.body = json.dumps(body).encode() if body is not None else b""
    return made


async def ask_key(store: SQLTrackerStore, body: Any, origin: Optional[str] = PAGE) -> HTTPResponse:
    return await routes()["/key"](request("/webhooks/summary/key", store, "POST", body, origin))


async def page(store: SQLTrackerStore, key: str) -> HTTPResponse:
    return await routes()["/"](request(f"/webhooks/summary/?key={key}", store))


async def test_a_new_conversation_gets_a_key_that_opens_its_summary_only(store: SQLTrackerStore) -> None:
    answer = await ask_key(store, {"sender": "a" * 32})
    assert answer.status == 200
    given = json.loads(answer.body)
    assert keys.summary_sender(given["key"]) == ("a" * 32, None)
    assert given["expires"] == pytest.approx(time.time() + keys.SUMMARY_KEY_SECONDS, abs=5)
    await chat(store, "a" * 32)
    shown = await page(store, given["key"])
    assert shown.status == 200 and b"what does a sonographer do" in shown.body and b"careertrend.com" in shown.body
    for name, value in HEADERS.items():
        assert shown.headers[name] == value
    assert "script-src 'self'" in shown.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in shown.headers["Content-Security-Policy"]


async def test_a_sender_id_alone_is_never_enough(store: SQLTrackerStore) -> None:
    """Whoever knows a sender id of a conversation that has begun gets no key, and the id is no key."""
    await chat(store, "b" * 32)
    refused = await ask_key(store, {"sender": "b" * 32})
    assert refused.status == 409 and b"already begun" in refused.body
    for guess in ("b" * 32, "", "b" * 32 + ".9999999999.x"):
        shown = await page(store, guess)
        assert shown.status == 403 and b"sound waves" not in shown.body and b"not right" in shown.body


async def test_another_student_s_key_reads_their_own_conversation_only(store: SQLTrackerStore) -> None:
    mine = json.loads((await ask_key(store, {"sender": "m" * 32})).body)["key"]
    await chat(store, "t" * 32)
    await chat(store, "m" * 32)
    encoded, expires, mac = mine.split(".")
    theirs = keys.summary_key("t" * 32)[0].split(".")[0]
    shown = await page(store, f"{theirs}.{expires}.{mac}")  # my signature on their sender id
    assert shown.status == 403 and b"sound waves" not in shown.body


async def test_an_expired_key_gets_a_polite_page_and_no_data(store: SQLTrackerStore) -> None:
    await chat(store, "e" * 32)
    old, _ = keys.summary_key("e" * 32, time.time() - keys.SUMMARY_KEY_SECONDS - 10)
    shown = await page(store, old)
    assert shown.status == 403 and b"expired" in shown.body and b"sound waves" not in shown.body


async def test_a_purged_conversation_s_summary_returns_nothing(store: SQLTrackerStore) -> None:
    """Nothing is kept apart from the tracker store: the purge takes the summary with the conversation."""
    key = json.loads((await ask_key(store, {"sender": "p" * 32})).body)["key"]
    await chat(store, "p" * 32, when=time.time() - 40 * DAY)
    assert (await page(store, key)).status == 200
    assert purge(store.engine.url.render_as_string(hide_password=False), 30) == 1
    shown = await page(store, key)
    assert shown.status == 404 and b"nothing to show" in shown.body and b"sound waves" not in shown.body


async def test_a_good_key_is_traded_for_a_fresh_one_and_a_wrong_one_is_not(store: SQLTrackerStore) -> None:
    await chat(store, "r" * 32)
    old, _ = keys.summary_key("r" * 32, time.time() - 3600)
    fresh = await ask_key(store, {"key": old})
    assert fresh.status == 200 and keys.summary_sender(json.loads(fresh.body)["key"]) == ("r" * 32, None)
    assert (await ask_key(store, {"key": old[:-2] + "xx"})).status == 403


@pytest.mark.parametrize("body, status", [({"sender": "no spaces allowed"}, 400), ([], 400), ({}, 400)])
async def test_a_malformed_request_for_a_key(store: SQLTrackerStore, body: Any, status: int) -> None:
    assert (await ask_key(store, body)).status == status


async def test_only_a_school_s_page_may_ask_for_a_key(store: SQLTrackerStore) -> None:
    assert (await ask_key(store, {"sender": "c" * 32}, origin="https://evil.example")).status == 403


async def test_the_page_s_files_are_a_fixed_list() -> None:
    found = routes()
    assert sorted(found) == ["/", "/key", "/summary.css", "/summary.js"]
    css = await found["/summary.css"](None)
    assert css.status == 200 and css.content_type.startswith("text/css") and b"@media print" in css.body
    assert (await found["/summary.js"](None)).content_type.startswith("text/javascript")


async def test_the_page_in_the_chat_s_language_and_the_key_decides_alone(store: SQLTrackerStore) -> None:
    """`lang` (the widget's link adds it) chooses the words only: every page, the refusals too, in Spanish."""
    key = json.loads((await ask_key(store, {"sender": "s" * 32})).body)["key"]
    empty = await page(store, f"{key}&lang=es")
    assert empty.status == 404 and b'<html lang="es">' in empty.body
    assert "No hay nada que mostrar".encode() in empty.body
    await chat(store, "s" * 32)
    shown = await page(store, f"{key}&lang=es")
    assert shown.status == 200 and b'<html lang="es">' in shown.body and b"sound waves" in shown.body
    assert "Mis preguntas y las respuestas".encode() in shown.body
    for name, value in HEADERS.items():
        assert shown.headers[name] == value
    english = await page(store, f"{key}&lang=fr")
    assert english.status == 200 and b'<html lang="en">' in english.body and b"My questions" in english.body
    for wrong in (f"{key[:-2]}xx&lang=es", "&lang=es", f"{'s' * 32}&lang=es"):
        refused = await page(store, wrong)
        assert refused.status == 403 and b"sound waves" not in refused.body
        assert b'<html lang="es">' in refused.body and "no es correcto".encode() in refused.body
    old, _ = keys.summary_key("s" * 32, time.time() - keys.SUMMARY_KEY_SECONDS - 10)
    expired = await page(store, f"{old}&lang=es-MX")
    assert expired.status == 403 and "ya venció".encode() in expired.body and b"sound waves" not in expired.body
