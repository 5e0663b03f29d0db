"""Arithmetic on what the page offers: two weeks differenced, two views of a week, rows that are there
or not. Each test builds turns in a real SQLite store in Rasa's row format and reads the page's data,
the rendered page, the CSV and the report, as a counsellor (or IT) would."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import SlotSet

from harness.insights_data import create_store, user_event
from insights import render
from insights.counts import TOPIC_NAMES, Week, gather, page_data
from insights.page import parse_week
from insights.report import main
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT
from store.events import insert, rows

UTC = ZoneInfo("UTC")
HILLSIDE = {"school": "Hillside High School", "school_id": "hillside"}
A, B = Week(2026, 45), Week(2026, 46)  # adjacent weeks, both over by TODAY
TODAY = dt.date(2026, 11, 25)  # a Wednesday of week 48: week 47 is the latest finished
K = 5


def at(week: Week, day: int = 2, hour: int = 12) -> float:
    return dt.datetime.combine(week.monday + dt.timedelta(days=day), dt.time(hour), UTC).timestamp()


def askers(url: str, week: Week, topic_intent: str, count: int, prefix: str) -> None:
    """`count` established conversations (a greeting, then the question), each from its own address."""
    found: List[Dict[str, Any]] = []
    for n in range(count):
        tag = f"{abs(hash((prefix, n))) % 16 ** 16:016x}"
        when = at(week) + n * 60
        found += rows(f"{prefix}-{n}", [user_event("hello", "greet", when, HILLSIDE, tag=tag),
                                        user_event("a question", topic_intent, when + 5, HILLSIDE, tag=tag),
                                        SlotSet("topic", TOPIC_BY_INTENT[topic_intent], timestamp=when + 5)])
    create_store(url)
    insert(url, found)


@pytest.fixture()
def two_weeks(tmp_path: Path) -> str:
    """Week A: 5 conversations asked about pay. Week B: 4 did (K - 1), and 5 asked about duties."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    askers(url, A, "ask_salary", K, "a")
    askers(url, B, "ask_salary", K - 1, "b")
    askers(url, B, "ask_duties", K, "d")
    return url


def view(url: str, week: Week, kb: KnowledgeBase, today: dt.date = TODAY) -> Dict[str, Any]:
    return page_data(url, week, school_id="hillside", school_name="Hillside High School", zone=UTC,
                     min_students=K, kb=kb, today=today)


def periods(value: Any) -> Iterator[Tuple[str, str]]:
    """Every (from, to) pair anywhere in the page's data."""
    if isinstance(value, dict):
        if "from" in value and "to" in value:
            yield value["from"], value["to"]
        for v in value.values():
            yield from periods(v)
    elif isinstance(value, list):
        for v in value:
            yield from periods(v)


def row(data: Dict[str, Any], key: str) -> Dict[str, Any]:
    return next(r for r in data["topics"] if r["key"] == key)


