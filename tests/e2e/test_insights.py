"""The counsellors' insights page in Debian's Chromium, on the district's real server.

Students chat through the real REST channel from their school's origin: those chats are this week's,
which the page never counts until the week is over. Older conversations are added to the same
SQLite store in Rasa's own row format (harness/insights_data.py): a few hundred per school over 12
weeks for the plots, and, in each school's latest finished week, texts typed by established
conversations (two messages or more) from several client addresses, or from one, or in one-message
conversations. Then counsellors sign in with their school's token and read the page.
The screenshot goes to build/widget-docs/ (`make widget-docs`: to docs/).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from harness.assistant import Assistant
from harness.insights_data import busy_school, typed_by
from harness.servers import PROJECT_DIR
from insights.counts import TOPIC_NAMES, Week, latest_week
from tests.e2e.conftest import HILLSIDE, TOKENS

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
DOCS_OUT = Path(os.environ.get("WIDGET_DOCS_DIR") or PROJECT_DIR / "build" / "widget-docs")
RUN = uuid.uuid4().hex[:6]
CHICAGO, UTC = ZoneInfo("America/Chicago"), ZoneInfo("UTC")  # Hillside's and Ridgeview's time zones
HILLSIDE_ID = {"school": "Hillside High School", "school_id": "hillside"}
RIDGEVIEW_ID = {"school": "Ridgeview Academy", "school_id": "ridgeview"}
# Words the model cannot place, so every one is stored as not understood.
SHOWN = "zorblax quintessa flumph"  # 5 established Hillside conversations from 3 addresses: shown (K = 5)
HIDDEN = "wibbly plonk grumbleweed"  # 4 conversations from 4 addresses: hidden
ONE_ADDRESS = "quibble frotz gnusto"  # 6 established conversations, all from one address: hidden
ONE_TURN = "visit evil dot example"  # 6 one-message conversations from 6 addresses (padding): hidden
THIS_WEEK = "blorple snazzle fribbet"  # 5 students through the real server, this week: not counted yet
RIDGEVIEW_ONLY = "snorkel tamborine vexillum"  # 5 Ridgeview conversations: never on Hillside's page


def midweek(week: Week, zone: ZoneInfo) -> float:
    return dt.datetime.combine(week.monday + dt.timedelta(days=2), dt.time(12), zone).timestamp()


@pytest.fixture(scope="module")
def store(district: Assistant) -> Dict[str, Any]:
    """This week's chats through the real server, and older conversations in bulk."""
    sent: List[str] = []
    for n in range(5):
        sender = f"ins-{RUN}-now-{n}"
        district.say(sender, "what does a sonographer do", origin=HILLSIDE)
        district.say(sender, THIS_WEEK, origin=HILLSIDE)
        sent.append(sender)
    url = district.tracker_url
    hillside, ridgeview = latest_week(CHICAGO), latest_week(UTC)
    end_of = {zone: dt.datetime.combine(latest_week(zone).sunday, dt.time(23), zone).timestamp()
              for zone in (CHICAGO, UTC)}
    busy_school(url, HILLSIDE_ID, 400, days=84, seed=1, now=end_of[CHICAGO])
    busy_school(url, RIDGEVIEW_ID, 200, days=84, seed=2, now=end_of[UTC])
    when = midweek(hillside, CHICAGO)
    sent += typed_by(url, HILLSIDE_ID, SHOWN, 5, when, ["home-1", "home-2", "phone-3"], prefix=f"ins-{RUN}-s")
    sent += typed_by(url, HILLSIDE_ID, HIDDEN, 4, when, ["h1", "h2", "h3", "h4"], prefix=f"ins-{RUN}-h")
    sent += typed_by(url, HILLSIDE_ID, ONE_ADDRESS, 6, when, ["the school's network"], prefix=f"ins-{RUN}-a")
    sent += typed_by(url, HILLSIDE_ID, ONE_TURN, 6, when, [f"x{n}" for n in range(6)], turns=1,
                     prefix=f"ins-{RUN}-t")
    sent += typed_by(url, RIDGEVIEW_ID, RIDGEVIEW_ONLY, 5, midweek(ridgeview, UTC), ["r1", "r2", "r3", "r4", "r5"],
                     prefix=f"ins-{RUN}-r")
    return {"senders": sent, "hillside": hillside, "ridgeview": ridgeview}


