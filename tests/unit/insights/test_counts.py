"""The counts behind the report and the page: per school, per finished week, and never a small group."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import BotUttered, SlotSet

from harness.insights_data import create_store, store_conversation, typed_by, user_event
from insights.counts import (
    MIN_TURNS,
    SILENT_TOPICS,
    TOPIC_NAMES,
    WIDER_TOPICS,
    Insights,
    Week,
    gather,
    latest_week,
    mask_for_display,
    min_students_setting,
)
from insights.report import main, markdown
from knowledge.query import KnowledgeBase

UTC = ZoneInfo("UTC")
WEEK = Week(2026, 45)  # Monday 2 to Sunday 8 November 2026: long over
WEDNESDAY = dt.datetime(2026, 11, 4, 12, 0, tzinfo=UTC).timestamp()
HILLSIDE = {"school": "Hillside High School", "school_id": "hillside"}
RIVERSIDE = {"school": "Riverside Academy", "school_id": "riverside"}
TAG_A, TAG_B = "a" * 16, "b" * 16


def said(text: str, intent: str, when: float, school: Optional[Dict[str, str]] = None,
         jobs: Optional[List[str]] = None, tag: Optional[str] = TAG_A) -> Any:
    return user_event(text, intent, when, school, jobs or [], tag=tag)


@pytest.fixture()
def tracker_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    now = WEDNESDAY
    store_conversation(url, "student-7f3a", [
        said("how much do sonographers earn", "ask_salary", now, HILLSIDE, ["sonographer"]),
        SlotSet("topic", "salary", timestamp=now), SlotSet("occupation", "sonographer", timestamp=now),
        BotUttered("Sonographers earn...", timestamp=now + 1),
        said("what about nuclear medicine?", "inform_occupation", now + 5, HILLSIDE,
             ["nuclear_medicine_technologist"]),
        SlotSet("topic", "salary", timestamp=now + 5),
        SlotSet("occupation", "nuclear_medicine_technologist", timestamp=now + 5),
        said("is there going to be jobs in 10 years", "ask_outlook", now + 9, HILLSIDE),
        SlotSet("topic", "outlook", timestamp=now + 9),
        said("can you do my maths homework, mail me at [email]", "out_of_scope", now + 12, HILLSIDE),
        said("can I talk to someone", "ask_counsellor", now + 15, HILLSIDE),
    ])
    store_conversation(url, "student-c001", [
        said("hi", "greet", now, RIVERSIDE),
        said("do ekg techs need a licence", "ask_license", now + 2, RIVERSIDE, ["ekg technician"]),
        SlotSet("topic", "license", timestamp=now + 2), SlotSet("occupation", "ecg_technician", timestamp=now + 2),
    ])
    last_week = WEDNESDAY - 7 * 86_400
    store_conversation(url, "student-old", [said("hi", "greet", last_week, HILLSIDE),
                                            said("what do radiographers do", "ask_duties", last_week + 3,
                                                 HILLSIDE, ["radiographer"])])
    # One message only: not an established conversation, so it counts nowhere.
    store_conversation(url, "student-once", [said("what do sonographers earn", "ask_salary", now, HILLSIDE)])
    # A page's own claim, from before the schools file: counted by name, never by id.
    store_conversation(url, "student-claim", [said("hello", "greet", now, {"school": "Hillside High School"}),
                                              said("what does a sonographer do", "ask_overview", now + 1,
                                                   {"school": "Hillside High School"})])
    return url


def test_one_school_counts_its_own_established_conversations(tracker_url: str, kb: KnowledgeBase) -> None:
    found = gather(tracker_url, WEEK, school_id="hillside", min_students=1, kb=kb)
    # the other week's, the one-message one and the claim are out
    assert (found.conversations, found.messages) == (1, 5)
    assert dict(found.topics.messages) == {"salary": 2, "outlook": 1, "ask_counsellor": 1}
    assert set(found.jobs.messages) == {kb.occupation("sonographer").name,
                                        kb.occupation("nuclear_medicine_technologist").name}
    assert dict(found.silent.messages) == {"outlook": 1}  # the sources say nothing of job prospects
    assert dict(found.not_understood.messages) == {"can you do my maths homework mail me at [email]": 1}
    assert found.as_dict()["handoffs"] == {"conversations": 1, "messages": 1}  # K = 1: exact
    assert gather(tracker_url, WEEK.shift(-1), school_id="hillside", min_students=1, kb=kb).conversations == 1


def test_a_number_from_fewer_than_k_conversations_is_hidden_like_zero(tracker_url: str, kb: KnowledgeBase) -> None:
    data = gather(tracker_url, WEEK, school_id="hillside", min_students=2, kb=kb).as_dict()
    assert data["conversations"] is None and data["messages"] is None
    assert [r["key"] for r in data["topics"]] == list(TOPIC_NAMES), "every topic has a row, asked or not"
    assert {r["key"] for r in data["sources_silent"]} == set(SILENT_TOPICS)
    assert {r["key"] for r in data["answered_for_wider_group"]} == set(WIDER_TOPICS)
    asked = next(r for r in data["topics"] if r["key"] == "salary")
    never = next(r for r in data["topics"] if r["key"] == "safety")
    assert {**asked, "name": "", "key": ""} == {**never, "name": "", "key": ""}, "asked once looks like never"
    assert data["jobs"] == [] and data["not_understood"]["groups"] == []
    assert "fewer than 2" in markdown(data) and "homework" not in markdown(data)


def test_the_json_carries_no_hidden_or_exact_number(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    typed_by(url, HILLSIDE, "wibble plonk", 3, WEDNESDAY, ["h1", "h2"])  # 3 conversations, 6 messages
    typed_by(url, HILLSIDE, "zorp", 7, WEDNESDAY, ["h1", "h2"], prefix="z")  # 7 conversations
    data = gather(url, WEEK, school_id="hillside", kb=kb).as_dict()

    def numbers(value: Any) -> List[int]:
        if isinstance(value, dict):
            return [n for k, v in value.items() if k not in ("min_students", "rounded_to", "min_turns",
                                                              "min_addresses") for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if isinstance(value, int) and not isinstance(value, bool) else []

    found = numbers(data)
    assert found and all(n % 5 == 0 and n >= 5 for n in found), found
    assert 3 not in found and 6 not in found and 7 not in found and 14 not in found
    assert data["conversations"] == 10 and data["messages"] == 20  # 10 exactly; 20 messages exactly
    overview = next(r for r in data["topics"] if r["key"] == "overview")
    assert overview == {"name": "what the job is", "key": "overview", "conversations": 10, "messages": 10}
    assert [g["name"] for g in data["not_understood"]["groups"]] == ["zorp"]
    assert data["not_understood"]["groups"][0]["conversations"] == 5  # 7, rounded
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize("exact, shown", [(0, None), (1, None), (4, None), (5, 5), (6, 5), (7, 5), (8, 10),
                                          (12, 10), (13, 15), (101, 100)])
def test_rounding_makes_5_6_and_7_look_alike(exact: int, shown: Optional[int]) -> None:
    found = Insights(start=WEEK.monday, end=WEEK.sunday, school="x", min_students=5)
    assert found.figure(exact, exact) == shown
    assert Insights(start=WEEK.monday, end=WEEK.sunday, school="x", min_students=2).figure(2, 2) == 5, \
        "never shown below 5"


def test_the_threshold_counts_conversations_not_messages(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    create_store(url)
    for n in range(4):  # four conversations, the same question, twice each: 8 messages, still hidden
        store_conversation(url, f"s{n}", [said("Wibble plonk?", "nlu_fallback", WEDNESDAY, HILLSIDE, tag=f"{n:016x}"),
                                          said("wibble  PLONK", "nlu_fallback", WEDNESDAY + 9, HILLSIDE,
                                               tag=f"{n:016x}")])
    assert gather(url, WEEK, school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"] == []
    store_conversation(url, "s5", [said("hi", "greet", WEDNESDAY, HILLSIDE),
                                   said("wibble plonk", "nlu_fallback", WEDNESDAY + 1, HILLSIDE)])
    groups = gather(url, WEEK, school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"]
    assert groups == [{"name": "wibble plonk", "key": "wibble plonk", "conversations": 5, "messages": 10}]


def test_padding_with_one_message_conversations_lifts_nothing(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    typed_by(url, HILLSIDE, "a real sentence", 1, WEDNESDAY, ["home"], prefix="real")
    before = gather(url, WEEK, school_id="hillside", kb=kb).as_dict()
    # Four made-up senders, each from its own address, with one message each: the finding's attack.
    typed_by(url, HILLSIDE, "a real sentence", 4, WEDNESDAY, ["x1", "x2", "x3", "x4"], turns=1, prefix="pad")
    typed_by(url, HILLSIDE, "visit evil dot example", 9, WEDNESDAY, [f"y{n}" for n in range(9)], turns=1)
    after = gather(url, WEEK, school_id="hillside", kb=kb)
    assert after.conversations == 1 and after.as_dict() == before
    assert MIN_TURNS == 2
    typed_by(url, HILLSIDE, "a real sentence", 4, WEDNESDAY, ["x1", "x2", "x3", "x4"], prefix="two")
    assert [g["name"] for g in gather(url, WEEK, school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"]
            ] == ["a real sentence"], "two-message conversations from 2+ addresses do count (docs/insights.md)"


def test_padding_from_one_address_or_none_lifts_no_text(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    typed_by(url, HILLSIDE, "one network", 8, WEDNESDAY, ["the school's nat"])
    typed_by(url, HILLSIDE, "no tags", 8, WEDNESDAY, [])
    typed_by(url, HILLSIDE, "mostly untagged", 6, WEDNESDAY, [], prefix="untagged")
    typed_by(url, HILLSIDE, "mostly untagged", 1, WEDNESDAY, ["home"], prefix="tagged")
    data = gather(url, WEEK, school_id="hillside", kb=kb).as_dict()
    assert data["not_understood"]["groups"] == [], "a missing tag never helps reach two addresses"
    assert data["conversations"] == 25, "the conversations themselves still count (rounded)"
    typed_by(url, HILLSIDE, "one network", 1, WEDNESDAY, ["a phone"], prefix="phone")
    shown = gather(url, WEEK, school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"]
    assert [(g["name"], g["conversations"]) for g in shown] == [("one network", 10)]


def test_a_tag_that_is_not_16_hex_characters_is_no_address(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    for n in range(6):
        store_conversation(url, f"s{n}", [said("hi", "greet", WEDNESDAY, HILLSIDE, tag=f"forged-{n}"),
                                          said("zap zap", "nlu_fallback", WEDNESDAY + 1, HILLSIDE,
                                               tag=f"forged-{n}")])
    assert gather(url, WEEK, school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"] == []


def test_weeks_are_the_schools_own_weeks(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    late = dt.datetime(2026, 11, 9, 4, 30, tzinfo=UTC).timestamp()  # Monday in UTC, Sunday 22:30 in Chicago
    store_conversation(url, "s1", [said("what do sonographers do", "ask_duties", late, HILLSIDE),
                                   said("and their pay", "ask_salary", late + 60, HILLSIDE)])
    chicago = ZoneInfo("America/Chicago")
    assert gather(url, WEEK, school_id="hillside", zone=chicago, min_students=1, kb=kb).messages == 2
    assert gather(url, WEEK, school_id="hillside", zone=UTC, min_students=1, kb=kb).messages == 0
    assert gather(url, WEEK.shift(1), school_id="hillside", zone=UTC, min_students=1, kb=kb).messages == 2


def test_by_name_for_older_messages_and_all_schools(tracker_url: str, kb: KnowledgeBase) -> None:
    by_name = gather(tracker_url, WEEK, school_name="hillside high school", min_students=1, kb=kb)
    assert by_name.conversations == 2  # the tagged one and the claim
    everyone = gather(tracker_url, WEEK, min_students=1, kb=kb)
    assert everyone.messages == 9 and set(everyone.schools.messages) == {"Hillside High School", "Riverside Academy"}
    riverside = gather(tracker_url, WEEK, school_id="riverside", min_students=1, kb=kb)
    assert dict(riverside.wider.messages) == {"license": 1} and not riverside.silent.messages


def test_masking_catches_what_slipped_through() -> None:
    assert mask_for_display("Call me on 07700 900123 or see https://x.example/a?b=1!") == \
        "call me on [phone] or see [link]"
    assert mask_for_display("I'm 15, in year 10") == "i'm [number] in year [number]"
    assert mask_for_display("<b>hi</b>  there") == "b hi b there"


def test_settings_and_weeks_are_checked() -> None:
    assert min_students_setting({}) == 5 and min_students_setting({"INSIGHTS_MIN_STUDENTS": "10"}) == 10
    for wrong in ("1", "0", "ten", "101", "-5"):
        with pytest.raises(ValueError, match="INSIGHTS_MIN_STUDENTS"):
            min_students_setting({"INSIGHTS_MIN_STUDENTS": wrong})
    with pytest.raises(ValueError, match="not over yet"):
        gather("sqlite://", latest_week(UTC).shift(1))
    assert Week.parse("2026-W47") == Week(2026, 47) and Week.parse(" 2026-w7 ") == Week(2026, 7)
    assert Week.parse("2026-W53") == Week(2026, 53) and Week.parse("2025-W53") is None  # 2025 has 52
    for junk in ("", "2026-11-30", "W47", "2026-W00", "1999-W10", "2026-W47x"):
        assert Week.parse(junk) is None, junk
    assert Week(2026, 53).shift(1) == Week(2027, 1) and Week(2026, 1).monday == dt.date(2025, 12, 29)
    assert Week(2026, 47).describe() == "week 47 of 2026, Monday 16 to Sunday 22 November 2026"
    assert Week(2026, 49).describe() == "week 49 of 2026, Monday 30 November to Sunday 6 December 2026"
    assert Week(2026, 53).describe() == "week 53 of 2026, Monday 28 December 2026 to Sunday 3 January 2027"
    monday = dt.date(2026, 11, 23)
    assert Week(2026, 47).finished(UTC, monday) and not Week(2026, 48).finished(UTC, monday)
    assert not Week(2026, 47).finished(UTC, monday - dt.timedelta(days=1))
    assert latest_week(UTC, monday) == Week(2026, 47) == latest_week(UTC, dt.date(2026, 11, 29))


def test_the_report_command(tmp_path: Path, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    week = latest_week(UTC)
    when = dt.datetime.combine(week.monday + dt.timedelta(days=2), dt.time(12), UTC).timestamp()
    typed_by(url, HILLSIDE, "zorp", 6, when, ["h1", "h2"])
    typed_by(url, RIVERSIDE, "zorp", 1, when, ["r1"], prefix="r")
    assert main(["--url", url, "--min-students", "1"]) == 0
    text = capsys.readouterr().out
    assert "typed-" not in text and "| what the job is | 7 | 7 |" in text and "| Riverside Academy | 1 | 2 |" in text
    assert main(["--url", url]) == 0  # K = 5 by default: Hillside's 6 conversations show as 5, Riverside's hidden
    text = capsys.readouterr().out
    assert "| Hillside High School | 5 | 10 |" in text and "Riverside Academy" not in text
    assert "| every other school | fewer than 5 | fewer than 5 |" in text and "rounded to the nearest 5" in text
    assert main(["--url", url, "--weeks", "3", "--json"]) == 0
    weeks = json.loads(capsys.readouterr().out)
    assert [w["week"] for w in weeks] == [week.shift(-2).label, week.shift(-1).label, week.label], "each week apart"
    assert weeks[0]["conversations"] is None and weeks[2]["conversations"] == 5
    assert main(["--url", f"sqlite:///{tmp_path / 'none.db'}", "--min-students", "1"]) == 0
    assert "Nothing was asked in this week." in capsys.readouterr().out
    for wrong in (["--weeks", "0"], ["--min-students", "0"], ["--week", "2026-11-30"],
                  ["--week", week.shift(1).label]):
        with pytest.raises(SystemExit):
            main(wrong)


def test_questions_are_counted_in_the_language_of_their_conversation(tmp_path: Path, kb: KnowledgeBase) -> None:
    """The sticky rule decides each message's language: "ok" in a Spanish conversation is Spanish."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    sure_es, sure_en = {"code": "es", "margin": 0.9}, {"code": "en", "margin": 0.95}
    unsure_en = {"code": "en", "margin": 0.2}
    store_conversation(url, "student-es", [
        user_event("cuanto gana un ecografista", "ask_salary", WEDNESDAY, HILLSIDE, tag=TAG_A, language=sure_es),
        user_event("ok", "affirm", WEDNESDAY + 1, HILLSIDE, tag=TAG_A, language=unsure_en),
        user_event("what about x-ray techs", "inform_occupation", WEDNESDAY + 2, HILLSIDE, tag=TAG_A,
                   language=sure_en)])
    store_conversation(url, "student-page", [  # a Spanish page starts the conversation in Spanish
        user_event("hola", "greet", WEDNESDAY, HILLSIDE, tag=TAG_B, language=unsure_en, page="es-MX"),
        user_event("sonographer", "inform_occupation", WEDNESDAY + 1, HILLSIDE, tag=TAG_B, language=unsure_en,
                   page="es-MX")])
    found = gather(url, WEEK, school_id="hillside", min_students=1, kb=kb)
    assert dict(found.languages.messages) == {"es": 4, "en": 1}
    rows = {r["key"]: r for r in found.as_dict()["languages"]}
    assert rows["es"]["name"] == "Spanish" and rows["es"]["conversations"] == 2 and rows["en"]["messages"] == 1
    hidden = gather(url, WEEK, school_id="hillside", min_students=5, kb=kb).as_dict()["languages"]
    assert [r["conversations"] for r in hidden] == [None, None], "a language of fewer than K is hidden"
