"""Every answer the actions can give says only what the knowledge base says, with its source.

All occupations x all topics, every comparison pair, the titles and the sources are generated.
Each sentence must be a knowledge-base text or one of the framing sentences listed here (which
carry no facts, their blanks filled only with the knowledge base's names and values); every number
must be a knowledge-base figure or appear in a cited text; every "... states" rule must be a
source's; every salary must carry its year, its scope and "median". A topic answer about one job
is checked against that job's facts too (check_job): another job's fact, an ancestor's fact under
the wrong "come under", or a missing citation of a fact used fails.
"""

from __future__ import annotations

import itertools
import re
from typing import Iterable, Iterator, List, Set, Tuple

import pytest

from actions.answers import ActionAnswer
from actions.compare import NOT_GIVEN, ActionCompare
from actions.context import capitalised
from actions.sources import ActionSources
from actions.titles import ActionTitles
from knowledge.build import GAP_TOPICS
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT, TOPIC_LABELS
from tests.unit.trackers import make_tracker, occupation, run_action

# Sentences that frame an answer but state no fact of their own. The placeholders are filled
# from the knowledge base with exact alternatives (framing()), so no pattern lets a claim through:
# {NAME} a job's name or plural, {NAMES} a list of them, {LABEL} a topic's label, {TITLES} titles
# as the classification spells them, {PAY}/{LICENCE}/{EDUCATION} a comparison row's values.
FRAMING = [
    r"The sources don't (cover|give) {LABEL} for {NAME}( specifically)?\.",
    r"{NAME} come under {NAME}, so this is about {NAME}:",
    r"They belong to group 3211 \({NAME}\), and this is what the sources say about the whole group:",
    r"For comparison, this is what they say about other jobs in the group:",
    r"The sources don't say anything about the {LABEL} of {NAME}\.",
    r"They only list {NAME} as one of the job titles in group 3211\.",
    r"Your school counsellor (may be able to help you find out more|can help you find up-to-date information)\.",
    r"Which job would you like to know more about\?",
    r"Would you like to hear about one of the jobs that is in the group\?",
    r"It depends on the job\.",
    r"Which one do you mean\?",
    r"\(I'll tell you about its {LABEL}\.\)",
    r"My sources don't cover that\.",
    r"{NAME}( vs {NAME})+:",
    r"• Pay \(US median, {YEAR}\): {PAY}( vs {PAY})*",
    r"• Licence \(US\): {LICENCE}( vs {LICENCE})*",
    r"• Education: {EDUCATION}( vs {EDUCATION})*",
    r"The sources give figures only for {NAMES}, not for {NAME}( or {NAME})*\.",
    r"Yes\.",
    r"{NAME} belongs to group 3211, medical imaging and therapeutic equipment technicians\.",
    r"Pakistan's classification lists it as {TITLES}\.",
    r"It comes under {NAME}\.",
    r"Group 3211 \(medical imaging and therapeutic equipment technicians\) includes:",
    r"• The three jobs the career article describes: {NAMES}\.",
    r"• Other titles in the classification: {NAMES}\.",
    r"A job that isn't on this list isn't part of group 3211 in this classification\.",
    r"That answer comes from:",
    r"I haven't answered a question yet\.",
    r"Everything I say comes from these two sources:",
    r"• “{SOURCE}”(, by {AUTHOR})?, {PUBLISHED} \({SCOPE}(, figures for {YEAR})?\)\.",
]


def _any(values: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(v) for v in sorted(set(values), key=len, reverse=True)) + ")"


def framing(kb: KnowledgeBase) -> List["re.Pattern[str]"]:
    """FRAMING with its placeholders filled from the knowledge base."""
    names = [n for o in kb.occupations() for n in (o.name, o.plural)]
    name = _any(names + [capitalised(n) for n in names])
    sources = kb.sources(kb.all_sources())
    facts = kb.facts()
    fill = {
        "NAME": name, "NAMES": f"{name}(?:(?:, | and |, and ){name})*", "LABEL": _any(TOPIC_LABELS.values()),
        "TITLES": f"“{_any(t for o in kb.occupations() for t in o.source_titles)}”(?:; “"
                  f"{_any(t for o in kb.occupations() for t in o.source_titles)}”)*",
        "YEAR": _any(str(f.year) for fact in facts for f in fact.figures),
        "PAY": _any([f"${f.value:,}" for fact in facts for f in fact.figures] + [NOT_GIVEN]),
        "LICENCE": _any([f"needed in {f.states} states" for f in facts if f.states] + [NOT_GIVEN]),
        "EDUCATION": _any([f.brief for f in facts if f.brief] + [NOT_GIVEN]),
        "SOURCE": _any(s.title for s in sources), "AUTHOR": _any(s.author for s in sources if s.author),
        "PUBLISHED": _any(s.published_in for s in sources), "SCOPE": _any(s.scope for s in sources),
    }
    return [re.compile(re.sub(r"\{([A-Z]+)\}", lambda m: fill[m.group(1)], p)) for p in FRAMING]


