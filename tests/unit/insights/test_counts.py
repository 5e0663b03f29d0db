"""The counts behind the report and the page: per school, per day, and never a small group."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import BotUttered, SlotSet

from harness.insights_data import create_store, store_conversation, user_event
from insights.counts import gather, last_days, mask_for_display, min_students_setting
from insights.report import main, markdown
from knowledge.query import KnowledgeBase

DAY = 86_400
NOW = time.time()
HILLSIDE = {"school": "Hillside High School", "school_id": "hillside"}
RIVERSIDE = {"school": "Riverside Academy", "school_id": "riverside"}
UTC = ZoneInfo("UTC")


def said(text: str, intent: str, when: float, school: Optional[Dict[str, str]] = None,
         jobs: Optional[List[str]] = None) -> Any:
    return user_event(text, intent, when, school, jobs or [])


@pytest.fixture()
def tracker_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    now = NOW - 3600
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
        said("do ekg techs need a licence", "ask_license", now, RIVERSIDE, ["ekg technician"]),
        SlotSet("topic", "license", timestamp=now), SlotSet("occupation", "ecg_technician", timestamp=now),
    ])
    store_conversation(url, "student-old", [said("what do radiographers do", "ask_duties", NOW - 40 * DAY,
                                                 HILLSIDE, ["radiographer"])])
    # A page's own claim, from before the schools file: counted by name, never by id.
    store_conversation(url, "student-claim", [said("what does a sonographer do", "ask_overview", now,
                                                   {"school": "Hillside High School"})])
    return url


def week() -> tuple:
    return last_days(7, UTC)


def test_one_school_counts_its_own_students_by_the_servers_tag(tracker_url: str, kb: KnowledgeBase) -> None:
    found = gather(tracker_url, *week(), school_id="hillside", min_students=1, kb=kb)
    assert (found.conversations, found.messages) == (1, 5)  # the 40-day-old one and the claim are out
    assert dict(found.topics.messages) == {"salary": 2, "outlook": 1, "ask_counsellor": 1}
    assert set(found.jobs.messages) == {kb.occupation("sonographer").name,
                                        kb.occupation("nuclear_medicine_technologist").name}
    assert dict(found.silent.messages) == {"outlook": 1}  # the sources say nothing of job prospects
    assert dict(found.not_understood.messages) == {"can you do my maths homework mail me at [email]": 1}
    assert found.as_dict()["handoffs"] == {"conversations": 1, "messages": 1}


def test_a_number_from_fewer_than_k_students_is_hidden(tracker_url: str, kb: KnowledgeBase) -> None:
    data = gather(tracker_url, *week(), school_id="hillside", min_students=2, kb=kb).as_dict()
    assert data["conversations"] is None and data["messages"] is None
    assert all(r["conversations"] is None and r["messages"] is None for r in data["topics"])
    assert data["not_understood"]["groups"] == [], "a text typed by one student is left out, not just hidden"
    assert data["days"][0]["conversations"] is None
    assert "fewer than 2" in markdown(data) and "homework" not in markdown(data)


def test_the_threshold_counts_students_not_messages(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    create_store(url)
    for n in range(4):  # four students, the same question, twice each: 8 messages, still hidden
        store_conversation(url, f"s{n}", [said("Wibble plonk?", "nlu_fallback", NOW - 60, HILLSIDE),
                                          said("wibble  PLONK", "nlu_fallback", NOW - 50, HILLSIDE)])
    groups = gather(url, *week(), school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"]
    assert groups == []
    store_conversation(url, "s5", [said("wibble plonk", "nlu_fallback", NOW - 40, HILLSIDE)])
    groups = gather(url, *week(), school_id="hillside", kb=kb).as_dict()["not_understood"]["groups"]
    assert groups == [{"name": "wibble plonk", "key": "wibble plonk", "conversations": 5, "messages": 9}]


def test_days_are_the_schools_own_days(tmp_path: Path, kb: KnowledgeBase) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    late = dt.datetime(2026, 11, 3, 4, 30, tzinfo=UTC).timestamp()  # 22:30 on the 2nd in Chicago
    store_conversation(url, "s1", [said("what do sonographers do", "ask_duties", late, HILLSIDE)])
    day = dt.date(2026, 11, 2)
    chicago = gather(url, day, day, school_id="hillside", zone=ZoneInfo("America/Chicago"), min_students=1, kb=kb)
    assert chicago.messages == 1 and [d["day"] for d in chicago.as_dict()["days"]] == ["2026-11-02"]
    assert gather(url, day, day, school_id="hillside", zone=UTC, min_students=1, kb=kb).messages == 0


def test_by_name_for_older_messages_and_all_schools(tracker_url: str, kb: KnowledgeBase) -> None:
    by_name = gather(tracker_url, *week(), school_name="hillside high school", min_students=1, kb=kb)
    assert by_name.conversations == 2  # the tagged one and the claim
    everyone = gather(tracker_url, *last_days(60, UTC), min_students=1, kb=kb)
    assert everyone.messages == 8 and set(everyone.schools.messages) == {"Hillside High School", "Riverside Academy"}
    riverside = gather(tracker_url, *week(), school_id="riverside", min_students=1, kb=kb)
    assert dict(riverside.wider.messages) == {"license": 1} and not riverside.silent.messages


def test_masking_catches_what_slipped_through() -> None:
    assert mask_for_display("Call me on 07700 900123 or see https://x.example/a?b=1!") == \
        "call me on [phone] or see [link]"
    assert mask_for_display("I'm 15, in year 10") == "i'm [number] in year [number]"
    assert mask_for_display("<b>hi</b>  there") == "b hi b there"


def test_settings_and_ranges_are_checked() -> None:
    assert min_students_setting({}) == 5 and min_students_setting({"INSIGHTS_MIN_STUDENTS": "10"}) == 10
    for wrong in ("1", "0", "ten", "101", "-5"):
        with pytest.raises(ValueError, match="INSIGHTS_MIN_STUDENTS"):
            min_students_setting({"INSIGHTS_MIN_STUDENTS": wrong})
    with pytest.raises(ValueError):
        gather("sqlite://", dt.date(2026, 1, 2), dt.date(2026, 1, 1))
    with pytest.raises(ValueError):
        gather("sqlite://", dt.date(2024, 1, 1), dt.date(2026, 1, 1))


def test_the_report_command(tracker_url: str, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str],
                            tmp_path: Path) -> None:
    assert main(["--url", tracker_url, "--min-students", "1"]) == 0
    text = capsys.readouterr().out
    assert "student-" not in text and "| pay | 1 | 2 |" in text and "| Riverside Academy | 1 | 1 |" in text
    assert main(["--url", tracker_url]) == 0  # K = 5 by default: every count hidden
    assert "fewer than 5 conversation(s)" in capsys.readouterr().out
    assert main(["--url", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "Nothing was asked in this period." in capsys.readouterr().out
    for wrong in (["--days", "0"], ["--min-students", "0"]):
        with pytest.raises(SystemExit):
            main(wrong)
