"""Read aloud: each answer's button speaks it with the browser's own speech synthesis (widget-readaloud.js).

The browser's API is replaced, before the widget loads, by a recorder (RECORDER): the tests check what
the widget asks the browser to say, not the browser's voices. Headless Chromium (Debian's 156 here) has a real
`speechSynthesis` but no voices: `speak()` ends at once with a "synthesis-failed" error
(test_real_speech_synthesis_in_headless_chromium). Needs what tests/e2e/test_widget.py needs.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from harness.assistant import Assistant
from tests.e2e.conftest import HostPages
from tests.e2e.test_widget import AXE, Chat, embed, host_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NAME = "Read this answer aloud"
# window.speechSynthesis as a recorder: `window.__speech` lists every speak (text, lang) and cancel;
# `speechSynthesis.finish()` ends what is queued, as the end of the speech would.
RECORDER = """(() => {
    const log = window.__speech = [];
    let queue = [];
    const fire = (u, type) => { const f = u['on' + type]; if (f) f.call(u, {type: type, utterance: u}); };
    const synth = {
        pending: false, paused: false,
        get speaking() { return queue.length > 0; },
        speak(u) { log.push(['speak', u.text, u.lang]); queue.push(u); },
        cancel() { log.push(['cancel']); const q = queue; queue = []; q.forEach(u => fire(u, 'error')); },
        finish() { const q = queue; queue = []; q.forEach(u => fire(u, 'end')); },
        getVoices() { return []; }, pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
    };
    Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
})();"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.add_init_script(RECORDER)
    return page


def spoken(page: Page) -> List[List[str]]:
    return page.evaluate("window.__speech")


def said(page: Page) -> List[str]:
    """The texts spoken since the last cancel."""
    log = spoken(page)
    last_cancel = max((i for i, entry in enumerate(log) if entry[0] == "cancel"), default=-1)
    return [entry[1] for entry in log[last_cancel + 1:] if entry[0] == "speak"]


def shown_lines(answer: Locator) -> List[str]:
    """The answer's visible lines, its source line included: what a sighted student reads."""
    text = answer.locator(".text").inner_text() + "\n" + answer.locator(".source").inner_text()
    return [line.strip(" •") for line in text.split("\n") if line.strip(" •")]  # list bullets are not read


def seed(page: Page, assistant: Assistant, messages: List[Dict[str, Any]]) -> None:
    """A conversation kept in this tab (as after a reload): the widget shows it without asking the server."""
    state = {"sender": "a" * 32, "messages": messages, "open": True}
    page.add_init_script(f"sessionStorage.setItem({json.dumps('career-chat:v1:' + assistant.url)}, "
                         f"{json.dumps(json.dumps(state))});")


ANSWERS = [{"role": "user", "text": "what does a sonographer do"},
           {"role": "bot", "text": "• Sonographers:\n• use sound waves;\n• put gel on the skin.",
            "source": "Source: careertrend.com (Luanne Kelchner)."},
           {"role": "user", "text": "and pay?"},
           {"role": "bot", "text": "Sonographers earned $65,860 a year.", "source": "Source: somewhere."}]


