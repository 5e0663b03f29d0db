"""Groupings only where the sources support them: a job filed under a parent by the project's own
reading says so, a topic the parent's facts would mislead on is not borrowed, and an overview
also says what the job does.
"""

from __future__ import annotations

from typing import List

import pytest

from actions.answers import WHAT_THEY_DO, ActionAnswer
from actions.titles import ActionTitles
from knowledge.query import KnowledgeBase, OccupationInfo
from knowledge.vocabulary import TOPIC_BY_INTENT
from tests.unit.actions.test_faithfulness import answer, check, check_job
from tests.unit.trackers import make_tracker, occupation, run_action

READING = "my reading of the title, not the sources'"


def read_as_parent(kb: KnowledgeBase) -> List[OccupationInfo]:
    found = [o for o in kb.occupations() if kb.grouping_is_reading(o.id)]
    assert found, "no grouping is the project's reading: these tests would check nothing"
    return found


def quoted_parent(kb: KnowledgeBase) -> List[OccupationInfo]:
    found = [o for o in kb.occupations() if o.parent_evidence]
    assert found, "no grouping has a quote: these tests would check nothing"
    return found


async def test_a_borrowed_answer_says_when_the_grouping_is_a_reading(kb: KnowledgeBase) -> None:
    for job in read_as_parent(kb):
        parent = kb.occupation(job.parent_id or "")
        assert parent is not None
        borrowed = [t for t in TOPIC_BY_INTENT.values()
                    if (f := kb.find_fact(job.id, t)) and f.occupation_id == parent.id]
        assert borrowed, f"{job.id} borrows nothing from {parent.id}"
        for topic in borrowed:
            intent = next(i for i, t in TOPIC_BY_INTENT.items() if t == topic)
            text = await answer(kb, intent, job.id)
            assert READING in text and f"come under {parent.plural}" not in text, text
            check_job(kb, text, job.id)


async def test_the_job_check_catches_come_under_for_a_grouping_no_source_gives(kb: KnowledgeBase) -> None:
    job = read_as_parent(kb)[0]
    parent = kb.occupation(job.parent_id or "")
    assert parent is not None
    fact = kb.fact(parent.id, "duties")
    assert fact is not None
    text = (f"The sources don't cover duties for {job.plural} specifically. {job.plural.capitalize()} come under "
            f"{parent.plural}, so this is about {parent.plural}:\n{fact.text}\n\nSource: "
            + "; ".join(s.citation for s in kb.sources(fact.source_ids)) + ".")
    with pytest.raises(AssertionError, match="which no source says"):
        check_job(kb, text, job.id)


async def test_confirming_a_title_says_how_it_is_grouped(kb: KnowledgeBase) -> None:
    for job, reading in [(o, True) for o in read_as_parent(kb)] + [(o, False) for o in quoted_parent(kb)]:
        messages, slots = await run_action(ActionTitles(), make_tracker("ask_titles", [occupation(job.id)]))
        text = messages[0]["text"]
        assert (READING in text) is reading and ("It comes under" in text) is not reading, text
        if not reading:  # the quote is in the job's sources, which the answer cites
            assert set(job.source_ids) <= set(slots["sources_shown"]), text
        check(kb, text, slots["sources_shown"])


async def test_a_topic_that_would_mislead_is_not_borrowed(kb: KnowledgeBase) -> None:
    jobs = [o for o in kb.occupations() if o.not_borrowed]
    assert jobs, "no job refuses a parent's topic: this test would check nothing"
    for job in jobs:
        for topic in job.not_borrowed:
            intent = next(i for i, t in TOPIC_BY_INTENT.items() if t == topic)
            text = await answer(kb, intent, job.id)
            ancestors = [f.text for a in kb.lineage(job.id)[1:] if (f := kb.fact(a, topic))]
            assert ancestors and not any(a in text for a in ancestors), text
            assert "don't say anything" in text and "doesn't carry over" in text, text
            check(kb, text.replace("Sources checked:", "Source:"), list(job.source_ids))


async def test_an_overview_also_says_what_they_do(kb: KnowledgeBase) -> None:
    """'What's life like as a ...?' is an overview question: the answer has the duties too (borrowed, if need be)."""
    for job in kb.occupations():
        if job.parent_id is None or kb.find_fact(job.id, "overview") is None:
            continue
        duties = kb.find_fact(job.id, "duties")
        messages, slots = await run_action(ActionAnswer(), make_tracker("ask_overview", [occupation(job.id)]))
        text = messages[0]["text"]
        if duties is not None:
            assert WHAT_THEY_DO in text and duties.text in text, text
            assert set(duties.source_ids) <= set(slots["sources_shown"]), text
        check_job(kb, text, job.id)