def test_two_weeks_differenced_reveal_nothing_that_either_week_hides(two_weeks: str, kb: KnowledgeBase,
                                                                      tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    first, second = view(two_weeks, A, kb), view(two_weeks, B, kb)
    assert row(first, "salary")["conversations"] == 5
    assert row(second, "salary")["conversations"] is None, "4 askers: hidden"
    # Every figure covers exactly one ISO week: there is no figure over both to subtract a week from.
    for data in (first, second):
        found = set(periods(data))
        assert found and all(dt.date.fromisoformat(s).isoweekday() == 1
                             and dt.date.fromisoformat(e) - dt.date.fromisoformat(s) == dt.timedelta(days=6)
                             for s, e in found), found
    trend = {w["week"]: w["conversations"] for w in second["trend"]}
    assert trend[A.label] == first["conversations"] and trend[B.label] == second["conversations"] == 10
    assert len(second["trend"]) == 12 and second["trend"][-1]["week"] == B.label
    # The union (9 askers of pay) appears nowhere: not on the page, the CSV or the report of either week.
    pay = [row(d, "salary")["conversations"] for d in (first, second)]
    assert pay == [5, None]
    for data in (first, second):
        csv_text = render.as_csv(data)
        pay_rows = [line for line in csv_text.splitlines() if line.startswith("topic,pay,")]
        assert pay_rows in (["topic,pay,5,5"], ["topic,pay,fewer than 5,fewer than 5"]), pay_rows
        assert re.findall(r"\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}", csv_text) == [f"{data['from']} to {data['to']}"]
    # The report for IT: each week separately, never a sum of them.
    url_args = ["--url", two_weeks, "--school", "Hillside High School", "--json"]
    assert main([*url_args, "--week", A.label]) == 0 and main([*url_args, "--week", B.label]) == 0
    out = capsys.readouterr().out
    reported = [json.loads(chunk) for chunk in re.split(r"(?<=\])\n(?=\[)", out.strip())]
    assert [[row(w, "salary")["conversations"] for w in r] for r in reported] == [[5], [None]]
    # A free range asked for by hand is refused: the latest finished week instead, and a sentence.
    week, said = parse_week(parse_qs(f"from={A.monday}&to={B.sunday}"), UTC, today=TODAY)
    assert week == Week(2026, 47) and "whole weeks" in said


def test_a_hidden_row_is_the_same_as_a_zero_row_on_the_page_the_csv_and_the_report(
        two_weeks: str, kb: KnowledgeBase, tmp_path: Path) -> None:
    second = view(two_weeks, B, kb)
    empty = view(f"sqlite:///{tmp_path / 'empty.db'}", B, kb)
    never = row(second, "safety")  # no one asked about safety
    assert {**row(second, "salary"), "name": "", "key": ""} == {**never, "name": "", "key": ""}
    assert row(empty, "salary") == row(second, "salary"), "4 askers look like none at all"
    html = render.page(second, "Hillside")

    def html_row(name: str) -> str:
        found = re.search(rf'<tr><th scope="row">{re.escape(name)}</th>.*?</tr>', html)
        assert found, name
        return found.group(0).replace(name, "NAME")

    assert html_row("pay") == html_row("safety and radiation")
    assert "<td>0</td>" not in html and ">0<" not in html.split("<svg", 1)[0], "a zero shown beside a hidden row"
    assert all(f">{escape_name}</th>" in html for escape_name in ("pay", "equipment", "job titles"))
    assert html.count('<th scope="row">') >= len(TOPIC_NAMES)
    csv_rows = render.as_csv(second).splitlines()
    assert "topic,pay,fewer than 5,fewer than 5" in csv_rows and "topic,equipment,fewer than 5,fewer than 5" in csv_rows
    assert sum(line.startswith("topic,") for line in csv_rows) == len(TOPIC_NAMES)
    assert "job,every other job,fewer than 5,fewer than 5" in csv_rows
    assert "rounded to the nearest 5" in html and "conversations with at least two messages" in html


def test_rounding_makes_5_6_and_7_conversations_look_alike(tmp_path: Path, kb: KnowledgeBase) -> None:
    seen = []
    for count in (5, 6, 7, 8):
        url = f"sqlite:///{tmp_path / f'{count}.db'}"
        askers(url, A, "ask_salary", count, "r")
        data = view(url, A, kb)
        seen.append((row(data, "salary")["conversations"], data["conversations"], row(data, "salary")["messages"]))
    assert seen[0] == seen[1] == seen[2] == (5, 5, 5) and seen[3] == (10, 10, 10)


def test_two_views_of_the_page_differ_by_no_one_who_came_in_between(two_weeks: str, kb: KnowledgeBase) -> None:
    """Monday noon and Monday evening: the running week is never counted, so nothing shown changes."""
    latest = Week(2026, 47)
    askers(two_weeks, latest, "ask_salary", 6, "l")
    noon = view(two_weeks, latest, kb)
    askers(two_weeks, latest.shift(1), "ask_duties", 1, "m")  # one student, in the running week
    askers(two_weeks, latest.shift(1), "ask_salary", 7, "n")
    assert view(two_weeks, latest, kb) == noon
    assert noon["this_week"]["appears"] == "2026-11-30" and noon["latest_week"] == latest.label
    assert all(w["week"] != latest.shift(1).label for w in noon["trend"])
    with pytest.raises(ValueError, match="not over yet"):
        gather(two_weeks, latest.shift(1), school_id="hillside", kb=kb, today=TODAY)
    week, said = parse_week(parse_qs(f"week={latest.shift(1).label}"), UTC, today=TODAY)
    assert week == latest and "appear on Monday 30 November 2026" in said
    assert "its figures appear on Monday 30 November 2026" in render.page(noon, "Hillside")


def test_a_conversation_split_by_midnight_on_sunday_counts_in_neither_week(tmp_path: Path,
                                                                          kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    create_store(url)
    found: List[Dict[str, Any]] = []
    for n in range(6):
        tag = f"{n:016x}"
        found += rows(f"s{n}", [user_event("hello", "greet", at(A, 6, 23), HILLSIDE, tag=tag),
                                user_event("a question", "ask_salary", at(B, 0, 0) + 60, HILLSIDE, tag=tag)])
    insert(url, found)
    for week in (A, B):
        assert gather(url, week, school_id="hillside", min_students=1, kb=kb, today=TODAY).conversations == 0
