"""The chat widget in a real browser (Debian's Chromium) against the real servers (scripts/serve.sh).

Host pages on a second origin (the `assistant.page_port` on the server's CORS list) are served by
a small threaded http.server; the demo page and the widget come from the Rasa server itself.
Screenshots and measurements go to build/widget-docs/ (screenshots/, widget-metrics.json);
`make widget-docs` runs these tests with WIDGET_DOCS_DIR=docs to refresh the documentation's.
Needs: `apt-get install chromium` and `npm ci` (axe-core).
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import statistics
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from bot.channels import served
from bot.sanitize import MAX_MESSAGE_CHARS
from harness.assistant import Assistant
from harness.provenance import measured_at
from harness.servers import PROJECT_DIR, free_port
from tests.e2e.conftest import SCHOOL, HostPages

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
DOCS_OUT = Path(os.environ.get("WIDGET_DOCS_DIR") or PROJECT_DIR / "build" / "widget-docs")  # never docs/ in tests
SCREENSHOTS = DOCS_OUT / "screenshots"
METRICS = DOCS_OUT / "widget-metrics.json"
ANSWER_TIMEOUT = 60_000  # ms; the first answer after start warms the model up
XSS = "<img src=x onerror=window.__xss=1>"

expect.set_options(timeout=15_000)


# --- Fixtures: the browser's contexts (the host pages on a second origin are conftest.py's `host`) ---

def new_context(browser: Browser, **options: Any) -> BrowserContext:
    options.setdefault("viewport", {"width": 1280, "height": 800})
    return browser.new_context(**options)


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- Helpers ------------------------------------------------------------------------------------

def embed(assistant: Assistant, **data: str) -> str:
    """The one tag a counsellor pastes; `data` adds or overrides data-* attributes."""
    attrs = {
        "school": "Hillside High School",
        "counsellor-name": "Ms Ada Park",
        "counsellor-email": "ada.park@hillside.example",
        "counsellor-phone": "555-0142",
        **data,
    }
    rendered = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in attrs.items())
    return f'<script src="{assistant.url}/webhooks/widget/widget.js" async {rendered}></script>'


def host_page(tag: str, head: str = "", body: str = "") -> str:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Host page</title>{head}</head><body><main><h1>Careers</h1>"
            f"<p>A school page.</p>{body}</main>{tag}</body></html>")


def record(**values: Any) -> None:
    """Merge measurements into docs/widget-metrics.json (each test writes its own keys)."""
    data = json.loads(METRICS.read_text()) if METRICS.exists() else {}
    data.update(values, measured_at=measured_at())
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    METRICS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def watch_csp(page: Page) -> List[str]:
    """Collect CSP violations: the page's events (in window.__csp) and the console's reports."""
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                         " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    console: List[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def csp_violations(page: Page, console: List[str]) -> List[str]:
    return page.evaluate("window.__csp") + console


class Chat:
    """The widget on a page, found the way a user finds it: by role and name where possible."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Careers chat")
        self.panel = page.locator("career-chat .panel")
        self.input = page.get_by_role("textbox", name="Your question")
        self.send_button = page.get_by_role("button", name="Send")
        self.log = page.get_by_role("log")
        self.bot = page.locator("career-chat .message.bot")
        self.user = page.locator("career-chat .message.user")
        self.error = page.locator("career-chat .error")

    def ready(self) -> "Chat":
        self.page.wait_for_selector("career-chat[ready]", state="attached")
        expect(self.launcher).to_be_visible()
        return self

    def open(self) -> "Chat":
        self.launcher.click()
        expect(self.panel).to_be_visible()
        self.settle()
        return self

    def settle(self) -> None:
        """Wait until the panel's opening animation is over (so boxes can be measured)."""
        self.page.wait_for_function("() => document.querySelector('career-chat').shadowRoot"
                                    ".querySelector('.panel').getAnimations().length === 0")

    def wait_for_bot(self, expected: str, after: int) -> Locator:
        """The first bot message after the first `after` that contains `expected`."""
        self.page.wait_for_function(
            """([expected, after]) => {
                const all = document.querySelector('career-chat').shadowRoot.querySelectorAll('.message.bot');
                return [...all].slice(after).some(m => m.textContent.includes(expected));
            }""", arg=[expected, after], timeout=ANSWER_TIMEOUT)
        return self.bot.filter(has_text=expected).last

    def ask(self, text: str, expected: str, source: bool = True) -> Locator:
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        answer = self.wait_for_bot(expected, before)
        if source:
            expect(answer.locator(".source")).to_have_text(re.compile(r"^(Source|Sources checked): "))
        return answer

    def storage(self) -> Dict[str, Any]:
        raw = self.page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('career-chat:'))"
                                 ".map(k => sessionStorage.getItem(k))")
        assert len(raw) == 1
        return json.loads(raw[0])

    def active(self) -> str:
        """What has focus inside the widget: '#id' or '.class' of the shadow root's active element."""
        return self.page.evaluate("""() => {
            const host = document.activeElement;
            if (!host || host.tagName !== 'CAREER-CHAT') return 'outside';
            const el = host.shadowRoot.activeElement;
            return el ? (el.id ? '#' + el.id : '.' + el.className) : 'none';
        }""")


