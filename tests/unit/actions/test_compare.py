"""Comparisons on the topic asked: every expectation is worked out from the knowledge base, never typed."""

from __future__ import annotations

from typing import List, Tuple

import pytest

from actions.compare import NOT_GIVEN, ActionCompare, asked_topics
from actions.context import capitalised
from knowledge.query import KnowledgeBase, OccupationInfo
from tests.unit.actions.test_faithfulness import check, check_compare, paid_jobs
from tests.unit.trackers import make_tracker, occupation, run_action


async def ask(kb: KnowledgeBase, question: str, jobs: Tuple[str, ...] = ()) -> Tuple[str, List[str]]:
    """Ask a comparison; the reply is checked for faithfulness before any test looks at it."""
    messages, slots = await run_action(ActionCompare(), make_tracker(
        "compare_occupations", [occupation(j) for j in jobs], text=question))
    text = "\n".join(m["text"] for m in messages)
    check(kb, text, slots.get("sources_shown") or [])
    check_compare(kb, text)
    return text, slots.get("sources_shown") or []


def job_with_own(kb: KnowledgeBase, topic: str, but_not: Tuple[str, ...] = ()) -> OccupationInfo:
    return next(o for o in kb.featured() if kb.fact(o.id, topic) is not None and o.id not in but_not)


def job_without(kb: KnowledgeBase, topic: str) -> OccupationInfo:
    """A job in the group with no fact of its own on the topic (only listed by the classification)."""
    return next(o for o in kb.occupations() if o.parent_id is not None and kb.fact(o.id, topic) is None)


@pytest.mark.parametrize("question, topics", [
    ("of the three, whose pay is lowest", ["salary"]),
    ("who makes more money", ["salary"]),
    ("which needs the shortest training", ["education"]),
    ("is licensing stricter for them", ["license"]),
    ("do both need certification", ["license"]),
    ("what's the difference between them", ["overview"]),
    ("which industry pays best", ["best_paying"]),
    ("compare pay and licensing", ["salary", "license"]),
    ("compare them", []),
    ("", []),
])
def test_the_words_of_the_question_pick_the_topic(question: str, topics: List[str]) -> None:
    assert asked_topics(question) == topics


async def test_lowest_pay_of_the_featured_jobs_names_the_job_with_the_lowest_figure(kb: KnowledgeBase) -> None:
    text, sources = await ask(kb, "of the three, whose pay is lowest")
    featured = [(o, kb.figure(o.id)) for o in kb.featured()]
    lowest = min(f.value for _, f in featured if f)
    names = [o.plural for o, f in featured if f and f.value == lowest]
    statistic = next(f.statistic for _, f in featured if f)
    assert f"have the lowest {statistic} pay (${lowest:,})" in text and all(n in text for n in names)
    assert "highest" not in text
    for _, figure in featured:
        assert figure is not None and f"${figure.value:,}" in text and str(figure.year) in text
    for occupation_id in [o.id for o, _ in featured]:
        fact = kb.fact(occupation_id, "salary")
        assert fact is not None and set(fact.source_ids) <= set(sources)
    assert "Licence" not in text and "Education" not in text  # only the topic asked


async def test_highest_pay_of_two_named_jobs(kb: KnowledgeBase) -> None:
    (low, _), (high, figure) = paid_jobs(kb)[0], paid_jobs(kb)[-1]
    text, _ = await ask(kb, "which one earns more", (low.id, high.id))
    assert f"Of these, {high.plural} have the highest {figure.statistic} pay (${figure.value:,})." in text


async def test_a_licensing_comparison_shows_both_jobs_licence_facts(kb: KnowledgeBase) -> None:
    first = job_with_own(kb, "license")
    second = job_with_own(kb, "license", but_not=(first.id,))
    text, sources = await ask(kb, "is licensing stricter for one or the other", (first.id, second.id))
    for job in (first, second):
        fact = kb.fact(job.id, "license")
        assert fact is not None
        assert f"• {capitalised(job.name)}: {fact.text}" in text
        assert set(fact.source_ids) <= set(sources)
    assert "• Pay" not in text and "• Education" not in text


