"""The page's sessions, date ranges and rendering: signed cookies, escaped texts, safe CSV cells."""

from __future__ import annotations

import asyncio
import datetime as dt
import stat
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from bot.keys import secret
from insights import render
from insights.counts import Insights
from insights.page import parse_week
from insights.sessions import SESSION_SECONDS, Failures, Sessions
from schools.file import parse
from schools.school import hash_token, new_token

TOKEN = new_token()
KNOWN = parse({"schools": [
    {"id": "hillside", "name": "Hillside", "origins": ["https://h.example"],
     "insights_token_sha256": hash_token(TOKEN)},
    {"id": "ridgeview", "name": "Ridgeview", "origins": ["https://r.example"]},  # no token: no page
]})


def test_a_cookie_names_its_school_only_while_genuine_and_fresh() -> None:
    sessions = Sessions(b"k" * 32, KNOWN, {})
    cookie = sessions.issue(KNOWN.by_id("hillside"), now=1000)
    assert sessions.school(cookie, now=1001).id == "hillside"
    assert sessions.school(cookie, now=1000 + SESSION_SECONDS + 1) is None  # expired
    school_id, expires, session_id, mac = cookie.split(".")
    assert sessions.school(f"ridgeview.{expires}.{session_id}.{mac}", now=1001) is None  # another school's name
    assert sessions.school(f"{school_id}.{int(expires) + 99999}.{session_id}.{mac}", now=1001) is None  # longer
    assert sessions.school(f"{school_id}.{expires}.other.{mac}", now=1001) is None  # another session's MAC
    assert Sessions(b"x" * 32, KNOWN, {}).school(cookie, now=1001) is None  # another server's key
    renewed = parse({"schools": [{"id": "hillside", "name": "Hillside", "origins": ["https://h.example"],
                                          "insights_token_sha256": hash_token("new")}]})
    assert Sessions(b"k" * 32, renewed, {}).school(cookie, now=1001) is None  # a new token signs everyone out
    for junk in (None, "", "a.b", "a.b.c", "a.b.c.d.e", "hillside.soon.x.y", "x" * 500):
        assert sessions.school(junk, now=1001) is None
    assert sessions.issue(KNOWN.by_id("hillside")) != sessions.issue(KNOWN.by_id("hillside"))  # a session each


def test_signing_out_revokes_that_session_only() -> None:
    sessions = Sessions(b"k" * 32, KNOWN, {})
    hillside = KNOWN.by_id("hillside")
    first, second = sessions.issue(hillside), sessions.issue(hillside)

    async def run() -> list:
        before = [await sessions.signed_in(c) for c in (first, second)]
        revoked = await sessions.revoke(first)
        after = [await sessions.signed_in(c) for c in (first, second)]
        return [before, revoked, after, await sessions.revoke("junk")]

    before, revoked, after, junk = asyncio.run(run())
    assert [s.id for s in before] == ["hillside", "hillside"] and revoked
    assert after[0] is None and after[1].id == "hillside"  # the other counsellor stays signed in
    assert junk is False


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "insights.secret"
    first = secret({"INSIGHTS_SECRET_FILE": str(path)})
    assert first == secret({"INSIGHTS_SECRET_FILE": str(path)}) and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret({"INSIGHTS_SECRET": "s" * 40}) == b"s" * 40
    with pytest.raises(ValueError, match="at least 32"):
        secret({"INSIGHTS_SECRET": "short"})


def test_wrong_tokens_are_limited_per_address() -> None:
    failures = Failures({})

    async def run() -> None:
        for n in range(10):
            assert not await failures.blocked("1.2.3.4", 100 + n)
            await failures.add("1.2.3.4", 100 + n)
        assert await failures.blocked("1.2.3.4", 200) and not await failures.blocked("5.6.7.8", 200)
        assert not await failures.blocked("1.2.3.4", 100 + 901 + 10)  # 15 minutes later

    asyncio.run(run())


class FakeRequest:
    """Only what `_same_origin` and `_secure` read: the scheme and the headers (a real Sanic request in e2e)."""

    def __init__(self, scheme: str, headers: dict) -> None:
        self.scheme, self.headers = scheme, {k.lower(): v for k, v in headers.items()}


