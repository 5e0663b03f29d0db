"""The real servers, started once per test session by scripts/serve.sh; every test here is end to end."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from harness.assistant import Assistant, AssistantDidNotStart, start_assistant
from schools.school import hash_token

SCHOOL = {
    "SCHOOL_NAME": "Hillside High",
    "COUNSELLOR_NAME": "Ms Ada Park",
    "COUNSELLOR_EMAIL": "ada.park@hillside.example",
}


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(start_assistant(tmp_path_factory.mktemp("servers"), SCHOOL))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        yield running


@pytest.fixture(scope="module")
def own_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """A server of the test module's own, with `make run`'s settings: for tests that kill its processes or load it."""
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(start_assistant(tmp_path_factory.mktemp("own")))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        yield running


# A district's server: two schools in a schools file (schools/), whose pages are known only by
# their Origin. The hosts need not exist: the clients send the Origin header a browser would.
HILLSIDE, RIDGEVIEW, FOREIGN = "https://hillside.example", "https://ridgeview.example", "http://evil.example"
# Each school's insights token (the file holds only their hashes).
TOKENS = {"hillside": "hillside-token-b7c2e9d4a1f05e3c", "ridgeview": "ridgeview-token-4f8a0c2d9e7b1a63"}
SCHOOLS_FILE = f"""
schools:
  - id: hillside
    name: Hillside High School
    origins: [{HILLSIDE}]
    counsellor: {{name: Ms Ada Park, email: ada.park@hillside.example}}
    insights_token_sha256: {hash_token(TOKENS["hillside"])}
    timezone: America/Chicago
  - id: ridgeview
    name: Ridgeview Academy
    origins: [{RIDGEVIEW}]
    counsellor: {{name: Mr Tom Lee, email: tom.lee@ridgeview.example, phone: "555-0199"}}
    insights_token_sha256: {hash_token(TOKENS["ridgeview"])}
"""


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("district")
    (tmp / "schools.yml").write_text(SCHOOLS_FILE, encoding="utf-8")
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(start_assistant(tmp, {"SCHOOLS_FILE": str(tmp / "schools.yml"),
                                                            "INSIGHTS_SECRET_FILE": str(tmp / "insights.secret")}))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        yield running


# Debian's Chromium for the browser tests. Playwright's sync API runs an event loop while it is open, which
# would stop the other tests' asyncio.run(), and allows one at a time: so one per module, closed after it.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
