"""The widget in Spanish, in Debian's Chromium against the real servers (scripts/serve.sh), as tests/e2e/test_widget.py.

A school's tag with `data-lang="es"` (or a page whose `<html lang>` is Spanish) gets every word of the widget in
Spanish, `lang="es"` on the widget for screen readers, and `lang: "es"` in each message's metadata, which the
server keeps; axe-core finds nothing in it; Spanish source lines stand under their answer; the summary link opens
the summary page in Spanish. An English page is as it was. Needs what test_widget.py needs.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Optional

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from harness.assistant import Assistant
from harness.servers import free_port
from store.events import stored_data
from tests.e2e.conftest import HostPages
from tests.e2e.test_widget import ANSWER_TIMEOUT, AXE, SCREENSHOTS, embed, host_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EXAMPLES = ["¿Qué hace un ecografista?", "¿Cuánto ganan los técnicos de rayos X?", "¿Necesito una licencia?",
            "¿Qué trabajos hay en este grupo?"]
GREETING = ("Asistente: ¡Hola! Soy el asistente de orientación vocacional de Hillside High School. Pregúntame sobre "
            "trabajos en imágenes médicas, como rayos X, ultrasonido o resonancia magnética: qué hacen, cuánto ganan, "
            "qué estudian y qué licencias necesitan.")
# English words that must not show (or be named to a screen reader) in the Spanish widget.
ENGLISH = ["Careers chat", "Start over", "Close chat", "Conversation", "Your question", "Ask about a career", "Send",
           "Answers come from", "Summary for my counsellor", "Try asking", "Example questions", "Assistant:", "You:",
           "Suggested replies", "Read this answer aloud", "typing", "Retry", "Sorry", "Hi!"]
SHOWN_AND_NAMED = """() => {
    const root = document.querySelector('career-chat').shadowRoot;
    const named = [...root.querySelectorAll('[aria-label], [title], [placeholder]')].map(
        el => [el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('placeholder')].join(' '));
    return root.textContent + ' ' + named.join(' ');
}"""

expect.set_options(timeout=15_000)


@pytest.fixture()
def context(browser: Browser, assistant: Assistant) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=assistant.url)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Page:
    return context.new_page()


def spanish_page(assistant: Assistant, html_lang: str = "en", **data: str) -> str:
    """A school's page with the widget's tag; `data-lang="es"` unless `data` says otherwise."""
    return host_page(embed(assistant, **{"lang": "es", **data})).replace("<html lang='en'>",
                                                                          f"<html lang='{html_lang}'>")


def langs(page: Page) -> Dict[str, Optional[str]]:
    """The `lang` of the <career-chat> element and of the wrapper inside its shadow root."""
    return page.evaluate("""() => {
        const el = document.querySelector('career-chat');
        return {host: el.getAttribute('lang'), root: el.shadowRoot.querySelector('.root').getAttribute('lang')};
    }""")


def uttered(frames: List[Any]) -> List[Dict[str, Any]]:
    """The `user_uttered` packets among the socket.io frames the page sent."""
    found = []
    for frame in frames:
        if isinstance(frame, str) and frame.startswith('42["user_uttered"'):
            found.append(json.loads(frame[2:])[1])
    return found


def bot_count(page: Page) -> int:
    return page.evaluate("document.querySelector('career-chat').shadowRoot.querySelectorAll('.message.bot').length")


def wait_for_more_bot_messages(page: Page, than: int) -> None:
    page.wait_for_function("n => document.querySelector('career-chat').shadowRoot"
                           ".querySelectorAll('.message.bot').length > n", arg=than, timeout=ANSWER_TIMEOUT)


def axe_violations(page: Page) -> List[str]:
    """Every axe-core violation in the widget, of any impact, once the panel's opening animation is over."""
    page.wait_for_function("() => document.querySelector('career-chat').shadowRoot.getAnimations().length === 0")
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in the project directory")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document.querySelector('career-chat'), {resultTypes: ['violations']})")
    return [f"{v['impact']}: {v['id']} {[n['target'] for n in v['nodes']]}" for v in result["violations"]]


def stored(assistant: Assistant, page: Page) -> List[Dict[str, Any]]:
    """The widget's conversation as the server stored it, once its answer is stored (a little after it is shown)."""
    sender = page.evaluate("document.querySelector('career-chat').state.sender")
    for _ in range(100):
        events = [json.loads(data) for data in stored_data(assistant.tracker_url, sender)]
        if any(e.get("event") == "bot" for e in events):
            return events
        page.wait_for_timeout(100)
    raise AssertionError(f"nothing stored for {sender}")


