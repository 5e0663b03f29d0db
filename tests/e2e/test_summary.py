"""The student's summary for their counsellor, in Debian's Chromium against the real servers (scripts/serve.sh).

A server of this module's own, with a schools file whose one school's page is a local host page (so the widget
runs on an allowed origin) and has next-step links. The widget gets its conversation's key when the chat
begins; its "Summary for my counsellor" link opens the page. The page is checked with axe, in print media,
with Copy and Print from the keyboard, and refused (with no data) to a wrong key, an expired key and another
student's key; after the retention purge it has nothing to show. The screenshot goes to build/widget-docs/
(WIDGET_DOCS_DIR=docs: to the documentation's).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.keys import derived, secret, summary_key
from harness.assistant import AssistantDidNotStart, start_assistant
from harness.servers import PROJECT_DIR, free_port
from store.purge import purge
from tests.e2e.conftest import HostPages
from tests.e2e.test_widget import ANSWER_TIMEOUT, Chat, host_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
DOCS_OUT = Path(os.environ.get("WIDGET_DOCS_DIR") or PROJECT_DIR / "build" / "widget-docs")  # never docs/ in tests
LINKS = [("Radiography open day at Lakeside College", "https://www.lakeside-college.example/open-days"),
         ("Hillside's careers events", "https://www.hillside.example/careers/events")]
GAP = "what are the working hours like"

expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """The server, its host pages (the school's one origin), and its secret file (to make an expired key)."""
    tmp = tmp_path_factory.mktemp("summary")
    port = free_port()
    links = "".join(f"\n      - {{title: \"{t}\", url: \"{u}\"}}" for t, u in LINKS)
    (tmp / "schools.yml").write_text(f"""
schools:
  - id: hillside
    name: Hillside High School
    origins: [http://127.0.0.1:{port}]
    counsellor: {{name: Ms Ada Park, email: ada.park@hillside.example, phone: "555-0142"}}
    links:{links}
""", encoding="utf-8")
    secret_file = tmp / "insights.secret"
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(start_assistant(tmp, {"SCHOOLS_FILE": str(tmp / "schools.yml"),
                                                               "INSIGHTS_SECRET_FILE": str(secret_file)}))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        pages = HostPages(port)
        stack.callback(pages.close)
        tag = f'<script src="{server.url}/webhooks/widget/widget.js" async data-school="Hillside High School"></script>'
        yield {"server": server, "page": pages.add("careers.html", host_page(tag)), "origin": pages.origin,
               "secret": secret_file}


@pytest.fixture()
def context(browser: Browser, school: Dict[str, Any]) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=school["server"].url)
    yield ctx
    ctx.close()


def summary_url(school: Dict[str, Any], key: str) -> str:
    return f"{school['server'].url}/webhooks/summary/?key={key}"


def new_key(school: Dict[str, Any], sender: str) -> requests.Response:
    """What the widget asks as its conversation begins, from the school's page."""
    return requests.post(f"{school['server'].url}/webhooks/summary/key", json={"sender": sender},
                         headers={"Origin": school["origin"]}, timeout=30)


def chat_by_rest(school: Dict[str, Any], sender: str, *texts: str) -> None:
    for text in texts:
        school["server"].say(sender, text, origin=school["origin"])


