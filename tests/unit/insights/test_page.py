"""The page's sessions, date ranges and rendering: signed cookies, escaped texts, safe CSV cells."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from bot import schools
from insights import render
from insights.counts import Insights
from insights.page import SESSION_SECONDS, Failures, Sessions, parse_range, secret

TOKEN = schools.new_token()
KNOWN = schools.parse({"schools": [
    {"id": "hillside", "name": "Hillside", "origins": ["https://h.example"],
     "insights_token_sha256": schools.hash_token(TOKEN)},
    {"id": "ridgeview", "name": "Ridgeview", "origins": ["https://r.example"]},  # no token: no page
]})


def test_a_cookie_names_its_school_only_while_genuine_and_fresh() -> None:
    sessions = Sessions(b"k" * 32, KNOWN)
    cookie = sessions.issue(KNOWN.by_id("hillside"), now=1000)
    assert sessions.school(cookie, now=1001).id == "hillside"
    assert sessions.school(cookie, now=1000 + SESSION_SECONDS + 1) is None  # expired
    school_id, expires, mac = cookie.split(".")
    assert sessions.school(f"ridgeview.{expires}.{mac}", now=1001) is None  # another school's name
    assert sessions.school(f"{school_id}.{int(expires) + 99999}.{mac}", now=1001) is None  # longer life
    assert Sessions(b"x" * 32, KNOWN).school(cookie, now=1001) is None  # another server's key
    renewed = schools.parse({"schools": [{"id": "hillside", "name": "Hillside", "origins": ["https://h.example"],
                                          "insights_token_sha256": schools.hash_token("new")}]})
    assert Sessions(b"k" * 32, renewed).school(cookie, now=1001) is None  # a new token signs everyone out
    for junk in (None, "", "a.b", "a.b.c.d", "hillside.soon.x", "x" * 500):
        assert sessions.school(junk, now=1001) is None


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "insights.secret"
    first = secret({"INSIGHTS_SECRET_FILE": str(path)})
    assert first == secret({"INSIGHTS_SECRET_FILE": str(path)}) and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret({"INSIGHTS_SECRET": "s" * 40}) == b"s" * 40
    with pytest.raises(ValueError, match="at least 32"):
        secret({"INSIGHTS_SECRET": "short"})


def test_wrong_tokens_are_limited_per_address() -> None:
    failures = Failures()
    for n in range(10):
        assert not failures.blocked("1.2.3.4", 100 + n)
        failures.add("1.2.3.4", 100 + n)
    assert failures.blocked("1.2.3.4", 200) and not failures.blocked("5.6.7.8", 200)
    assert not failures.blocked("1.2.3.4", 100 + 901 + 10)  # 15 minutes later


@pytest.mark.parametrize("query, problem", [
    ("", None), ("from=2026-11-01&to=2026-11-30", None), ("from=2026-11-30&to=2026-11-01", "after the last"),
    ("from=yesterday&to=today", "must look like"), ("from=2020-01-01&to=2026-01-01", "at most 366"),
    ("from=2026-11-01", "must look like"),
])
def test_date_ranges(query: str, problem: str) -> None:
    start, end, said = parse_range(parse_qs(query), ZoneInfo("UTC"))
    assert (said is None) == (problem is None) and (problem is None or problem in said)
    assert 0 <= (end - start).days < 366


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
