"""Jobs next to the group (knowledge/other_jobs.yml) get what the sources say of them, never the group's
facts: no figure, duty or licence rule of a group job is given as theirs, whatever the topic."""

from __future__ import annotations

import re

import pytest

from actions.answers import ActionAnswer
from actions.titles import ActionTitles
from knowledge.build import load
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import OUTSIDE, TOPIC_BY_INTENT
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


async def test_a_name_that_could_be_in_or_out_asks_which_with_a_button_each(kb: KnowledgeBase) -> None:
    """"how much does a medical technician earn": a question back, never the X-ray technicians' pay."""
    either = [job for job in kb.other_jobs() if job.could_be]
    assert either, "other_jobs.yml has no name that could mean a group job too"
    for job in either:
        messages, slots = await run_action(ActionAnswer(), make_tracker(
            "ask_salary", [{"entity": "other_job", "value": job.id, "text": job.name}], text=f"{job.name} pay"))
        assert "Which one did you mean?" in messages[0]["text"] and not MONEY.search(text_of(messages))
        payloads = [b["payload"] for b in messages[0]["buttons"]]
        assert len(payloads) == len(job.could_be)
        assert all(any(f'"{meant}"' in p for p in payloads) for meant in job.could_be)
        assert slots["reply_kind"] == "clarify"


@pytest.mark.parametrize("text", ["do i need a licence in canada", "what do sonographers earn in the uk",
                                  "licence rules for radiographers in pakistan"])
async def test_a_place_the_sources_dont_cover_gets_no_us_rule_or_figure(kb: KnowledgeBase, text: str) -> None:
    for intent in ("ask_license", "ask_salary"):
        for job in [None, *(o.id for o in kb.featured())]:
            entities = [{"entity": "occupation", "value": job, "text": job}] if job else []
            messages, slots = await run_action(ActionAnswer(), make_tracker(intent, entities, text=text))
            reply = text_of(messages)
            assert not MONEY.search(reply) and "states" not in reply, reply
            assert slots["reply_kind"] == "not_covered"


@pytest.mark.parametrize("text", ["sonographer jobs in toronto", "what NHS band are sonographers",
                                  "can i work as a radiographer in london", "AHPRA registration for sonographers"])
async def test_a_place_the_sources_dont_cover_is_said_whatever_the_topic(kb: KnowledgeBase, text: str) -> None:
    for action, intent in ((ActionAnswer(), "ask_overview"), (ActionAnswer(), "ask_duties"),
                           (ActionAnswer(), "ask_specialties"), (ActionTitles(), "ask_titles")):
        messages, slots = await run_action(action, make_tracker(intent, [], text=text))
        reply = text_of(messages)
        assert "My sources don't cover" in reply and not MONEY.search(reply), reply
        assert slots["reply_kind"] == "not_covered"


@pytest.mark.parametrize("text", ["is ultrasound safe for my baby", "can the radiation from my ct scan give me cancer",
                                  "i'm pregnant, can i still have an x-ray",
                                  "my grandma needs a pet scan is it dangerous",
                                  "how many x-rays a year is too many for me",
                                  "are ultrasounds safe for the baby", "how many ct scans is too many"])
async def test_a_patients_own_scan_is_not_answered_with_the_jobs_facts(kb: KnowledgeBase, text: str) -> None:
    for intent in ("ask_safety", "ask_overview", "ask_equipment"):
        messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [], text=text))
        reply = text_of(messages)
        assert "your own scan or health" in reply and "doctor" in reply, reply
        assert slots["reply_kind"] == "not_covered"


@pytest.mark.parametrize("text", ["is the radiation dangerous for me if i become an x ray tech",
                                  "my mom says sonographers are safe from radiation, is that true"])
async def test_a_students_question_with_my_or_me_is_still_answered(kb: KnowledgeBase, text: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker("ask_safety", [], text=text))
    assert "your own scan" not in text_of(messages) and slots["reply_kind"] != "not_covered"


@pytest.mark.parametrize("text, name", [("is a nurse one of these jobs", "nurse"),
                                        ("are dosimetrists part of this group", "dosimetrists")])
async def test_membership_of_an_unlisted_name_is_a_plain_no(kb: KnowledgeBase, text: str, name: str) -> None:
    messages, slots = await run_action(ActionTitles(), make_tracker("ask_titles", [], text=text))
    reply = text_of(messages)
    assert reply.startswith("No") and f"“{name}”" in reply and not MONEY.search(reply)
    assert slots["reply_kind"] == OUTSIDE


async def test_membership_of_a_listed_other_job_is_outside(kb: KnowledgeBase) -> None:
    job = kb.other_job("radiologist")
    entities = [{"entity": "other_job", "value": job.id, "text": job.name}]
    messages, slots = await run_action(ActionTitles(), make_tracker(
        "ask_titles", entities, text="is a radiologist in group 3211"))
    assert text_of(messages).startswith("No.") and slots["reply_kind"] == OUTSIDE


@pytest.mark.parametrize("name", ["pre med", "pre-med", "premed"])
def test_pre_med_is_a_doctors_track(name: str) -> None:
    """"what's a good pre med major": medical school, a doctor's training, never an imaging job's education."""
    assert load().other_aliases[name] == "doctor"