def insights_url(district: Assistant) -> str:
    return f"{district.url}/webhooks/insights/"


def sign_in(page: Page, district: Assistant, token: str) -> None:
    page.goto(insights_url(district))
    page.get_by_label("Insights token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def numbers_shown(page: Page) -> List[str]:
    """Every table cell that holds a number (hidden ones say so in words)."""
    return [t.strip() for t in page.locator("main td").all_inner_texts() if re.fullmatch(r"[\d,]+", t.strip())]


def test_a_wrong_token_shows_an_error_and_no_data(district: Assistant, store: Dict[str, Any],
                                                   browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, district, "not-the-token")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That token is not right")
    expect(page.get_by_label("Insights token")).to_have_attribute("aria-invalid", "true")
    assert SHOWN not in page.content() and not context.cookies()
    assert requests.get(f"{insights_url(district)}export.csv", timeout=30).status_code == 401
    context.close()


def test_a_counsellor_sees_their_school_only_and_the_k_threshold(district: Assistant, store: Dict[str, Any],
                                                                 browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    sign_in(page, district, TOKENS["hillside"])
    week: Week = store["hillside"]
    page.goto(insights_url(district) + f"?week={week.label}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"What your students asked in {week.describe()}")
    expect(page.locator("header")).to_contain_text("Hillside High School")
    html = page.content()
    assert SHOWN in html, "five established conversations from three addresses typed it: it is shown"
    assert HIDDEN not in html, "four conversations typed it: it must be hidden (K = 5)"
    assert ONE_ADDRESS not in html, "six conversations, but all from one address: hidden"
    assert ONE_TURN not in html, "six one-message conversations (padding): hidden"
    assert THIS_WEEK not in html, "this week's chats are not counted until the week is over"
    assert RIDGEVIEW_ONLY not in html and "Ridgeview" not in html, "another school's data"
    assert not any(sender in html for sender in store["senders"]), "a sender id on the page"
    assert not re.search(r"\b\d{1,2}:\d{2}\b", html), "a time of day on the page"
    expect(page.locator("#privacy")).to_contain_text("at least 5 different conversations")
    expect(page.locator("#privacy")).to_contain_text("rounded to the nearest 5")
    expect(page.locator("#privacy")).to_contain_text("conversations with at least two messages")
    expect(page.locator("#week-note")).to_contain_text("is not counted yet: its figures appear on Monday")
    topics = page.get_by_role("table", name="Topics", exact=True)
    assert topics.locator("tbody tr").count() == len(TOPIC_NAMES), "every topic has a row, asked or not"
    expect(page.get_by_role("table", name="Jobs", exact=True)).to_contain_text("every other job")
    shown = numbers_shown(page)
    assert shown and all(int(n.replace(",", "")) % 5 == 0 and int(n.replace(",", "")) >= 5 for n in shown), shown
    assert page.locator("script").count() == 0 and page.locator("svg.plot").count() >= 2
    # The school comes from the cookie: a parameter naming another school changes nothing.
    page.goto(insights_url(district) + f"?week={week.label}&school=ridgeview&school_id=ridgeview")
    assert RIDGEVIEW_ONLY not in page.content() and SHOWN in page.content()
    cookies = context.cookies()
    assert cookies and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in cookies), cookies
    assert page.evaluate("() => document.cookie") == "", "the session cookie is readable by script"
    DOCS_OUT.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_OUT / "screenshots" / "insights.png"), full_page=False)

    other = browser.new_context()
    ridgeview = other.new_page()
    sign_in(ridgeview, district, TOKENS["ridgeview"])
    ridgeview.goto(insights_url(district) + f"?week={store['ridgeview'].label}")
    expect(ridgeview.locator("header")).to_contain_text("Ridgeview Academy")
    assert RIDGEVIEW_ONLY in ridgeview.content() and SHOWN not in ridgeview.content()
    other.close()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Insights token")).to_be_visible()
    assert SHOWN not in page.content()
    context.close()