# --- The server side: the widget channel serves a fixed list of files ----------------------------

def test_widget_channel_serves_only_its_files(assistant: Assistant) -> None:
    base = f"{assistant.url}/webhooks/widget"
    for name, kind in [("widget.js", "text/javascript"), ("widget.css", "text/css"), ("demo.html", "text/html")]:
        response = requests.get(f"{base}/{name}", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(kind)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=300" in response.headers["Cache-Control"] or "no-cache" in response.headers["Cache-Control"]
        assert response.content == served(name) and b"__MAX_MESSAGE_CHARS__" not in response.content
        again = requests.get(f"{base}/{name}", headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
        assert again.status_code == 304
    for name in ["nope.js", "..%2fchannels.py", "%2e%2e/credentials.yml", "__init__.py", "widget.js.map"]:
        response = requests.get(f"{base}/{name}", timeout=10)
        assert response.status_code == 404, name
    assert requests.post(f"{base}/widget.js", data="x", timeout=10).status_code == 405
    assert requests.post(f"{base}/", json={"sender": "x", "message": "hi"}, timeout=10).status_code == 405


# --- Conversations -------------------------------------------------------------------------------

def test_answer_with_a_separate_source_line_on_the_demo_page(assistant: Assistant, page: Page) -> None:
    csp_console = watch_csp(page)
    sockets: List[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{assistant.url}/webhooks/widget/demo.html")
    chat = Chat(page).ready().open()
    expect(chat.input).to_be_focused()
    expect(page.locator("career-chat .school")).to_have_text("Hillside High School")
    expect(chat.bot.first).to_contain_text("Hillside High School")  # the default greeting
    answer = chat.ask("what does a sonographer do", "gel")
    expect(answer.locator(".text")).not_to_contain_text("Source")
    expect(answer.locator(".source")).to_contain_text("Luanne Kelchner")
    assert any("/socket.io/?EIO=4&transport=websocket" in url for url in sockets)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))
    assert csp_violations(page, csp_console) == []


def test_example_question_and_bot_buttons(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("buttons.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    examples = page.get_by_role("list", name="Example questions").get_by_role("button")
    expect(examples).to_have_count(4)
    page.get_by_role("button", name="What does a sonographer do?").click()
    expect(chat.user.last).to_contain_text("What does a sonographer do?")
    chat.wait_for_bot("gel", 1)
    expect(examples).to_have_count(0)  # the examples are for the empty screen only

    # The bot's own buttons: the title is shown as the student's words, the payload is sent.
    # (A new conversation first, or "earn" would mean sonographers.)
    page.get_by_role("button", name="Start over").click()
    chat.ask("how much would i earn", "Which one do you mean?", source=False)
    choice = page.get_by_role("group", name="Suggested replies").get_by_role("button", name=re.compile("Sonographer"))
    title = choice.inner_text()
    before = chat.bot.count()
    choice.click()
    expect(chat.user.last).to_have_text(re.compile(re.escape(title) + "$"))
    expect(chat.user.last).not_to_contain_text("/inform_occupation")
    chat.wait_for_bot("$65,860", before)
    expect(page.get_by_role("group", name="Suggested replies")).to_have_count(0)


def test_follow_up_question_uses_the_context(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("context.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    chat.ask("what does a sonographer do", "gel")
    chat.ask("do they need a license?", "only a few states")


def test_the_input_takes_as_many_characters_as_the_server(assistant: Assistant, host: HostPages,
                                                          page: Page) -> None:
    """One message-length limit: the server's (bot/sanitize.py), written into the widget when served."""
    page.goto(host.add("limit.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    expect(chat.input).to_have_attribute("maxlength", str(MAX_MESSAGE_CHARS))


def test_counsellor_details_come_from_the_server_not_the_page(assistant: Assistant, host: HostPages,
                                                              page: Page) -> None:
    """Any page can write any name in its tag: the contact given is the server's (schools/)."""
    tag = embed(assistant, **{"school": "Ridgeview Academy", "counsellor-name": "Mr Tom Lee",
                              "counsellor-email": "tom.lee@ridgeview.example", "counsellor-phone": "555-0199"})
    page.goto(host.add("counsellor.html", host_page(tag)))
    chat = Chat(page).ready().open()
    answer = chat.ask("can i talk to my school counsellor", SCHOOL["COUNSELLOR_EMAIL"], source=False)
    expect(answer).to_contain_text(SCHOOL["COUNSELLOR_NAME"])
    expect(answer).not_to_contain_text("tom.lee@ridgeview.example")
    expect(answer).not_to_contain_text("555-0199")


def test_reload_keeps_the_history_and_the_sender(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("reload.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    chat.ask("what does a sonographer do", "gel")
    saved = chat.storage()
    page.reload()
    chat.ready()
    expect(chat.panel).to_be_visible()  # it was open: it stays open in this tab
    assert chat.storage()["sender"] == saved["sender"]
    expect(chat.user).to_have_count(1)
    expect(chat.user.first).to_contain_text("what does a sonographer do")
    expect(chat.bot.filter(has_text="gel").locator(".source")).to_contain_text("Source:")
    # Same sender, so the server still has the context.
    chat.ask("do they need a license?", "only a few states")


def test_start_over_clears_the_history_and_the_session(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("restart.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    chat.ask("what does a sonographer do", "gel")
    sender = chat.storage()["sender"]
    page.get_by_role("button", name="Start over").click()
    expect(chat.user).to_have_count(0)
    expect(page.get_by_role("list", name="Example questions")).to_be_visible()
    expect(chat.input).to_be_focused()
    fresh = chat.storage()
    assert fresh["sender"] != sender and fresh["messages"] == []
    # A new session: "they" no longer means sonographers, so no sonographer licence answer.
    before = chat.bot.count()
    chat.input.fill("do they need a license?")
    chat.input.press("Enter")
    page.wait_for_function("n => document.querySelector('career-chat').shadowRoot"
                           ".querySelectorAll('.message.bot').length > n", arg=before, timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(1500)
    assert "only a few states" not in " ".join(chat.bot.all_inner_texts())


def test_typing_indicator_until_the_reply_comes(assistant: Assistant, host: HostPages, page: Page) -> None:
    """Replies from the real server are held back in a pass-through WebSocket route, then let go."""
    held: List[Any] = []
    state = {"hold": False}

    def through(ws: Any) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda frame: held.append(frame) if state["hold"] else ws.send(frame))
        state["page_side"] = ws

    page.route_web_socket(re.compile(r"/socket\.io/"), through)
    page.goto(host.add("typing.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    page.wait_for_function("() => document.querySelector('career-chat').transport.mode === 'socket'")
    state["hold"] = True
    chat.input.fill("what does a sonographer do")
    chat.input.press("Enter")
    typing = page.locator("career-chat .typing.is-typing")
    expect(typing).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The assistant is typing")
    page.wait_for_timeout(3000)  # the real answer is in by now, held back
    assert any("bot_uttered" in str(frame) for frame in held)
    expect(typing).to_be_visible()
    page.keyboard.press("Escape")  # the student closes the panel while waiting
    expect(chat.panel).to_be_hidden()
    state["hold"] = False
    for frame in held:
        state["page_side"].send(frame)
    expect(chat.launcher).to_have_accessible_name("Careers chat, new reply")
    chat.launcher.click()
    expect(chat.launcher).to_have_accessible_name("Careers chat")
    chat.wait_for_bot("gel", 1)
    expect(typing).to_have_count(0)
    expect(chat.bot.filter(has_text="gel").locator(".source")).to_contain_text("Source:")


def test_reduced_motion(assistant: Assistant, host: HostPages, browser: Browser) -> None:
    ctx = new_context(browser, reduced_motion="reduce")
    try:
        page = ctx.new_page()
        page.goto(host.add("motion.html", host_page(embed(assistant))))
        chat = Chat(page).ready()
        chat.launcher.click()
        expect(chat.panel).to_be_visible()
        assert page.evaluate("document.querySelector('career-chat').shadowRoot.getAnimations().length") == 0
        assert page.evaluate("getComputedStyle(document.querySelector('career-chat').shadowRoot"
                             ".querySelector('.panel')).animationName") == "none"
    finally:
        ctx.close()


def test_keyboard_only(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("keyboard.html", host_page(embed(assistant), body="<a href='#top'>Top of page</a>")))
    chat = Chat(page).ready()
    for _ in range(10):
        page.keyboard.press("Tab")
        if chat.active() == ".launcher":
            break
    assert chat.active() == ".launcher"
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    assert chat.active() == "#input"
    before = chat.bot.count()
    page.keyboard.type("what does a sonographer do")
    page.keyboard.press("Enter")
    chat.wait_for_bot("gel", before)
    assert chat.active() == "#input"
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert chat.active() == ".launcher"
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")  # and back again
    expect(chat.panel).to_be_visible()
    assert chat.active() == "#input"


def test_axe_finds_no_serious_problems(assistant: Assistant, browser: Browser) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the project directory")
    ctx = new_context(browser, bypass_csp=True)  # to inject axe into the demo page, which has a strict CSP
    try:
        page = ctx.new_page()
        page.goto(f"{assistant.url}/webhooks/widget/demo.html")
        chat = Chat(page).ready()
        results: Dict[str, Any] = {}
        page.add_script_tag(path=str(AXE))
        scan = "() => axe.run(document.querySelector('career-chat'), {resultTypes: ['violations']})"
        results["closed"] = page.evaluate(scan)
        chat.open()
        chat.ask("how much would i earn", "Which one do you mean?", source=False)
        chat.ask("what does a sonographer do", "gel")
        results["open"] = page.evaluate(scan)
        results["page"] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        ctx.close()
    summary = {state: sorted(f"{v['impact']}: {v['id']} ({len(v['nodes'])})" for v in r["violations"])
               for state, r in results.items()}
    print("axe-core", results["open"]["testEngine"]["version"], json.dumps(summary, indent=2))
    record(axe={"version": results["open"]["testEngine"]["version"], "violations": summary,
                "serious_or_critical": sum(1 for r in results.values() for v in r["violations"]
                                           if v["impact"] in ("serious", "critical"))})
    for state, r in results.items():
        bad = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in r["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{state}: {bad}"


def test_hostile_text_is_shown_as_text(assistant: Assistant, host: HostPages, page: Page) -> None:
    """A student's message and a bot message (put into the real socket.io stream) with HTML in them."""
    routes = []

    def through(ws: Any) -> None:
        ws.connect_to_server()  # a pass-through to the real server; the test can add frames
        routes.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), through)
    page.goto(host.add("xss.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    before = chat.bot.count()
    chat.input.fill(XSS)
    chat.input.press("Enter")
    expect(chat.user.last).to_contain_text(XSS)
    page.wait_for_function("n => document.querySelector('career-chat').shadowRoot"
                           ".querySelectorAll('.message.bot').length > n", arg=before, timeout=ANSWER_TIMEOUT)
    assert routes, "the widget did not use socket.io"
    hostile = {"text": f"Bad {XSS} <script>window.__xss=2</script> see https://example.org/jobs. "
                       "javascript:window.__xss=3 and <a href=javascript:window.__xss=4>click</a>",
               "quick_replies": [{"content_type": "text", "title": XSS, "payload": "/greet"}]}
    routes[0].send("42" + json.dumps(["bot_uttered", hostile]))
    message = chat.bot.filter(has_text="Bad <img")
    expect(message).to_have_count(1)
    expect(message.locator(".text")).to_contain_text(XSS)
    expect(message.get_by_role("button", name=XSS)).to_be_visible()
    links = message.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/jobs")
    expect(links).to_have_attribute("rel", "noopener noreferrer")
    expect(links).to_have_attribute("target", "_blank")
    count_images = "document.querySelector('career-chat').shadowRoot.querySelectorAll('img, script').length"
    page.wait_for_timeout(300)
    assert page.evaluate(count_images) == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.reload()  # the same text, now rendered from sessionStorage
    chat.ready()
    expect(chat.bot.filter(has_text="Bad <img")).to_have_count(1)
    expect(chat.user.filter(has_text=XSS)).to_have_count(1)
    assert page.evaluate(count_images) == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_strict_csp_host_page(assistant: Assistant, host: HostPages, page: Page) -> None:
    server = urlsplit(assistant.url).netloc
    csp = (f"default-src 'none'; script-src http://{server}; style-src http://{server}; "
           f"connect-src http://{server} ws://{server}; img-src 'self'")
    url = host.add("csp.html", host_page(embed(assistant)), {"Content-Security-Policy": csp})
    csp_console = watch_csp(page)
    sockets: List[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(url)
    chat = Chat(page).ready().open()
    assert page.evaluate("getComputedStyle(document.querySelector('career-chat')).position") == "fixed"
    chat.ask("what does a sonographer do", "gel")
    assert sockets, "socket.io over WebSocket was not used"
    page.wait_for_timeout(500)
    assert csp_violations(page, csp_console) == []


def test_rest_fallback_when_the_websocket_cannot_connect(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.route_web_socket(re.compile(r"/socket\.io/"), lambda ws: ws.close(code=1011))  # e.g. a proxy refuses it
    posts: List[Dict[str, Any]] = []
    page.on("request", lambda r: posts.append(r.post_data_json)
            if r.method == "POST" and r.url.endswith("/webhooks/rest/webhook") else None)
    page.goto(host.add("rest.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    answer = chat.ask("what does a sonographer do", "gel")
    expect(answer.locator(".text")).not_to_contain_text("Source")
    chat.ask("do they need a license?", "only a few states")
    assert len(posts) == 2
    assert posts[0]["sender"] == chat.storage()["sender"]
    assert posts[0]["metadata"] == {"lang": "en", "school": "Hillside High School", "counsellor_name": "Ms Ada Park",
                                    "counsellor_email": "ada.park@hillside.example",
                                    "counsellor_phone": "555-0142"}


def test_hostile_page_css_does_not_change_the_widget(assistant: Assistant, host: HostPages, browser: Browser) -> None:
    hostile = "<style>* { all: revert; font-size: 40px !important } body { line-height: 3 }</style>"

    def measure(url: str) -> Dict[str, Any]:
        ctx = new_context(browser)
        try:
            page = ctx.new_page()
            page.goto(url)
            chat = Chat(page).ready()
            launcher = chat.launcher.bounding_box()
            chat.open()
            return {
                "launcher": launcher,
                "panel": chat.panel.bounding_box(),
                "greeting": chat.bot.first.locator(".bubble").bounding_box(),
                "input": chat.input.bounding_box(),
                "fonts": page.evaluate("""() => {
                    const r = document.querySelector('career-chat').shadowRoot;
                    return ['.title', '.text', '.input', '.choice', '.hint'].map(s => {
                        const c = getComputedStyle(r.querySelector(s));
                        return [s, c.fontSize, c.fontFamily, c.lineHeight, c.color];
                    });
                }"""),
            }
        finally:
            ctx.close()

    plain = measure(host.add("plain.html", host_page(embed(assistant))))
    attacked = measure(host.add("hostile.html", host_page(embed(assistant), head=hostile)))
    assert attacked == plain


def test_server_down_shows_an_error_and_keeps_the_text(assistant: Assistant, host: HostPages, page: Page) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    page.goto(host.add("down.html", host_page(embed(assistant, server=closed))))
    chat = Chat(page).ready().open()
    chat.input.fill("what does a sonographer do")
    chat.input.press("Enter")
    expect(chat.error).to_be_visible(timeout=20_000)
    expect(chat.error).to_contain_text("can't reach")
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    expect(chat.input).to_have_value("what does a sonographer do")
    expect(chat.user).to_have_count(0)
    expect(page.locator("career-chat .error-box")).to_have_attribute("aria-live", "polite")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "widget-error.png"))
    retry.click()  # still down: the same error again, and still nothing lost
    expect(chat.error).to_be_visible(timeout=20_000)
    expect(chat.input).to_have_value("what does a sonographer do")


@pytest.mark.parametrize("viewport, name", [({"width": 360, "height": 740}, "mobile"),
                                            ({"width": 640, "height": 400}, "zoom-200")])
def test_small_screens(assistant: Assistant, host: HostPages, browser: Browser, viewport: Dict[str, int],
                       name: str) -> None:
    """A 360 px phone, and a 1280x800 window at 200% zoom (a 640x400 CSS viewport at 2x)."""
    ctx = new_context(browser, viewport=viewport, device_scale_factor=2, is_mobile=name == "mobile",
                      has_touch=name == "mobile")
    try:
        page = ctx.new_page()
        page.goto(host.add(f"{name}.html", host_page(embed(assistant))))
        chat = Chat(page).ready()
        chat.launcher.tap() if name == "mobile" else chat.launcher.click()
        expect(chat.panel).to_be_visible()
        chat.settle()
        box = chat.panel.bounding_box()
        assert box is not None
        assert box["x"] == 0 and box["width"] == viewport["width"]
        assert box["y"] == 0 and box["height"] == viewport["height"]
        for control in (chat.input, chat.send_button, page.get_by_role("button", name="Close chat")):
            b = control.bounding_box()
            assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"]
            assert b["y"] >= 0 and b["y"] + b["height"] <= viewport["height"]
            assert b["height"] >= 24 and b["width"] >= 24
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        expect(chat.panel).to_have_attribute("aria-modal", "true")  # it covers the page: focus stays in it
        for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
            page.keyboard.press(key)
            assert chat.active() != "outside", key
        before = chat.bot.count()
        chat.input.fill("what does a sonographer do")
        chat.send_button.tap() if name == "mobile" else chat.send_button.click()
        chat.wait_for_bot("gel", before)
        page.wait_for_timeout(300)
        if name == "mobile":
            page.screenshot(path=str(SCREENSHOTS / "widget-mobile.png"))
        page.get_by_role("button", name="Close chat").click()
        expect(chat.panel).to_be_hidden()
        expect(chat.launcher).to_be_visible()
    finally:
        ctx.close()


def test_inline_position(assistant: Assistant, host: HostPages, page: Page) -> None:
    body = "<section><h2>Ask us</h2><div id='career-chat'></div></section><p id='after'>After the chat.</p>"
    tag = embed(assistant, position="inline", greeting="Hello from the careers office!")
    page.goto(host.add("inline.html", host_page(tag, body=body)))
    page.wait_for_selector("#career-chat > career-chat[ready]", state="attached")
    chat = Chat(page)
    expect(chat.panel).to_be_visible()
    expect(chat.bot.first).to_have_text("Assistant: Hello from the careers office!")
    expect(chat.launcher).to_have_count(0)
    expect(page.get_by_role("button", name="Close chat")).to_have_count(0)
    assert page.evaluate("getComputedStyle(document.querySelector('career-chat')).position") == "relative"
    panel, after = chat.panel.bounding_box(), page.locator("#after").bounding_box()
    assert panel is not None and after is not None and panel["y"] + panel["height"] <= after["y"]
    chat.ask("what does a sonographer do", "gel")


def test_open_on_load_in_the_bottom_left(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("left.html", host_page(embed(assistant, position="bottom-left", open="true"))))
    chat = Chat(page).ready()
    expect(chat.panel).to_be_visible()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement === document.body")  # opening by itself takes no focus
    launcher = chat.launcher.bounding_box()
    assert launcher is not None and launcher["x"] < 100
    chat.settle()
    panel = chat.panel.bounding_box()
    assert panel is not None and panel["x"] < 100


def test_size_and_ready_time(assistant: Assistant, browser: Browser) -> None:
    js, css = served("widget.js"), served("widget.css")  # as sent: widget.js is built from its parts
    runs = []
    for _ in range(5):
        ctx = new_context(browser)  # a cold cache every time
        try:
            page = ctx.new_page()
            page.goto(f"{assistant.url}/webhooks/widget/demo.html")
            page.wait_for_function("""() => !!customElements.get('career-chat') &&
                performance.getEntriesByName('career-chat:ready').length > 0""")
            expect(Chat(page).launcher).to_be_visible()
            runs.append(page.evaluate("""() => ({
                ready: performance.getEntriesByName('career-chat:ready')[0].startTime,
                domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
            })"""))
        finally:
            ctx.close()
    ready = [round(r["ready"], 1) for r in runs]
    metrics = {
        "widget_js_bytes": len(js),
        "widget_css_bytes": len(css),
        "widget_total_bytes": len(js) + len(css),
        "widget_total_gzip_bytes": len(gzip.compress(js, 9)) + len(gzip.compress(css, 9)),
        "ready_ms_median": statistics.median(ready),
        "ready_ms_runs": ready,
        "dom_content_loaded_ms_median": round(statistics.median(r["domContentLoaded"] for r in runs), 1),
        "ready_measured_as": "demo.html on the local Rasa server, headless Chromium, cold cache: time from "
                             "navigation start to the widget's 'career-chat:ready' mark (element defined, "
                             "stylesheet loaded, launcher shown)",
        "browser": f"Chromium {browser.version}",
    }
    print("widget metrics:", json.dumps(metrics, indent=2))
    record(**metrics)
    assert metrics["ready_ms_median"] < 3000
