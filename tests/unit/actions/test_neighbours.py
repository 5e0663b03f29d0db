"""Jobs next to the group (knowledge/other_jobs.yml) get what the sources say of them, never the group's
facts: no figure, duty or licence rule of a group job is given as theirs, whatever the topic."""

from __future__ import annotations

import re

import pytest

from actions.answers import ActionAnswer
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT
from tests.unit.actions.test_actions import text_of
from tests.unit.trackers import make_tracker, run_action

NEIGHBOURS = [job.id for job in KnowledgeBase().other_jobs()]
MONEY = re.compile(r"\$\s?\d")


@pytest.mark.parametrize("intent", sorted(TOPIC_BY_INTENT))
@pytest.mark.parametrize("job", NEIGHBOURS)
async def test_a_neighbouring_job_gets_its_own_note_and_no_group_fact(kb: KnowledgeBase, job: str,
                                                                       intent: str) -> None:
    other = kb.other_job(job)
    assert other is not None
    messages, slots = await run_action(ActionAnswer(), make_tracker(
        intent, [{"entity": "other_job", "value": job, "text": other.name}], text=f"about a {other.name}"))
    text = text_of(messages)
    assert other.note in text
    assert not MONEY.search(text), "a group job's pay given for a job outside it"
    for fact in kb.facts():
        if fact.topic in ("duties", "license", "salary", "education", "safety", "equipment"):
            assert fact.text not in text, f"{fact.occupation_id}'s {fact.topic} given for {job}"
    assert slots.get("occupation") is None  # the conversation is not now about a group job


def test_the_neighbours_include_the_ones_students_confuse(kb: KnowledgeBase) -> None:
    for typed, job in [("medical lab technician", "medical_lab_technician"),
                       ("nuclear medicine physician", "nuclear_medicine_physician"),
                       ("x-ray doctor", "doctor"), ("veterinary ultrasound technician", "veterinary_technician"),
                       ("radiation oncologist", "radiation_oncologist"), ("medical technician", "medical_technician")]:
        assert kb.names.classify(typed) == ("other_job", job), typed


@pytest.mark.parametrize("job", NEIGHBOURS)
async def test_is_a_neighbouring_job_in_the_group_gets_a_plain_no(kb: KnowledgeBase, job: str) -> None:
    from actions.titles import ActionTitles

    other = kb.other_job(job)
    assert other is not None
    messages, _ = await run_action(ActionTitles(), make_tracker(
        "ask_titles", [{"entity": "other_job", "value": job, "text": other.name}], text=f"is a {other.name} in 3211"))
    text = text_of(messages)
    assert text.startswith("No.") and other.note in text
    assert "Other titles in the classification" not in text and "includes:" not in text, "the whole list"
