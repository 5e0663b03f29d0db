"""The district's front door, through the shipped nginx template as `make cluster` fills it: real client
addresses, a counsellor's sign-in and sign-out in Chromium, no CORS grant on the insights routes, and a
socket.io session that a stolen id cannot read.

A cluster of its own (two replicas, a two-school schools file, low limits), so that the limits can be
counted; the other cluster tests raise them for their classes of 200. Students come from different
loopback addresses (127.0.0.2, 127.0.0.3 ...): nginx sees each as its own client.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Dict, Iterator, Optional

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.input import CONVERSATIONS_REPLY, RATE_REPLY
from harness.cluster import Cluster
from harness.socketio import SocketClient
from schools.school import hash_token
from tests.cluster.conftest import started

pytestmark = pytest.mark.cluster

PER_IP, CONVERSATIONS = 6, 4  # messages a minute per address; different conversations an hour per address
HILLSIDE, RIDGEVIEW = "https://hillside.example", "https://ridgeview.example"
TOKEN = "hillside-door-token-" + uuid.uuid4().hex[:12]
SCHOOLS = f"""
schools:
  - id: hillside
    name: Hillside High School
    origins: [{HILLSIDE}]
    counsellor: {{name: Ms Ada Park, email: ada.park@hillside.example}}
    insights_token_sha256: {hash_token(TOKEN)}
  - id: ridgeview
    name: Ridgeview Academy
    origins: [{RIDGEVIEW}]
    insights_token_sha256: {hash_token("ridgeview-door-token-" + uuid.uuid4().hex[:12])}
"""


@pytest.fixture(scope="module")
def door() -> Iterator[Cluster]:
    with started("career-door-", replicas=2, schools=SCHOOLS,
                 extra_env={"RATE_LIMIT_PER_IP": str(PER_IP), "RATE_LIMIT_PER_SENDER": "30",
                            "RATE_LIMIT_CONVERSATIONS_PER_IP": str(CONVERSATIONS)}) as running:
        yield running


class FromAddress(HTTPAdapter):
    """requests from one loopback address: nginx's $remote_addr, as another machine's would be."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


def client(door: Cluster, address: str) -> requests.Session:
    session = requests.Session()
    session.mount("https://", FromAddress(address))
    session.verify = str(door.certificate)
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, where set, wins over the session's `verify`
    return session