NUMBER = re.compile(r"\$?\d[\d,]*")
STATES = re.compile(r"(most|only a few|some) states")
ALSO = "What they do say: "


def notes(kb: KnowledgeBase) -> List[str]:
    """The texts that belong to no job: what the sources don't say, and the notes on outside jobs."""
    return [gap.text for topic in GAP_TOPICS if (gap := kb.gap(topic))] + [job.note for job in kb.other_jobs()]


def kb_texts(kb: KnowledgeBase) -> List[str]:
    return [fact.text for fact in kb.facts()] + notes(kb)


def sentences(body: str) -> Iterator[str]:
    for line in body.splitlines():
        line = line.strip()
        if line:
            for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z•(])", line):
                # "What they do say: <a fact>" frames a knowledge-base text, which is checked on its own.
                yield sentence.strip().removeprefix(ALSO)


def allowed_numbers(kb: KnowledgeBase) -> Set[str]:
    numbers = {f"${fig.value:,}" for fact in kb.facts() for fig in fact.figures}
    numbers |= {str(fig.year) for fact in kb.facts() for fig in fact.figures}
    sources = kb.sources(["psco_3211", "careertrend_imaging"])
    for text in kb_texts(kb) + [f"{s.citation} {s.title} {s.published_in} {s.scope}" for s in sources]:
        numbers |= set(NUMBER.findall(text))
    return numbers | {"3211", "2164"}


def check(kb: KnowledgeBase, text: str, cited: List[str]) -> None:
    body, _, source_line = text.rpartition("\n\n")
    if not body:
        body, source_line = text, ""
    texts = kb_texts(kb)
    patterns = framing(kb)
    for sentence in sentences(body):
        in_kb = any(sentence.rstrip(":") in t or sentence in t for t in texts)
        framed = any(pattern.fullmatch(sentence) for pattern in patterns)
        numbered = re.fullmatch(r"\d\. .+", sentence) and any(sentence[3:] in t for t in texts)
        assert in_kb or framed or numbered, f"unsupported sentence: {sentence!r}\n in: {text}"
    numbers = allowed_numbers(kb)
    for number in NUMBER.findall(body):
        assert number.rstrip(",") in numbers or re.fullmatch(r"[1-8]", number), f"invented number {number}: {text}"
    for rule in STATES.findall(body):
        assert any(f"{rule} states" in t for t in texts), text
    if "$" in body:
        assert "2012" in text and ("United States" in text or "US" in text) and "median" in text.lower(), text
    for source in kb.sources(cited):
        assert source.citation in source_line, f"missing citation {source.id}: {text}"


def check_job(kb: KnowledgeBase, text: str, job: str) -> None:
    """A topic answer about one job: only that job's facts, or an ancestor's introduced as such.

    Each knowledge-base fact in the answer must belong to `job` or to an occupation it comes
    under; an ancestor's fact needs the introduction that names that ancestor. Numbers and
    "... states" rules are checked against these facts only, and the citations expected are
    those of the facts used, not what the action put in its slot.
    """
    body = text.rpartition("\n\n")[0] or text
    lineage = kb.lineage(job)
    used = [f for f in kb.facts() if f.text in body]
    for fact in used:
        assert fact.occupation_id in lineage, f"a fact of {fact.occupation_id} in an answer about {job}: {text}"
        if fact.occupation_id != job:
            owner, about = kb.occupation(fact.occupation_id), kb.occupation(job)
            assert owner is not None and about is not None
            assert (f"come under {owner.plural}, so this is about {owner.plural}:" in body
                    or f"({owner.plural})" in body or "other jobs in the group" in body), (
                f"{fact.occupation_id}'s fact without saying that {job} comes under it: {text}")
    own = " ".join([f.text for f in used] + notes(kb))
    for number in NUMBER.findall(body):
        assert number.rstrip(",") in own or number in ("3211",) or re.fullmatch(r"[1-8]", number), (
            f"number {number} is not in the facts of {job}: {text}")
    for rule in STATES.findall(body):
        assert any(f"{rule} states" in f.text for f in used), f"'{rule} states' is not {job}'s rule: {text}"
    for source in kb.sources([s for f in used for s in f.source_ids]):
        assert source.citation in text.rpartition("\n\n")[2], f"missing citation {source.id}: {text}"


def topic_cases(kb: KnowledgeBase) -> Iterator[Tuple[str, str]]:
    ids = [o.id for o in kb.occupations()]
    yield from itertools.product(ids, [*TOPIC_BY_INTENT, "inform_occupation"])


async def test_every_topic_answer_is_faithful(kb: KnowledgeBase) -> None:
    count = 0
    for occupation_id, intent in topic_cases(kb):
        slots = {"topic": "salary"} if intent == "inform_occupation" else {}
        messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(occupation_id)],
                                                                            slots=slots))
        text = "\n".join(m["text"] for m in messages)
        check(kb, text, set_slots.get("sources_shown") or [])
        check_job(kb, text, occupation_id)
        count += 1
    assert count == len(kb.occupations()) * (len(TOPIC_BY_INTENT) + 1)