def axe(page: Page) -> List[Dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("() => axe.run(document).then(r => r.violations)")


def test_the_summary_from_the_widget(school: Dict[str, Any], context: BrowserContext, browser: Browser) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make e2e` runs npm ci")
    page = context.new_page()
    page.goto(school["page"])
    chat = Chat(page).ready().open()
    link = page.get_by_role("link", name="Summary for my counsellor")
    expect(link).to_be_visible()  # the conversation's key came as it began
    chat.ask("what does a sonographer do", "gel")
    chat.ask(GAP, "working hours")
    handoff = chat.ask("can i talk to my counsellor", "Next steps from your counsellor", source=False)
    for title, url in LINKS:
        expect(handoff).to_contain_text(f"{title}: {url}")
    assert chat.storage()["key"]["sender"] == chat.storage()["sender"]

    # From the keyboard: the link is reached by Tab from the message box, and opens the page in a new tab.
    chat.input.focus()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.querySelector('career-chat').shadowRoot.activeElement?.className")\
                == "summary-link":
            break
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    summary = opened.value
    summary.wait_for_load_state()
    assert "key=" not in summary.url  # taken out of the address bar (and the history entry) at once
    expect(summary.get_by_role("heading", level=1)).to_have_text("Summary for my counsellor")
    asked = summary.locator("section", has=summary.get_by_role("heading", name="My questions and the answers"))
    expect(asked.locator(".question").first).to_have_text("what does a sonographer do")
    expect(asked.locator(".source").first).to_contain_text("Luanne Kelchner")
    expect(asked).not_to_contain_text(GAP)
    open_ = summary.locator("section", has=summary.get_by_role("heading", name="Questions the sources could not"))
    expect(open_.locator(".question")).to_have_text([GAP])
    expect(open_.locator(".source")).to_contain_text("Sources checked")
    mine = summary.locator("section", has=summary.get_by_role("heading", name="My counsellor"))
    expect(mine).to_contain_text("Ms Ada Park at Hillside High School")
    expect(mine.get_by_role("link", name="ada.park@hillside.example")).to_have_attribute(
        "href", "mailto:ada.park@hillside.example")
    for title, url in LINKS:
        expect(mine.get_by_role("link", name=title)).to_have_attribute("href", url)

    DOCS_OUT.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    summary.screenshot(path=str(DOCS_OUT / "screenshots" / "summary.png"), full_page=True)

    # Copy and Print are real buttons, reached and pressed from the keyboard.
    summary.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    summary.locator("body").focus()
    summary.keyboard.press("Tab")  # the first focusable control is Copy
    expect(summary.get_by_role("button", name="Copy")).to_be_focused()
    summary.keyboard.press("Enter")
    expect(summary.get_by_role("status")).to_have_text(re.compile("^Copied"))
    copied = summary.evaluate("() => navigator.clipboard.readText()")
    assert "what does a sonographer do" in copied and GAP in copied and "Ms Ada Park" in copied
    assert "Copy" not in copied.split("\n") and "Print" not in copied.split("\n")
    summary.keyboard.press("Tab")
    expect(summary.get_by_role("button", name="Print")).to_be_focused()
    summary.keyboard.press("Enter")
    assert summary.evaluate("window.__printed") == 1

    # On paper: the buttons go, the summary stays.
    summary.emulate_media(media="print")
    expect(summary.get_by_role("button", name="Copy")).to_be_hidden()
    expect(summary.get_by_role("button", name="Print")).to_be_hidden()
    expect(asked.locator(".question").first).to_be_visible()
    expect(mine.get_by_role("link", name=LINKS[0][0])).to_be_visible()
    summary.emulate_media(media="screen")

    # axe: the page's CSP forbids injected scripts, so a context that bypasses it loads the same page by its key.
    key = chat.storage()["key"]["key"]
    ctx = browser.new_context(bypass_csp=True)
    try:
        scanned = ctx.new_page()
        scanned.goto(summary_url(school, key))
        violations = axe(scanned)
    finally:
        ctx.close()
    print("axe violations on the summary page:", json.dumps([v["id"] for v in violations]))
    assert violations == [], [f"{v['impact']}: {v['id']} {[n['target'] for n in v['nodes']]}" for v in violations]


def test_start_over_gets_a_new_key(school: Dict[str, Any], context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(school["page"])
    Chat(page).ready().open()
    link = page.get_by_role("link", name="Summary for my counsellor")
    expect(link).to_be_visible()
    first = link.get_attribute("href")
    page.get_by_role("button", name="Start over").click()
    page.wait_for_function("href => { const a = document.querySelector('career-chat').shadowRoot"
                           ".querySelector('.summary-link'); return !a.hidden && a.href !== href; }", arg=first,
                           timeout=ANSWER_TIMEOUT)


@pytest.mark.parametrize("case", ["wrong", "expired", "another student's", "a sender id"])
def test_a_key_that_is_not_the_student_s_own_gets_nothing(school: Dict[str, Any], browser: Browser,
                                                          case: str) -> None:
    student, other = uuid.uuid4().hex, uuid.uuid4().hex
    mine = new_key(school, student).json()["key"]
    theirs = new_key(school, other).json()["key"]
    chat_by_rest(school, student, "what does a sonographer do")
    chat_by_rest(school, other, "how much do mri technologists earn")
    assert new_key(school, student).status_code == 409  # a begun conversation's sender id gets no key
    if case == "wrong":
        key = mine[:-4] + ("AAAA" if not mine.endswith("AAAA") else "BBBB")
    elif case == "expired":
        signing = derived(secret({"INSIGHTS_SECRET_FILE": str(school["secret"])}), "summary-key")
        key = summary_key(student, time.time() - 9 * 3600, signing)[0]
    elif case == "another student's":
        encoded, expires, mac = theirs.split(".")
        key = f"{mine.split('.')[0]}.{expires}.{mac}"  # their signature on my sender id
    else:
        key = student
    ctx = browser.new_context(bypass_csp=True)
    try:
        page = ctx.new_page()
        answer = page.goto(summary_url(school, key))
        assert answer is not None and answer.status == 403
        body = page.locator("main").inner_text()
        assert "sonographer" not in body and "mri" not in body.lower() and "Ada Park" not in body
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This summary link has expired" if case == "expired" else "This summary link is not right")
        assert axe(page) == []
    finally:
        ctx.close()
    # Their own keys still open their own conversations only.
    assert "how much do mri technologists earn" in requests.get(summary_url(school, theirs), timeout=30).text
    assert "how much do mri" not in requests.get(summary_url(school, mine), timeout=30).text


def test_a_purged_conversation_has_no_summary(school: Dict[str, Any]) -> None:
    """Last in the module: the purge (store/purge.py, days 0) removes every conversation of this server."""
    sender = uuid.uuid4().hex
    key = new_key(school, sender).json()["key"]
    chat_by_rest(school, sender, "what does a sonographer do")
    assert requests.get(summary_url(school, key), timeout=30).status_code == 200
    time.sleep(0.1)
    assert purge(school["server"].tracker_url, 0) >= 1
    gone = requests.get(summary_url(school, key), timeout=30)
    assert gone.status_code == 404 and "sonographer" not in gone.text and "nothing to show" in gone.text