@pytest.mark.parametrize(("trust", "scheme", "headers", "allowed"), [
    ("1", "http", {"Host": "careers.example", "Origin": "https://careers.example",
                   "X-Forwarded-Proto": "https"}, True),                        # behind nginx, the public name
    ("1", "http", {"Host": "127.0.0.1:8443", "Origin": "https://127.0.0.1:8443",
                   "X-Forwarded-Proto": "https"}, True),                        # a port kept by $http_host
    ("1", "http", {"Host": "rasa_rest", "Origin": "https://careers.example",
                   "X-Forwarded-Proto": "https"}, False),                       # the old template's Host
    ("1", "http", {"Host": "careers.example", "Origin": "https://ridgeview.example",
                   "X-Forwarded-Proto": "https"}, False),                       # a school's page on the same site
    ("0", "http", {"Host": "careers.example", "Origin": "https://careers.example",
                   "X-Forwarded-Proto": "https"}, False),                       # no proxy trusted: plain http
    ("0", "http", {"Host": "127.0.0.1:5005", "Origin": "http://127.0.0.1:5005"}, True),  # make run
    ("0", "http", {"Host": "127.0.0.1:5005"}, True),                            # curl sends no Origin
    ("0", "http", {"Host": "127.0.0.1:5005", "Origin": "http://127.0.0.1:5005",
                   "Sec-Fetch-Site": "cross-site"}, False),
])
def test_forms_are_taken_from_the_page_itself_only(monkeypatch: pytest.MonkeyPatch, trust: str, scheme: str,
                                                   headers: dict, allowed: bool) -> None:
    from insights.page import _same_origin

    monkeypatch.setenv("TRUST_PROXY", trust)
    assert _same_origin(FakeRequest(scheme, headers)) is allowed


def test_no_cors_header_leaves_the_insights_routes() -> None:
    from sanic.response import text

    from insights.page import _no_cors

    result = text("counts", headers={"Access-Control-Allow-Origin": "https://r.example",
                                     "Access-Control-Allow-Credentials": "true", "X-Content-Type-Options": "nosniff"})
    _no_cors(result)
    assert not [h for h in result.headers if h.lower().startswith("access-control")]
    assert result.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("query, week, problem", [
    ("", "2026-W47", None), ("week=2026-W40", "2026-W40", None), ("week=2026-w47", "2026-W47", None),
    ("week=2026-W48", "2026-W47", "not over yet: its figures appear on Monday 30 November 2026"),
    ("week=2027-W02", "2026-W47", "not over yet"), ("week=2026-11-30", "2026-W47", "look like 2026-W47"),
    ("week=2025-W53", "2026-W47", "look like"), ("from=2026-11-01&to=2026-11-30", "2026-W47", "whole weeks"),
    ("week=" + "9" * 500, "2026-W47", "look like"),
])
def test_weeks(query: str, week: str, problem: str) -> None:
    """Only whole finished weeks: anything else is the latest finished one, with a sentence saying why."""
    found, said = parse_week(parse_qs(query), ZoneInfo("UTC"), today=dt.date(2026, 11, 25))
    assert found.label == week and (said is None) == (problem is None) and (problem is None or problem in said)


def test_texts_are_escaped_and_csv_cells_are_never_formulas() -> None:
    found = Insights(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 2), school="x", min_students=1)
    for who in ("a", "b"):
        found.not_understood.add("<script>alert(1)</script>", who)
        found.not_understood.add("=HYPERLINK(\"http://x\")", who)
        found.all_students.add(who)
        found.messages += 2
    found.not_understood_students |= {"a", "b"}
    data = found.as_dict()
    html = render.page(data, "<b>School</b>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>School" not in html
    csv_text = render.as_csv(data)
    assert "'=HYPERLINK" in csv_text and "\n=" not in csv_text and ",=" not in csv_text
    assert render.sign_in("<i>x</i>").count("<i>") == 0


def test_a_wrong_setting_is_one_sentence_before_start(tmp_path: Path) -> None:
    from insights.page import check

    assert check({}) is None
    assert "INSIGHTS_MIN_STUDENTS" in check({"INSIGHTS_MIN_STUDENTS": "1"})
    assert "at least 32" in check({"INSIGHTS_SECRET": "short"})
    assert "cannot be read" in check({"SCHOOLS_FILE": str(tmp_path / "missing.yml")})