def say(session: requests.Session, door: Cluster, sender: str, text: str = "hi",
        headers: Optional[Dict[str, str]] = None) -> requests.Response:
    return session.post(f"{door.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                        headers={"Origin": HILLSIDE, **(headers or {})}, timeout=60)


def test_every_location_forwards_the_client_and_sends_hsts(door: Cluster) -> None:
    for path in ("/webhooks/rest/", "/webhooks/widget/widget.js", "/webhooks/insights/"):
        found = requests.get(f"{door.url}{path}", verify=str(door.certificate), timeout=30)
        assert found.status_code == 200, path
        assert found.headers.get("Strict-Transport-Security", "").startswith("max-age="), path


def test_a_spoofed_x_forwarded_for_is_ignored(door: Cluster) -> None:
    """A client that writes a new X-Forwarded-For on each request is still one address to the limit."""
    student = client(door, "127.0.0.2")
    sender = f"spoof-{uuid.uuid4().hex[:8]}"
    statuses = [say(student, door, sender, headers={"X-Forwarded-For": f"198.51.100.{n}",
                                                    "X-Real-IP": f"198.51.100.{n}"}).status_code
                for n in range(PER_IP + 2)]
    assert statuses[:PER_IP] == [200] * PER_IP and statuses[PER_IP:] == [429, 429], statuses


def test_two_students_on_two_addresses_are_limited_separately_on_rest(door: Cluster) -> None:
    first, second = client(door, "127.0.0.3"), client(door, "127.0.0.4")
    one, two = f"rest-a-{uuid.uuid4().hex[:6]}", f"rest-b-{uuid.uuid4().hex[:6]}"
    assert [say(first, door, one).status_code for _ in range(PER_IP)] == [200] * PER_IP
    refused = say(first, door, one)
    assert refused.status_code == 429 and refused.json()[0]["text"] == RATE_REPLY
    assert say(second, door, two).status_code == 200  # the other address has its own minute


def test_an_address_gets_a_budget_of_new_conversations(door: Cluster) -> None:
    maker, other = client(door, "127.0.0.5"), client(door, "127.0.0.6")
    made = [say(maker, door, f"made-{n}-{uuid.uuid4().hex[:6]}").status_code for n in range(CONVERSATIONS)]
    assert made == [200] * CONVERSATIONS
    refused = say(maker, door, f"made-x-{uuid.uuid4().hex[:6]}")
    assert refused.status_code == 429 and refused.json()[0]["text"] == CONVERSATIONS_REPLY
    assert say(other, door, f"other-{uuid.uuid4().hex[:6]}").status_code == 200


def test_two_students_on_two_addresses_are_limited_separately_on_socketio(door: Cluster) -> None:
    async def run() -> None:
        first = SocketClient(door.url, HILLSIDE, ssl=door.tls_context(), local_addr=("127.0.0.7", 0))
        second = SocketClient(door.url, HILLSIDE, ssl=door.tls_context(), local_addr=("127.0.0.8", 0))
        try:
            await first.open(uuid.uuid4().hex)
            await second.open(uuid.uuid4().hex)
            for _ in range(PER_IP):
                await first.say("hi")
                await first.wait_for(len(first.received) + 1)
                await asyncio.sleep(0.3)  # every part of the answer
            count = len(first.received)
            await first.say("hi")
            assert RATE_REPLY in [r["text"] for r in await first.wait_for(count + 1)][count:]
            await second.say("how much do sonographers earn")
            assert "$65,860" in (await second.wait_for(1))[0]["text"]  # not the first one's bucket
        finally:
            await first.close()
            await second.close()

    asyncio.run(run())


def test_a_stolen_session_id_gets_nothing_of_the_students_replies(door: Cluster) -> None:
    async def run() -> None:
        student = SocketClient(door.url, HILLSIDE, ssl=door.tls_context(), local_addr=("127.0.0.9", 0))
        thief = SocketClient(door.url, RIDGEVIEW, ssl=door.tls_context(), local_addr=("127.0.0.10", 0))
        session = uuid.uuid4().hex
        try:
            assert await student.open(session) == session
            assert await thief.open(session) != session
            await student.say("i want to kill myself")  # the safeguarding reply tells what was disclosed
            await student.say("what does a sonographer do")
            await student.wait_for(2)
            await thief.say("what does a nuclear medicine technologist do", session_id=session)
            await thief.wait_for(1)
            await asyncio.sleep(2)
            texts = " ".join(r["text"] for r in thief.received)
            assert "emergency" not in texts and "counsellor" not in texts.lower() and "sonograph" not in texts
            assert all("nuclear" not in r["text"].lower() for r in student.received)
        finally:
            await student.close()
            await thief.close()

    asyncio.run(run())
    lines = (door.logs / "nginx-access.log").read_text().splitlines()
    socket_lines = [x for x in lines if "/socket.io/" in x]
    assert socket_lines and not [x for x in lines if "?" in x], "nginx logged a query string"


@pytest.mark.parametrize("path", ["/webhooks/insights/", "/webhooks/insights/export.csv",
                                  "/webhooks/insights/sign-in"])
def test_an_insights_route_read_from_a_school_page_gets_no_cors_grant(door: Cluster, path: str) -> None:
    for method in ("GET", "OPTIONS", "POST"):
        found = requests.request(method, f"{door.url}{path}", verify=str(door.certificate), timeout=30,
                                 headers={"Origin": RIDGEVIEW, "Access-Control-Request-Method": "GET"})
        assert not [h for h in found.headers if h.lower().startswith("access-control-")], (method, path)


def test_wrong_tokens_are_counted_per_real_address_across_replicas(door: Cluster) -> None:
    guesser, counsellor = client(door, "127.0.0.11"), client(door, "127.0.0.12")
    url = f"{door.url}/webhooks/insights/sign-in"
    statuses = [guesser.post(url, data={"token": f"guess-{n}"}, timeout=30).status_code for n in range(11)]
    assert statuses == [401] * 10 + [429], statuses  # 10 tries, on whichever replica each one reached
    assert guesser.post(url, data={"token": "x"}, headers={"X-Forwarded-For": "203.0.113.1"},
                        timeout=30).status_code == 429  # a made-up address does not start a new count
    assert counsellor.post(url, data={"token": "wrong"}, timeout=30).status_code == 401  # another address


def test_a_counsellor_signs_in_through_nginx_and_a_signed_out_cookie_is_refused(door: Cluster) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    page_url = f"{door.url}/webhooks/insights/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(ignore_https_errors=True)  # the cluster's self-signed certificate
            page = context.new_page()
            page.goto(page_url)
            page.get_by_label("Insights token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
            expect(page.locator("body")).to_contain_text("Hillside High School")
            cookies = {c["name"]: c for c in context.cookies()}
            cookie = cookies["__Host-insights_session"]
            assert cookie["secure"] and cookie["httpOnly"] and cookie["path"] == "/" and cookie["sameSite"] == "Strict"
            assert "insights_session" not in cookies
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_label("Insights token")).to_be_visible()
            context.close()
        finally:
            browser.close()
    # The old cookie, sent again (as a copy kept by anyone who had it would be), on both replicas.
    for _ in range(4):
        found = requests.get(f"{page_url}export.csv", verify=str(door.certificate), timeout=30,
                             cookies={"__Host-insights_session": cookie["value"]})
        assert found.status_code == 401, found.text[:200]
