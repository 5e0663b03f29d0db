"""The real servers, started once per test session by scripts/serve.sh; every test here is end to end."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

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


class HostPages:
    """A threaded http.server on the allowed second origin (`assistant.page_port`, on the local server's
    CORS_ORIGINS): a school's pages, each with its own headers, and the scripts they load."""

    def __init__(self, port: int) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        pages: Dict[str, Tuple[bytes, Dict[str, str]]] = {}
        self.pages = pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                page = pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                body, headers = page
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name: str, body: str | bytes, headers: Optional[Dict[str, str]] = None,
            content_type: str = "text/html; charset=utf-8") -> str:
        """Serve `body` at /name (an HTML page unless `content_type` says otherwise); its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.pages[f"/{name}"] = (data, {"Content-Type": content_type, **(headers or {})})
        return f"{self.origin}/{name}"

    def close(self) -> None:
        """Stop serving (the session's end)."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def host(assistant: Assistant) -> Iterator[HostPages]:
    """One server of host pages for the whole session: its port is the assistant's one second origin."""
    pages = HostPages(assistant.page_port)
    yield pages
    pages.close()