def stored_lang(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    """The `lang` of each user message's metadata as the server kept it."""
    return [(e.get("metadata") or {}).get("lang") for e in events if e.get("event") == "user"]


def until_sent(page: Page, frames: "Frames", count: int) -> List[Dict[str, Any]]:
    """The page's user_uttered packets, once there are `count` (the first message may wait for its summary key)."""
    for _ in range(100):
        if len(uttered(frames.sent)) >= count:
            break
        page.wait_for_timeout(100)
    return uttered(frames.sent)


class Frames:
    """A pass-through of the page's socket.io WebSocket: what the page sends is kept, the server's replies can be
    held back, and the test can add bot messages of its own."""

    def __init__(self, page: Page) -> None:
        self.sent: List[Any] = []
        self.held: List[Any] = []
        self.hold = False
        self.page_side: Any = None
        page.route_web_socket(re.compile(r"/socket\.io/"), self.route)

    def route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda frame: (self.sent.append(frame), server.send(frame)))
        server.on_message(lambda frame: self.held.append(frame) if self.hold else ws.send(frame))
        self.page_side = ws

    def release(self) -> None:
        self.hold = False
        for frame in self.held:
            self.page_side.send(frame)
        self.held = []

    def bot(self, text: str, buttons: Optional[List[Dict[str, str]]] = None) -> None:
        """A bot message, as the socketio channel sends one part of a reply."""
        data: Dict[str, Any] = {"text": text}
        if buttons:
            data["quick_replies"] = [{"content_type": "text", **b} for b in buttons]
        self.page_side.send("42" + json.dumps(["bot_uttered", data]))