async def test_a_difference_question_shows_both_overviews_and_the_rows(kb: KnowledgeBase) -> None:
    first = job_with_own(kb, "overview")
    second = job_with_own(kb, "overview", but_not=(first.id,))
    text, sources = await ask(kb, "what's the difference between them", (first.id, second.id))
    for job in (first, second):
        fact = kb.fact(job.id, "overview")
        assert fact is not None and fact.text in text and set(fact.source_ids) <= set(sources)
    assert "• Pay" in text and "• Licence" in text and "• Education" in text


async def test_a_job_without_figures_is_compared_as_not_given(kb: KnowledgeBase) -> None:
    bare = job_without(kb, "salary")
    paid, figure = paid_jobs(kb)[0]
    text, sources = await ask(kb, "who gets paid the most", (bare.id, paid.id))
    assert f"{NOT_GIVEN} vs ${figure.value:,}" in text
    described = [o.plural for o in kb.occupations() if kb.figure(o.id) is not None]
    assert f"only for {', '.join(described[:-1])} and {described[-1]}. {capitalised(bare.plural)} are not among them." \
        in text
    assert "have the highest" not in text  # one figure is no ranking
    assert set(bare.source_ids) <= set(sources)


async def test_how_long_training_takes_is_said_to_be_unknown(kb: KnowledgeBase) -> None:
    text, _ = await ask(kb, "which needs the shortest training")
    gap = kb.gap("program_length")
    assert gap is not None and gap.text in text
    for job in kb.featured():
        fact = kb.fact(job.id, "education")
        assert fact is not None and fact.text in text


# --- The comparison check itself must fail on a dishonest answer ------------------------------

async def _default(kb: KnowledgeBase, question: str) -> str:
    return (await ask(kb, question))[0]


def _swap(text: str, a: str, b: str) -> str:
    return text.replace(a, "\0").replace(b, a).replace("\0", b)


async def test_the_comparison_check_catches_swapped_figures(kb: KnowledgeBase) -> None:
    text = await _default(kb, "compare their pay")
    (_, low), (_, high) = paid_jobs(kb)[0], paid_jobs(kb)[-1]
    with pytest.raises(AssertionError, match="where the knowledge base says"):
        check_compare(kb, _swap(text, f"${low.value:,}", f"${high.value:,}"))


async def test_the_comparison_check_catches_a_wrong_superlative(kb: KnowledgeBase) -> None:
    text = await _default(kb, "whose pay is lowest")
    (low, _), (high, _) = paid_jobs(kb)[0], paid_jobs(kb)[-1]
    wrong = text.replace(f"Of these, {low.plural} have", f"Of these, {high.plural} have")
    check(kb, wrong, [])  # each sentence alone is framing...
    with pytest.raises(AssertionError, match="wrong lowest"):
        check_compare(kb, wrong)  # ...but the claim is false


async def test_the_comparison_check_catches_a_fact_under_another_job(kb: KnowledgeBase) -> None:
    first = job_with_own(kb, "license")
    second = job_with_own(kb, "license", but_not=(first.id,))
    text, _ = await ask(kb, "is licensing stricter", (first.id, second.id))
    wrong = _swap(text, f"• {capitalised(first.name)}:", f"• {capitalised(second.name)}:")
    with pytest.raises(AssertionError, match="is not under its own name"):
        check_compare(kb, wrong)


async def test_the_comparison_check_catches_a_wrong_only_for_line(kb: KnowledgeBase) -> None:
    bare = job_without(kb, "salary")
    text, _ = await ask(kb, "compare pay", (bare.id, paid_jobs(kb)[0][0].id))
    described = [o.plural for o in kb.occupations() if kb.figure(o.id) is not None]
    listed = f"only for {', '.join(described[:-1])} and {described[-1]}."
    assert listed in text
    wrong = text.replace(listed, f"only for {described[0]}.")  # leaves out jobs the sources do describe
    with pytest.raises(AssertionError, match="salary"):
        check_compare(kb, wrong)
