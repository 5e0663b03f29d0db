"""The counsellors' insights page in Debian's Chromium, on the district's real server.

Students chat through the real REST channel from their school's origin; a few hundred older
conversations per school are added to the same SQLite store in Rasa's own row format, so the plots
have something to draw. Then counsellors sign in with their school's token and read the page.
The screenshot goes to build/widget-docs/ (`make widget-docs`: to docs/).
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from harness.assistant import Assistant
from harness.insights_data import busy_school
from harness.servers import PROJECT_DIR
from tests.e2e.conftest import HILLSIDE, RIDGEVIEW, TOKENS

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
DOCS_OUT = Path(os.environ.get("WIDGET_DOCS_DIR") or PROJECT_DIR / "build" / "widget-docs")
RUN = uuid.uuid4().hex[:6]
# Words the model cannot place, so every one is stored as not understood; each student types one.
SHOWN = "zorblax quintessa flumph"  # typed by 5 Hillside students: shown (K = 5)
HIDDEN = "wibbly plonk grumbleweed"  # typed by 4 Hillside students: hidden
RIDGEVIEW_ONLY = "snorkel tamborine vexillum"  # typed by 5 Ridgeview students: never on Hillside's page


@pytest.fixture(scope="module")
def store(district: Assistant) -> Dict[str, Any]:
    """The chats of this module, through the real server, plus older conversations in bulk."""
    sent: List[str] = []
    for text, count, origin in ((SHOWN, 5, HILLSIDE), (HIDDEN, 4, HILLSIDE), (RIDGEVIEW_ONLY, 5, RIDGEVIEW)):
        for n in range(count):
            sender = f"ins-{RUN}-{abs(hash(text)) % 1000}-{n}"
            district.say(sender, "what does a sonographer do", origin=origin)
            district.say(sender, text, origin=origin)
            sent.append(sender)
    url = f"sqlite:///{district.tracker_db}"
    busy_school(url, {"school": "Hillside High School", "school_id": "hillside"}, 300, seed=1)
    busy_school(url, {"school": "Ridgeview Academy", "school_id": "ridgeview"}, 200, seed=2)
    return {"senders": sent}


def insights_url(district: Assistant) -> str:
    return f"{district.url}/webhooks/insights/"


def sign_in(page: Page, district: Assistant, token: str) -> None:
    page.goto(insights_url(district))
    page.get_by_label("Insights token").fill(token)
    page.get_by_role("button", name="Sign in").click()


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
    expect(page.get_by_role("heading", level=1)).to_contain_text("What your students asked")
    expect(page.locator("header")).to_contain_text("Hillside High School")
    html = page.content()
    assert SHOWN in html, "five students typed it: it is shown"
    assert HIDDEN not in html, "four students typed it: it must be hidden (K = 5)"
    assert RIDGEVIEW_ONLY not in html and "Ridgeview" not in html, "another school's data"
    assert not any(sender in html for sender in store["senders"]), "a sender id on the page"
    assert not re.search(r"\b\d{1,2}:\d{2}\b", html), "a time of day on the page"
    expect(page.locator("#privacy")).to_contain_text("at least 5 different students")
    assert page.locator("script").count() == 0 and page.locator("svg.plot").count() >= 2
    # The school comes from the cookie: a parameter naming another school changes nothing.
    page.goto(insights_url(district) + "?school=ridgeview&school_id=ridgeview")
    assert RIDGEVIEW_ONLY not in page.content()
    cookie = next(c for c in context.cookies() if c["name"] == "insights_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie") == "", "the session cookie is readable by script"
    DOCS_OUT.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_OUT / "screenshots" / "insights.png"), full_page=False)

    other = browser.new_context()
    ridgeview = other.new_page()
    sign_in(ridgeview, district, TOKENS["ridgeview"])
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
    # A date range: the form's own fields, then the counts of those days only.
    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2020-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2020-01-01 to 2020-01-31")
    expect(page.get_by_text("No conversations in this period.")).to_be_visible()
    context.close()


def test_the_csv_has_the_same_counts_and_the_same_threshold(district: Assistant, store: Dict[str, Any],
                                                             browser: Browser) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, district, TOKENS["hillside"])
    with page.expect_download() as download:
        page.get_by_role("link", name="The same counts as a CSV file").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "item", "conversations", "messages"]
    not_understood = {r[1]: r[2] for r in rows if r[0] == "not understood"}
    assert not_understood.get(SHOWN) == "5" and HIDDEN not in not_understood
    assert RIDGEVIEW_ONLY not in text and not any(s in text for s in store["senders"])
    total = next(r for r in rows if r[0] == "total")
    day_sum = sum(int(r[3]) for r in rows if r[0] == "day" and r[3].isdigit())
    assert int(total[3]) >= day_sum > 0  # hidden days are in the total, not in the day rows
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
