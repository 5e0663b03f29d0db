"""The fallback answers from the knowledge base's search when it is sure, and duties questions about one task."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.answers import ActionAnswer
from actions.support import CLOSEST, NOT_SURE, OTHERWISE, ActionFallback
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import ANSWERED, UNSURE
from tests.unit.actions.test_faithfulness import check_job
from tests.unit.trackers import make_tracker, named, occupation, run_action

RANKING = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "ask_salary", "confidence": 0.28},
           {"name": "ask_best_paying", "confidence": 0.2}]


async def test_a_clear_question_gets_the_closest_fact_with_its_source(kb: KnowledgeBase) -> None:
    job = named(kb, "nuclear medicine technologist")
    tracker = make_tracker("nlu_fallback", [occupation(job, "nuclear medicine technologist")], ranking=RANKING,
                           text="income of a nuclear medicine technologist")
    messages, slots = await run_action(ActionFallback(), tracker)
    fact = kb.fact(job, "salary")
    assert fact is not None
    answer, offer = messages
    assert answer["text"].startswith(CLOSEST) and fact.text in answer["text"]
    assert answer["text"].rpartition("\n\n")[2].startswith("Source: ")
    assert offer["text"] == OTHERWISE
    assert [b["payload"] for b in offer["buttons"]][:2] == [
        f'/ask_salary{{"occupation": "{job}"}}', f'/ask_best_paying{{"occupation": "{job}"}}']
    assert slots == {"topic": "salary", "occupation": job,  # the sources, then whom the article credits (BLS)
                     "sources_shown": [*fact.source_ids, *fact.attribution], "reply_kind": ANSWERED}


async def test_a_job_without_its_own_fact_is_told_whose_it_is(kb: KnowledgeBase) -> None:
    messages, slots = await run_action(ActionFallback(), make_tracker("nlu_fallback", text="is it risky 4 mammo techs"))
    assert "don't cover safety for mammographers specifically" in messages[0]["text"]
    assert slots["topic"] == "safety" and slots["occupation"] == named(kb, "mammo techs")


async def test_a_gap_says_the_sources_do_not_cover_it(kb: KnowledgeBase) -> None:
    messages, slots = await run_action(ActionFallback(), make_tracker(
        "nlu_fallback", text="r x-ray techs gonna be replaced by AI"))
    gap = kb.gap("outlook")
    assert gap is not None and gap.text in messages[0]["text"]
    assert "Sources checked: " in messages[0]["text"] and slots["sources_shown"] == kb.all_sources()


@pytest.mark.parametrize("text", ["how do I bake bread", "qwertyuiop", "adios", "how much do nurses earn",
                                  "who earns more, sonographers or nuclear medicine technologists"])
async def test_nonsense_and_off_topic_fall_back_as_before(kb: KnowledgeBase, text: str) -> None:
    messages, slots = await run_action(ActionFallback(), make_tracker("nlu_fallback", ranking=RANKING, text=text))
    assert [m["text"] for m in messages] == [NOT_SURE] and slots == {"reply_kind": UNSURE}
    assert messages[0]["buttons"][-1] == {"title": "What can you do?", "payload": "/help"}


@pytest.mark.parametrize("text", [None, 7, ["salary"], {"a": 1}, "x" * 20_000, "<b>" * 400,
                                  "/ask_salary", "\x00\ufeff\u202e", "💥" * 100])
async def test_bad_text_falls_back_without_crashing(kb: KnowledgeBase, text: Any) -> None:
    tracker = make_tracker("nlu_fallback")
    tracker.latest_message["text"] = text
    messages, _ = await run_action(ActionFallback(), tracker)
    assert messages and messages[-1]["buttons"]


async def duties(text: str, entities: List[Dict[str, Any]]) -> str:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_duties", entities, text=text))
    return "\n".join(m["text"] for m in messages)


async def test_a_duties_question_about_one_task_gets_that_task(kb: KnowledgeBase) -> None:
    tasks = kb.fact(kb.group().id, "duties")
    assert tasks is not None
    text = await duties("who stores the radioactive medicines", [])
    assert "this is the one you asked about:\n8. Store radioactive medicines" in text and tasks.text not in text
    assert "Which job would you like to know more about?" in text
    borrowed = await duties("does an ecg tech watch patients for reactions", [occupation(named(kb, "ecg tech"))])
    assert borrowed.startswith("The sources don't cover duties for ECG technicians specifically.")
    assert "\n5. Watch how patients are doing" in borrowed and "\n6. " not in borrowed


@pytest.mark.parametrize("text", ["what do they do", "", "/ask_duties", "what do they do all day with patients"])
async def test_a_general_duties_question_still_gets_the_whole_list(kb: KnowledgeBase, text: str) -> None:
    tasks = kb.fact(kb.group().id, "duties")
    assert tasks is not None and tasks.text in await duties(text, [])


async def test_a_job_with_its_own_duties_keeps_them(kb: KnowledgeBase) -> None:
    job = named(kb, "sonographer")
    own = kb.fact(job, "duties")
    assert own is not None
    assert own.text in await duties("do they measure the radiation doses", [occupation(job)])


async def test_a_task_question_about_a_job_that_borrows_its_duties_gets_the_groups_task(kb: KnowledgeBase) -> None:
    """An MRI technologist borrows a parent's duties, which say nothing of radioactive waste: the group's task does."""
    group = kb.fact(kb.group().id, "duties")
    assert group is not None
    borrowers = [o for o in kb.occupations()
                 if (f := kb.find_fact(o.id, "duties")) is not None and f.occupation_id not in (o.id, kb.group().id)]
    assert borrowers, "no job borrows its duties from a parent below the group: this test would check nothing"
    for job in borrowers:
        text = await duties("who gets rid of the radioactive waste", [occupation(job.id)])
        assert "this is the one you asked about:\n8. " in text and f"({kb.group().plural})" in text, text
        check_job(kb, text, job.id)