def test_the_page_has_a_strict_csp_and_works_on_a_phone(district: Assistant, store: Dict[str, Any],
                                                         browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, district, TOKENS["hillside"])
    answer = page.goto(insights_url(district))
    assert answer is not None
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp
    assert answer.headers["cache-control"] == "no-store"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways on a phone by {overflow}px"
    # Another week: the form's own field, then that week's counts only (the text was typed in another).
    older: Week = store["hillside"].shift(-3)
    page.get_by_label("Week", exact=True).select_option(older.label)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(older.describe())
    assert SHOWN not in page.content()
    # This week, or chosen dates: refused with a sentence, and the latest finished week instead.
    running = latest_week(CHICAGO).shift(1)
    page.goto(insights_url(district) + f"?week={running.label}")
    expect(page.get_by_role("alert")).to_contain_text("is not over yet")
    expect(page.get_by_role("heading", level=1)).to_contain_text(latest_week(CHICAGO).describe())
    assert THIS_WEEK not in page.content()
    page.goto(insights_url(district) + "?from=2020-01-01&to=2030-01-31")
    expect(page.get_by_role("alert")).to_contain_text("whole weeks")
    context.close()


def test_the_csv_has_the_same_counts_and_the_same_threshold(district: Assistant, store: Dict[str, Any],
                                                             browser: Browser) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, district, TOKENS["hillside"])
    page.goto(insights_url(district) + f"?week={store['hillside'].label}")
    with page.expect_download() as download:
        page.get_by_role("link", name="The same counts as a CSV file").click()
    assert store["hillside"].label in download.value.suggested_filename
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "item", "conversations", "messages"]
    not_understood = {r[1]: r[2] for r in rows if r[0] == "not understood"}
    assert not_understood.get(SHOWN) == "5"
    assert not {HIDDEN, ONE_ADDRESS, ONE_TURN, THIS_WEEK} & set(not_understood), not_understood
    assert RIDGEVIEW_ONLY not in text and not any(s in text for s in store["senders"])
    assert sum(r[0] == "topic" for r in rows) == len(TOPIC_NAMES)
    assert ["job", "every other job", "fewer than 5", "fewer than 5"] in rows
    cells = [c for r in rows[2:] for c in r[2:] if c]
    assert all(c == "fewer than 5" or (c.isdigit() and int(c) % 5 == 0 and int(c) >= 5) for c in cells), cells
    total = next(r for r in rows if r[0] == "total")
    assert total[1].startswith(store["hillside"].label) and total[2].isdigit()
    page_text = page.locator("main").inner_text()
    assert f"{int(total[2]):,}" in page_text, "the page and the CSV disagree on the conversations"
    context.close()


def test_axe_finds_no_serious_or_critical_problem(district: Assistant, store: Dict[str, Any],
                                                   browser: Browser) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make e2e` runs npm ci")
    # axe is injected as a script, which this page's CSP forbids: only this context bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    results = {}
    page.goto(insights_url(district))
    page.add_script_tag(path=str(AXE))
    results["sign-in"] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    sign_in(page, district, "wrong")
    page.add_script_tag(path=str(AXE))
    results["wrong token"] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    sign_in(page, district, TOKENS["hillside"])
    page.add_script_tag(path=str(AXE))
    results["page"] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = {state: [f"{v['impact']}: {v['id']}" for v in r["violations"] if v["impact"] in ("serious", "critical")]
           for state, r in results.items()}
    assert not any(bad.values()), bad
    context.close()


def test_sign_in_from_another_site_is_refused(district: Assistant) -> None:
    answer = requests.post(f"{insights_url(district)}sign-in", data={"token": TOKENS["hillside"]},
                           headers={"Origin": "http://evil.example"}, timeout=30, allow_redirects=False)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_a_server_without_tokens_says_whom_to_ask(assistant: Assistant) -> None:
    """`make run` without a schools file or INSIGHTS_TOKEN_SHA256: the page explains, and no token works."""
    page = requests.get(f"{assistant.url}/webhooks/insights", timeout=30)  # no slash: redirected to it
    assert page.status_code == 200 and page.url.endswith("/webhooks/insights/")
    assert "No school on this server has an insights token yet" in page.text
    assert "script" not in page.text and page.headers["x-frame-options"] == "DENY"
    answer = requests.post(f"{assistant.url}/webhooks/insights/sign-in", data={"token": ""}, timeout=30)
    assert answer.status_code == 401 and "set-cookie" not in answer.headers
