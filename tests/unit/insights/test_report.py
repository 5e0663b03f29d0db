"""The counsellor's report: counts what was asked, per school, and never shows who asked."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from insights.report import build_report, main, markdown
from knowledge.query import KnowledgeBase

DAY = 86_400
NOW = time.time()


def said(text: str, intent: str, when: float, school: Optional[str] = None,
         jobs: Optional[List[str]] = None) -> UserUttered:
    parse: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                             "entities": [{"entity": "occupation", "value": j} for j in jobs or []]}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=when,
                       metadata={"school": school} if school else {})


async def store(url: str, sender: str, events: List[Any]) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    await SQLTrackerStore(Domain.empty(), host=url).save(tracker)


@pytest.fixture()
async def tracker_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    now = NOW - 3600
    await store(url, "student-7f3a", [
        said("how much do sonographers earn", "ask_salary", now, "Hillside High", ["sonographer"]),
        SlotSet("topic", "salary", timestamp=now), SlotSet("occupation", "sonographer", timestamp=now),
        BotUttered("Sonographers earn...", timestamp=now + 1),
        said("what about nuclear medicine?", "inform_occupation", now + 5, "Hillside High",
             ["nuclear_medicine_technologist"]),
        SlotSet("topic", "salary", timestamp=now + 5),
        SlotSet("occupation", "nuclear_medicine_technologist", timestamp=now + 5),
        said("is there going to be jobs in 10 years", "ask_outlook", now + 9, "Hillside High"),
        SlotSet("topic", "outlook", timestamp=now + 9),
        said("can you do my maths homework, mail me at [email]", "out_of_scope", now + 12, "Hillside High"),
    ])
    await store(url, "student-c001", [
        said("do ekg techs need a licence", "ask_license", now, "Riverside Academy", ["ekg technician"]),
        SlotSet("topic", "license", timestamp=now), SlotSet("occupation", "ecg_technician", timestamp=now),
    ])
    await store(url, "student-old", [said("what do radiographers do", "ask_duties", NOW - 40 * DAY,
                                          "Hillside High", ["radiographer"])])
    return url


def test_one_school_sees_its_own_students_questions_counted(tracker_url: str, kb: KnowledgeBase) -> None:
    report = build_report(tracker_url, 7, "hillside high", kb=kb)
    assert (report.conversations, report.messages) == (1, 4)  # the 40-day-old one is outside the week
    assert dict(report.topics) == {"salary": 2, "outlook": 1}
    assert dict(report.jobs) == {kb.occupation("sonographer").name: 1,
                                 kb.occupation("nuclear_medicine_technologist").name: 1}
    assert dict(report.unanswered) == {"outlook": 1}  # the sources say nothing of job prospects
    assert sum(report.not_understood.values()) == 1


def test_the_report_shows_no_ids_and_no_words_unless_asked(tracker_url: str, kb: KnowledgeBase) -> None:
    report = build_report(tracker_url, 7, kb=kb)
    text = markdown(report)
    assert "student-" not in text and "homework" not in text
    assert "| pay | 2 |" in text and "| job prospects | 1 |" in text
    assert "| Riverside Academy | 1 |" in text  # all schools: a line each
    assert "maths homework, mail me at [email]" in markdown(report, texts=True)
    assert build_report(tracker_url, 60, kb=kb).messages == 6


def test_an_answer_borrowed_from_the_whole_group_is_counted_apart(tracker_url: str, kb: KnowledgeBase) -> None:
    """The sources give licensing for the whole group, not for ECG technicians in particular."""
    report = build_report(tracker_url, 7, "Riverside Academy", kb=kb)
    assert dict(report.topics) == {"license": 1}
    assert dict(report.jobs) == {kb.occupation("ecg_technician").name: 1}
    assert dict(report.wider) == {"license": 1} and not report.unanswered
    assert "| licences and certification | 1 |" in markdown(report).split("wider group")[1]


def test_cli_on_an_empty_or_absent_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         kb: KnowledgeBase) -> None:
    assert main(["--url", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "Nothing was asked in this period." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--days", "0"])
