"""Finding a job in the widget, in Chromium against the real servers: the greeting's "Help me find a job",
a typed preference, the guided question's buttons and the jobs offered at the end, each with its source.

The screenshot of the path goes to build/widget-docs/screenshots/discovery.png (docs/ with `make widget-docs`).
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.assistant import Assistant
from tests.e2e.conftest import HostPages
from tests.e2e.test_widget import SCREENSHOTS, Chat, embed, host_page, new_context

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context's page, a tall one so that the path fits on the screenshot."""
    context = new_context(browser, viewport={"width": 1280, "height": 1000})
    yield context.new_page()
    context.close()


def suggested(where: Page, name: str) -> None:
    """Click the bot's suggested reply called `name` (the latest group of them)."""
    where.get_by_role("group", name="Suggested replies").last.get_by_role("button", name=name).click()


def test_a_student_finds_a_job_by_clicking_and_typing(assistant: Assistant, host: HostPages, page: Page) -> None:
    page.goto(host.add("discovery.html", host_page(embed(assistant))))
    chat = Chat(page).ready().open()
    chat.ask("hi", "Help me find a job", source=False)

    before = chat.bot.count()
    suggested(page, "Help me find a job")
    overview = chat.wait_for_bot("My sources describe", before)
    expect(overview.locator(".source")).to_contain_text("Pakistan")
    chat.wait_for_bot("patients, mostly with the machines", before)

    # A typed answer to the guided question, with a dislike in it.
    answer = chat.ask("machines, but no radiation please", "going by my sources")
    expect(answer).to_contain_text("Diagnostic medical sonographers")
    expect(answer).not_to_contain_text("Nuclear medicine technologists:")  # radiation rules them out
    chat.wait_for_bot("How long do you want to study", before)
    # The picture: the answer from its first line, with the reasons (the log scrolls, not the page).
    answer.evaluate("el => { const log = el.closest('[role=log]'); "
                    "log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - 8; }")
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "discovery.png"), clip={"x": 860, "y": 300, "width": 420, "height": 700})

    before = chat.bot.count()
    suggested(page, "As short as possible")
    expect(chat.user.last).to_have_text(re.compile("As short as possible$"))
    final = chat.wait_for_bot("Want to know more about one of them?", before)
    expect(final.get_by_role("button", name=re.compile("About diagnostic medical sonographers",
                                                           re.IGNORECASE))).to_be_visible()
    for message in chat.bot.all()[before:]:
        if "going by my sources" in message.inner_text():
            expect(message.locator(".source")).to_contain_text("Luanne Kelchner")