def test_the_button_speaks_the_answer_in_the_browser_and_stops_when_pressed_again(
        assistant: Assistant, host: HostPages, page: Page) -> None:
    watching = {"on": False}
    sent: List[Any] = []  # what goes to the server once the answer is in: requests, socket.io frames
    page.on("request", lambda r: sent.append(r.url) if watching["on"] else None)
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(f) if watching["on"] and f != "3"
                                          else None))  # Engine.IO's pong ("3") answers the server's ping
    page.goto(host.add("speak.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    expect(chat.bot.first.get_by_role("button", name=NAME)).to_have_count(0)  # the greeting is not an answer
    answer = chat.ask("what does a sonographer do", "gel")
    assert page.evaluate("document.querySelector('career-chat').transport.mode") == "socket"
    button = answer.get_by_role("button", name=NAME)
    expect(button).to_have_attribute("aria-pressed", "false")
    box = button.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    watching["on"] = True

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    lines = said(page)
    assert lines == shown_lines(answer)
    assert lines[-1].startswith("Source: ") and any("gel" in line for line in lines)
    assert {entry[2] for entry in spoken(page) if entry[0] == "speak"} == {"en"}  # <html lang="en">

    before = len(spoken(page))
    button.click()  # again: it stops
    expect(button).to_have_attribute("aria-pressed", "false")
    assert spoken(page)[before:] == [["cancel"]]

    button.click()  # and once more, to the end of the speech
    expect(button).to_have_attribute("aria-pressed", "true")
    page.evaluate("speechSynthesis.finish()")
    expect(button).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(1000)
    assert sent == []


def test_keyboard_tab_from_the_answer_and_enter_and_another_answer_stops_the_first(
        assistant: Assistant, host: HostPages, page: Page) -> None:
    seed(page, assistant, ANSWERS)
    page.goto(host.add("keys.html", host_page(embed(assistant))))
    chat = Chat(page).ready()
    expect(chat.panel).to_be_visible()
    buttons = page.get_by_role("button", name=NAME)
    expect(buttons).to_have_count(2)
    chat.log.focus()
    page.keyboard.press("Tab")  # the log's first control: after the first answer
    assert page.evaluate("document.querySelector('career-chat').shadowRoot.activeElement"
                         " === document.querySelector('career-chat').shadowRoot.querySelectorAll('.read')[0]")
    outline = page.evaluate("getComputedStyle(document.querySelector('career-chat').shadowRoot.activeElement)"
                            ".outlineStyle")
    assert outline == "solid"  # focus is visible
    page.keyboard.press("Enter")
    expect(buttons.first).to_have_attribute("aria-pressed", "true")
    assert said(page) == ["Sonographers:", "use sound waves;", "put gel on the skin.",
                          "Source: careertrend.com (Luanne Kelchner)."]

    page.keyboard.press("Tab")  # the next answer's button; Space presses it
    page.keyboard.press("Space")
    expect(buttons.first).to_have_attribute("aria-pressed", "false")
    expect(buttons.last).to_have_attribute("aria-pressed", "true")
    assert said(page) == ["Sonographers earned $65,860 a year.", "Source: somewhere."]
    page.keyboard.press("Enter")
    expect(buttons.last).to_have_attribute("aria-pressed", "false")
    assert spoken(page)[-1] == ["cancel"]

    page.keyboard.press("Enter")  # speaking again, Escape closes the chat and stops it
    expect(buttons.last).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert spoken(page)[-1] == ["cancel"]


@pytest.mark.parametrize("lang, voice", [("en-GB", "en-GB"), ("es", "es"), ("es-MX", "es-MX"), ("fr", "en"),
                                         ("", "en")])
def test_the_voice_speaks_the_chat_s_language_in_the_page_s_variant(assistant: Assistant, host: HostPages,
                                                                   page: Page, lang: str, voice: str) -> None:
    """The chat speaks the page's language (Spanish or English, else English), and so does the voice; the page's
    variant picks the accent."""
    seed(page, assistant, ANSWERS[:2])
    html = host_page(embed(assistant)).replace("<html lang='en'>", f"<html lang='{lang}'>")
    page.goto(host.add(f"lang-{lang or 'none'}.html", html))
    page.wait_for_selector("career-chat[ready]", state="attached")
    page.get_by_role("button", name="Leer esta respuesta en voz alta" if voice.startswith("es") else NAME).click()
    assert {entry[2] for entry in spoken(page) if entry[0] == "speak"} == {voice}


def test_no_button_without_speech_synthesis(assistant: Assistant, host: HostPages, context: BrowserContext) -> None:
    page = context.new_page()
    page.add_init_script(NO_SPEECH)
    page.goto(host.add("mute.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    assert page.evaluate("'speechSynthesis' in window") is False
    answer = chat.ask("what does a sonographer do", "gel")
    expect(answer.locator(".source")).to_be_visible()
    expect(page.locator("career-chat .read")).to_have_count(0)  # not hidden: not there at all


def test_axe_with_the_buttons_on_a_phone(assistant: Assistant, host: HostPages, browser: Browser) -> None:
    """axe-core finds nothing (any impact) with the buttons present, one of them pressed; targets of 24 px or more."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    try:
        page = ctx.new_page()
        page.add_init_script(RECORDER)
        page.goto(host.add("axe-read.html", host_page(embed(assistant))))
        chat = Chat(page).ready()
        chat.launcher.tap()
        chat.settle()
        chat.ask("how much would i earn", "Which one do you mean?", source=False)
        answer = chat.ask("what does a sonographer do", "gel")
        button = answer.get_by_role("button", name=NAME)
        button.tap()
        expect(button).to_have_attribute("aria-pressed", "true")
        box = button.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24
        assert box["x"] + box["width"] <= 360
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("() => axe.run(document.querySelector('career-chat'), "
                                "{resultTypes: ['violations']})")
    finally:
        ctx.close()
    assert [f"{v['impact']}: {v['id']} {[n['target'] for n in v['nodes']]}" for v in results["violations"]] == []


def test_real_speech_synthesis_in_headless_chromium(assistant: Assistant, host: HostPages,
                                                   context: BrowserContext) -> None:
    """Without the recorder: the browser's own API. Headless Chromium has it, with no voices to speak."""
    page = context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    seed(page, assistant, ANSWERS[:2])
    page.goto(host.add("real.html", host_page(embed(assistant))))
    Chat(page).ready()
    button = page.get_by_role("button", name=NAME)
    button.click()
    if page.evaluate("speechSynthesis.getVoices().length") == 0:
        expect(button).to_have_attribute("aria-pressed", "false")  # failed at once: it does not stay pressed
    else:
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
    assert errors == []