@pytest.mark.parametrize("intent", list(TOPIC_BY_INTENT))
async def test_answers_without_an_occupation_are_faithful(kb: KnowledgeBase, intent: str) -> None:
    messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent))
    check(kb, "\n".join(m["text"] for m in messages), set_slots.get("sources_shown") or [])


async def test_every_comparison_is_faithful(kb: KnowledgeBase) -> None:
    ids = [o.id for o in kb.occupations() if o.id != "imaging_technician"]
    for pair in [*itertools.combinations(ids, 2), ()]:
        messages, set_slots = await run_action(ActionCompare(), make_tracker(
            "compare_occupations", [occupation(i) for i in pair]))
        check(kb, "\n".join(m["text"] for m in messages), set_slots.get("sources_shown") or [])


async def test_answers_about_jobs_outside_the_group_are_faithful(kb: KnowledgeBase) -> None:
    """Every topic and every comparison that names a job outside the group, message by message."""
    assert kb.other_jobs(), "knowledge/other_jobs.yml lists none"
    for job in kb.other_jobs():
        other = {"entity": "other_job", "value": job.id, "text": job.name}
        for intent in [*TOPIC_BY_INTENT, "inform_occupation"]:
            messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent, [other]))
            assert [m["text"].split("\n\n")[0] for m in messages] == [
                job.note + " Would you like to hear about one of the jobs that is in the group?"]
            check(kb, messages[0]["text"], set_slots["sources_shown"])
        for occupation_id in [o.id for o in kb.occupations() if o.id != "imaging_technician"]:
            messages, set_slots = await run_action(ActionCompare(), make_tracker(
                "compare_occupations", [occupation(occupation_id), other]))
            assert messages[0]["text"].startswith(job.note) and len(messages) == 2
            check(kb, messages[0]["text"], list(job.source_ids))
            check(kb, messages[1]["text"], set_slots["sources_shown"])  # the named job's overview


async def test_titles_and_sources_are_faithful(kb: KnowledgeBase) -> None:
    for occupation_id in [None] + [o.id for o in kb.occupations()]:
        entities = [occupation(occupation_id)] if occupation_id else []
        messages, set_slots = await run_action(ActionTitles(), make_tracker("ask_titles", entities))
        check(kb, "\n".join(m["text"] for m in messages), set_slots.get("sources_shown") or [])
    for shown in ([], ["psco_3211"], ["careertrend_imaging", "psco_3211"]):
        messages, _ = await run_action(ActionSources(), make_tracker("ask_source", slots={"sources_shown": shown}))
        check(kb, "\n".join(m["text"] for m in messages), [])


def test_the_check_catches_an_invented_claim_inside_a_framing_sentence(kb: KnowledgeBase) -> None:
    """Framing patterns are filled with the knowledge base's names and labels, never "any text"."""
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "The sources don't give pay for mammographers. 2012 US median: $80,000.", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "The sources don't give pay for mammographers, who earn more than surgeons.", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Sonographers come under doctors, so this is about doctors:", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Sonographers usually work 40 hours a week.", [])
    with pytest.raises(AssertionError):
        check(kb, "Radiologic technologists earn $54,620.", [])  # no year, scope or "median"


async def answer(kb: KnowledgeBase, intent: str, job: str) -> str:
    messages, _ = await run_action(ActionAnswer(), make_tracker(intent, [occupation(job)]))
    return "\n".join(m["text"] for m in messages)


async def test_the_job_check_catches_two_jobs_facts_swapped(kb: KnowledgeBase) -> None:
    text = await answer(kb, "ask_salary", "sonographer")
    check_job(kb, text, "sonographer")
    theirs, ours = kb.fact("radiologic_technologist", "salary"), kb.fact("sonographer", "salary")
    assert theirs is not None and ours is not None
    swapped = text.replace(ours.text, theirs.text)
    check(kb, swapped, ["careertrend_imaging"])  # the old, job-blind check lets it through
    with pytest.raises(AssertionError, match="a fact of radiologic_technologist in an answer about sonographer"):
        check_job(kb, swapped, "sonographer")


async def test_the_job_check_catches_a_borrowed_fact_under_the_wrong_parent(kb: KnowledgeBase) -> None:
    text = await answer(kb, "ask_salary", "mri_technologist")
    check_job(kb, text, "mri_technologist")
    assert "come under radiologic technologists" in text
    wrong = text.replace("radiologic technologists, so this is about radiologic technologists",
                         "nuclear medicine technologists, so this is about nuclear medicine technologists")
    check(kb, wrong, ["careertrend_imaging"])  # every sentence is framing or a knowledge-base text
    with pytest.raises(AssertionError, match="without saying that mri_technologist comes under it"):
        check_job(kb, wrong, "mri_technologist")


async def test_the_job_check_wants_the_citations_of_the_facts_used(kb: KnowledgeBase) -> None:
    text = await answer(kb, "ask_duties", "sonographer")
    body = text.rpartition("\n\n")[0]
    with pytest.raises(AssertionError, match="missing citation"):
        check_job(kb, body + "\n\nSource: somewhere else.", "sonographer")
