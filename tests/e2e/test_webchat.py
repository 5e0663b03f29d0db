"""rasa-webchat, the socket.io chat widget many Rasa sites already run, on a school's page in Debian's Chromium
against the real servers: the npm package pinned in package.json (1.0.1; `npm ci` installs it), its own UMD
bundle (lib/index.js, which adds `window.WebChat`), called as its README says. It connects (polling, then a
WebSocket), gets the greeting's buttons as quick replies and answers, keeps its session across a reload, and the
browser reports no CORS trouble; on a page that is no school's it is refused, and the same console check sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from harness.assistant import Assistant
from harness.servers import PROJECT_DIR, free_port
from store.events import stored_data
from tests.e2e.conftest import SCHOOL, HostPages

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WEBCHAT = PROJECT_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
ANSWER_TIMEOUT = 60_000  # ms; the first answer after start warms the model up
# What a browser says when a page may not call the server: its own CORS message, and socket.io-client's.
CORS_TROUBLE = re.compile(r"CORS|xhr poll error|Access-Control", re.IGNORECASE)
# The project's widget's metadata (bot/static/widget-messages.js), as a counsellor would put it in customData.
CUSTOM_DATA = {"language": "en", "school": "Hillside High School", "counsellor_name": "Ms Ada Park",
               "counsellor_email": "someone@evil.example"}


def webchat_page(assistant: Assistant) -> str:
    """A school's page that loads rasa-webchat and starts it the way its README does."""
    settings = {"socketUrl": assistant.url, "socketPath": "/socket.io/", "customData": CUSTOM_DATA,
                "initPayload": "/greet", "title": "Careers chat", "inputTextFieldHint": "Your question"}
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Careers</title></head>"
            "<body><main><h1>Careers</h1></main><script src='rasa-webchat.js'></script>"
            f"<script>window.WebChat.default({json.dumps(settings)}, null);</script></body></html>")


def serve_webchat(pages: HostPages, assistant: Assistant) -> str:
    """The page and the bundle from node_modules, on `pages`' origin; the page's URL."""
    if not WEBCHAT.is_file():
        pytest.fail(f"{WEBCHAT} is missing: npm ci")
    pages.add("rasa-webchat.js", WEBCHAT.read_bytes(), content_type="text/javascript; charset=utf-8")
    return pages.add("webchat.html", webchat_page(assistant))


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile; rasa-webchat's Google font is refused at once (there is no network here)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield ctx
    ctx.close()


class Console:
    """Everything the page logged or threw, and the WebSockets it opened."""

    def __init__(self, page: Page) -> None:
        self.lines: List[str] = []
        self.sockets: List[str] = []
        page.on("console", lambda m: self.lines.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.lines.append(f"pageerror: {e}"))
        page.on("websocket", lambda ws: self.sockets.append(ws.url))

    def cors_trouble(self) -> List[str]:
        """What the browser or socket.io-client said about a refused cross-origin request."""
        return [line for line in self.lines if CORS_TROUBLE.search(line)]

    def thrown(self) -> List[str]:
        """The page's uncaught errors."""
        return [line for line in self.lines if line.startswith("pageerror")]


class Webchat:
    """rasa-webchat 1.0.1 on a page, by its own class names (rw-...)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.locator(".rw-launcher")
        self.bot = page.locator(".rw-response")
        self.replies = page.locator(".rw-reply")
        self.input = page.locator(".rw-new-message")

    def wait_for_bot(self, expected: str, after: int) -> None:
        """Until a bot message after the first `after` contains `expected`."""
        self.page.wait_for_function(
            "([expected, after]) => [...document.querySelectorAll('.rw-response')].slice(after)"
            ".some(m => m.textContent.includes(expected))", arg=[expected, after], timeout=ANSWER_TIMEOUT)

    def ask(self, text: str, expected: str) -> None:
        """Type a question as a student does, and wait for the answer that contains `expected`."""
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_bot(expected, before)

    def stored(self) -> Dict[str, Any]:
        """What rasa-webchat keeps in localStorage: its session id and the conversation it shows again."""
        raw = self.page.evaluate("localStorage.getItem('chat_session')")
        return json.loads(raw) if raw else {}


def test_rasa_webchat_on_a_school_page_answers_offers_buttons_and_keeps_its_session(
        assistant: Assistant, host: HostPages, context: BrowserContext) -> None:
    page = context.new_page()
    console = Console(page)
    page.goto(serve_webchat(host, assistant))
    chat = Webchat(page)
    chat.launcher.click()
    chat.wait_for_bot("What would you like to know?", 0)  # initPayload /greet: connected and answered
    expect(chat.replies).to_have_text(["What does a sonographer do?", "How much do they earn?",
                                       "Do I need a licence?", "Help me find a job"])
    before = chat.bot.count()
    chat.replies.filter(has_text="What does a sonographer do?").click()  # the button's payload
    chat.wait_for_bot("gel", before)
    chat.ask("how much do they earn", "$")  # the sonographer's pay: the context of the button's answer
    session = chat.stored()["session_id"]
    assert any("/socket.io/" in url and "transport=websocket" in url for url in console.sockets), console.sockets
    # customData reached Rasa; the school and contact are the server's (SCHOOL_NAME), not the page's.
    kept = [e.get("metadata") or {} for e in map(json.loads, stored_data(assistant.tracker_url, session))
            if e.get("event") == "user"]
    assert len(kept) == 3 and all(m.get("language") == "en" for m in kept), kept
    assert all(m.get("school") == SCHOOL["SCHOOL_NAME"] and m.get("counsellor_email") == SCHOOL["COUNSELLOR_EMAIL"]
               for m in kept), kept

    page.reload()
    chat = Webchat(page)
    expect(chat.bot.filter(has_text="gel")).to_have_count(1)  # the history, shown again
    chat.wait_for_bot("Source", 0)
    assert chat.stored()["session_id"] == session
    chat.ask("do they need a licence?", "sonographer")  # the same conversation: still about sonographers
    assert chat.stored()["session_id"] == session
    assert console.cors_trouble() == [] and console.thrown() == [], console.lines


def test_rasa_webchat_on_a_page_that_is_no_school_s_is_refused(assistant: Assistant,
                                                                context: BrowserContext) -> None:
    """The control of the test above: the same page on an origin not on the server's list gets nothing, and
    the console check that found no CORS trouble there finds it here."""
    foreign = HostPages(free_port())
    try:
        page = context.new_page()
        console = Console(page)
        with page.expect_console_message(lambda m: bool(CORS_TROUBLE.search(m.text)), timeout=20_000):
            page.goto(serve_webchat(foreign, assistant))
        assert not console.sockets and not Webchat(page).stored().get("session_id"), console.lines
    finally:
        foreign.close()