def test_every_word_in_spanish_and_the_language_goes_with_each_message(assistant: Assistant, host: HostPages,
                                                                       page: Page) -> None:
    frames = Frames(page)
    page.goto(host.add("es.html", spanish_page(assistant)))  # an English page: the tag's data-lang wins
    page.wait_for_selector("career-chat[ready]", state="attached")
    assert langs(page) == {"host": "es", "root": "es"}
    launcher = page.get_by_role("button", name="Chat de carreras", exact=True)
    expect(launcher).to_have_text("Chat de carreras")
    launcher.click()
    expect(page.get_by_role("dialog", name="Chat de carreras, Hillside High School")).to_be_visible()
    expect(page.get_by_role("heading", name="Chat de carreras")).to_be_visible()
    box = page.get_by_role("textbox", name="Tu pregunta")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("placeholder", "Pregunta sobre una carrera…")
    expect(box).to_have_accessible_description("Las respuestas vienen de dos fuentes publicadas. Para consejos "
                                               "sobre ti, habla con tu consejero o consejera.")
    for name in ("Enviar", "Empezar de nuevo", "Cerrar el chat"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Empezar de nuevo")).to_have_attribute("title", "Empezar de nuevo")
    expect(page.get_by_role("log", name="Conversación")).to_be_visible()
    bot = page.locator("career-chat .message.bot")
    expect(bot.first).to_have_text(GREETING)
    expect(page.locator("career-chat .examples-label")).to_have_text("Puedes preguntar:")
    expect(page.get_by_role("list", name="Preguntas de ejemplo").get_by_role("button")).to_have_text(EXAMPLES)
    summary = page.get_by_role("link", name="Resumen para mi consejero o consejera")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("href", re.compile(r"/webhooks/summary/\?key=[^&]+&lang=es$"))
    words = page.evaluate(SHOWN_AND_NAMED)
    assert [w for w in ENGLISH if w in words] == []

    # An example question: shown as the student's, sent with lang "es", kept so by the server.
    page.wait_for_function("() => document.querySelector('career-chat').transport.mode === 'socket'")
    frames.hold = True
    page.get_by_role("button", name=EXAMPLES[0]).click()
    expect(page.locator("career-chat .message.user").last).to_have_text("Tú: " + EXAMPLES[0])
    expect(page.get_by_role("status")).to_have_text("El asistente está escribiendo…")
    sent = until_sent(page, frames, 1)
    assert [(u["message"], u["metadata"]["lang"]) for u in sent] == [(EXAMPLES[0], "es")]
    assert sent[0]["metadata"]["school"] == "Hillside High School"
    page.keyboard.press("Escape")  # closed while the answer comes: the launcher says there is a new one
    page.wait_for_timeout(3000)
    frames.release()
    expect(launcher).to_have_count(0)
    expect(page.get_by_role("button", name="Chat de carreras, respuesta nueva")).to_be_visible()
    page.get_by_role("button", name="Chat de carreras, respuesta nueva").click()
    wait_for_more_bot_messages(page, 1)
    assert stored_lang(stored(assistant, page)) == ["es"]

    # Spanish source lines stand under their answer, as the English ones do; buttons are "Respuestas sugeridas".
    page.wait_for_timeout(1600)  # the reply's parts are over (QUIET_MS): what comes next is a new reply
    for answer, source in [("Un ecografista usa ondas de sonido.", "Fuente: careertrend.com (Luanne Kelchner)."),
                           ("Ganaban 65,860 dólares al año.", "Fuentes: BLS; careertrend.com."),
                           ("Mis fuentes no dicen cuántas horas.", "Fuentes consultadas: PSCO; careertrend.com.")]:
        frames.bot(answer)
        frames.bot(source)
        shown = bot.filter(has_text=answer)
        expect(shown.locator(".text")).to_have_text(answer)
        expect(shown.locator(".source")).to_have_text(source)
        expect(shown.get_by_role("button", name="Leer esta respuesta en voz alta")).to_be_visible()
        page.wait_for_timeout(1600)
    frames.bot("¿Cuál quieres decir?", [{"title": "Ecografista", "payload": "/greet"}])
    expect(page.get_by_role("group", name="Respuestas sugeridas").get_by_role("button")).to_have_text(["Ecografista"])
    words = page.evaluate(SHOWN_AND_NAMED)
    assert [w for w in ENGLISH if w in words] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-spanish.png"))

    page.get_by_role("button", name="Empezar de nuevo").click()
    expect(page.get_by_role("status")).to_have_text("Empezaste una conversación nueva.")
    expect(page.get_by_role("list", name="Preguntas de ejemplo")).to_be_visible()


def test_axe_finds_nothing_in_spanish(assistant: Assistant, host: HostPages, page: Page) -> None:
    """Closed, open with the examples, and with an answer, its Spanish source line, read-aloud button and buttons."""
    frames = Frames(page)
    page.goto(host.add("es-axe.html", spanish_page(assistant)))
    page.wait_for_selector("career-chat[ready]", state="attached")
    found = {"closed": axe_violations(page)}
    page.get_by_role("button", name="Chat de carreras").click()
    expect(page.get_by_role("list", name="Preguntas de ejemplo")).to_be_visible()
    found["open"] = axe_violations(page)
    page.get_by_role("textbox", name="Tu pregunta").fill("¿qué hace un ecografista?")
    page.keyboard.press("Enter")
    wait_for_more_bot_messages(page, 1)
    page.wait_for_timeout(1600)
    frames.bot("Un ecografista usa ondas de sonido para ver dentro del cuerpo.")
    frames.bot("Fuente: careertrend.com (Luanne Kelchner).", [{"title": "Técnico de rayos X", "payload": "/greet"}])
    expect(page.locator("career-chat .source").last).to_have_text("Fuente: careertrend.com (Luanne Kelchner).")
    found["answered"] = axe_violations(page)
    assert found == {"closed": [], "open": [], "answered": []}


def test_the_errors_in_spanish(assistant: Assistant, host: HostPages, page: Page) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    page.goto(host.add("es-down.html", spanish_page(assistant, server=closed)))
    page.wait_for_selector("career-chat[ready]", state="attached")
    page.get_by_role("button", name="Chat de carreras").click()
    box = page.get_by_role("textbox", name="Tu pregunta")
    box.fill("¿qué hace un ecografista?")
    box.press("Enter")
    error = page.locator("career-chat .error")
    expect(error).to_be_visible(timeout=20_000)
    expect(error).to_contain_text("Perdón, ahora no puedo conectarme con el asistente. Revisa tu conexión y vuelve "
                                  "a intentarlo.")
    expect(page.get_by_role("button", name="Reintentar")).to_be_visible()
    expect(box).to_have_value("¿qué hace un ecografista?")
    assert axe_violations(page) == []


@pytest.mark.parametrize("html_lang, data_lang, expected", [
    ("es-MX", "", "es"),     # no data-lang: the page's language
    ("en", "es-MX", "es"),   # the tag's wins
    ("es", "en-GB", "en"),
    ("es", "fr", "es"),      # a language the widget doesn't speak: the next one that it does
    ("fr", "", "en"),        # else English
    ("", "", "en"),
])
def test_how_the_language_is_chosen(assistant: Assistant, host: HostPages, page: Page, html_lang: str,
                                    data_lang: str, expected: str) -> None:
    html = spanish_page(assistant, html_lang=html_lang, lang=data_lang)
    if not data_lang:
        html = html.replace(' data-lang=""', "")
    page.goto(host.add(f"lang-{html_lang or 'none'}-{data_lang or 'none'}.html", html))
    page.wait_for_selector("career-chat[ready]", state="attached")
    assert langs(page) == {"host": expected, "root": expected}
    name = {"es": "Chat de carreras", "en": "Careers chat"}[expected]
    expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()


def test_an_english_page_is_as_it_was(assistant: Assistant, host: HostPages, page: Page) -> None:
    frames = Frames(page)
    page.goto(host.add("en.html", host_page(embed(assistant))))
    page.wait_for_selector("career-chat[ready]", state="attached")
    assert langs(page) == {"host": "en", "root": "en"}
    page.get_by_role("button", name="Careers chat").click()
    expect(page.get_by_role("list", name="Example questions").get_by_role("button")).to_have_text([
        "What does a sonographer do?", "How much do X-ray techs earn?", "Do I need a licence?",
        "Which jobs are in this group?"])
    expect(page.get_by_role("link", name="Summary for my counsellor")).to_have_attribute(
        "href", re.compile(r"&lang=en$"))
    page.get_by_role("textbox", name="Your question").fill("what does a sonographer do")
    page.keyboard.press("Enter")
    wait_for_more_bot_messages(page, 1)
    answer = page.locator("career-chat .message.bot").filter(has_text="gel")
    expect(answer.locator(".source")).to_have_text(re.compile(r"^Source: "))
    assert [u["metadata"]["lang"] for u in until_sent(page, frames, 1)] == ["en"]
    assert stored_lang(stored(assistant, page)) == ["en"]


def test_the_summary_page_in_spanish_from_the_widget(assistant: Assistant, host: HostPages, browser: Browser,
                                                     context: BrowserContext, page: Page) -> None:
    page.goto(host.add("es-summary.html", spanish_page(assistant)))
    page.wait_for_selector("career-chat[ready]", state="attached")
    page.get_by_role("button", name="Chat de carreras").click()
    page.get_by_role("textbox", name="Tu pregunta").fill("what does a sonographer do")
    page.keyboard.press("Enter")
    page.locator("career-chat .message.bot").filter(has_text="gel").wait_for(timeout=ANSWER_TIMEOUT)
    stored(assistant, page)  # the summary reads what is stored
    link = page.get_by_role("link", name="Resumen para mi consejero o consejera")
    href = link.get_attribute("href")
    with context.expect_page() as opened:
        link.click()
    summary = opened.value
    summary.wait_for_load_state()
    assert summary.evaluate("document.documentElement.lang") == "es"
    expect(summary.get_by_role("heading", level=1)).to_have_text("Resumen para mi consejero o consejera")
    expect(summary.get_by_role("heading", name="Mis preguntas y las respuestas")).to_be_visible()
    expect(summary.get_by_role("heading", name="Preguntas que las fuentes no pudieron responder")).to_be_visible()
    expect(summary.get_by_role("heading", name="Mi consejero o consejera", exact=True)).to_be_visible()
    expect(summary.locator(".question").first).to_have_text("what does a sonographer do")  # the student's words
    summary.get_by_role("button", name="Copiar").click()
    expect(summary.get_by_role("status")).to_have_text(re.compile("^Copiado. "))
    expect(summary.get_by_role("button", name="Imprimir")).to_be_visible()

    # axe: the page's CSP forbids injected scripts, so a context that bypasses it opens the same link.
    ctx = browser.new_context(bypass_csp=True)
    try:
        scanned = ctx.new_page()
        assert href is not None
        scanned.goto(href)
        scanned.add_script_tag(path=str(AXE))
        violations = scanned.evaluate("() => axe.run(document).then(r => r.violations)")
        wrong = ctx.new_page()
        refused = wrong.goto(href.replace("key=", "key=x"))
        assert refused is not None and refused.status == 403
        assert wrong.evaluate("document.documentElement.lang") == "es"
        expect(wrong.get_by_role("heading", level=1)).to_have_text("Este enlace del resumen no es correcto")
    finally:
        ctx.close()
    assert [f"{v['impact']}: {v['id']}" for v in violations] == []
