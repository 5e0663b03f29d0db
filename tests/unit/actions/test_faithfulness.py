"""Every answer the actions can give says only what the knowledge base says, with its source.

All occupations x all topics, every comparison pair, the titles and the sources are generated.
Each sentence must be a knowledge-base text or one of the framing sentences listed here (which
carry no facts); every number must be a knowledge-base figure or appear in a cited text; every
"... states" rule must be a source's; every salary must carry its year, its scope and "median".
"""

from __future__ import annotations

import itertools
import re
from typing import Iterator, List, Set, Tuple

import pytest

from actions.answers import ActionAnswer
from actions.compare import ActionCompare
from actions.sources import ActionSources
from actions.titles import ActionTitles
from knowledge.build import GAP_TOPICS
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT
from tests.unit.trackers import make_tracker, occupation, run_action

# Sentences that frame an answer but state no fact of their own ({} is any text).
FRAMING = [
    r"The sources don't (cover|give) .+ for .+( specifically)?\.",
    r".+ come under .+, so this is about .+:",
    r"They belong to group 3211 \(.+\), and this is what the sources say about the whole group:",
    r"For comparison, this is what they say about other jobs in the group:",
    r"The sources don't say anything about the .+ of .+\.",
    r"They only list .+ as one of the job titles in group 3211\.",
    r"Your school counsellor (may be able to help you find out more|can help you find up-to-date information)\.",
    r"Which job would you like to know more about\?",
    r"Would you like to hear about one of the jobs that is in the group\?",
    r"It depends on the job\.",
    r"Which one do you mean\?",
    r"\(I'll tell you about its .+\.\)",
    r"My sources don't cover that\.",
    r".+ vs .+:",
    r"• Pay \(US median, 2012\): .+",
    r"• Licence \(US\): .+",
    r"• Education: .+",
    r"The sources give figures only for radiologic technologists, sonographers and nuclear medicine "
    r"technologists, not for .+\.",
    r"Yes\.",
    r".+ belongs to group 3211, medical imaging and therapeutic equipment technicians\.",
    r"Pakistan's classification lists it as .+\.",
    r"It comes under .+\.",
    r"Group 3211 \(medical imaging and therapeutic equipment technicians\) includes:",
    r"• The three jobs the career article describes: .+\.",
    r"• Other titles in the classification: .+\.",
    r"A job that isn't on this list isn't part of group 3211 in this classification\.",
    r"That answer comes from:",
    r"I haven't answered a question yet\.",
    r"Everything I say comes from these two sources:",
    r"• “.+”.+\.",
]
NUMBER = re.compile(r"\$?\d[\d,]*")
STATES = re.compile(r"(most|only a few|some) states")
ALSO = "What they do say: "


def kb_texts(kb: KnowledgeBase) -> List[str]:
    texts = [fact.text for fact in kb.facts()]
    texts += [gap.text for topic in GAP_TOPICS if (gap := kb.gap(topic))]
    texts += [job.note for job in kb.other_jobs()]
    return texts


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
    for sentence in sentences(body):
        in_kb = any(sentence.rstrip(":") in t or sentence in t for t in texts)
        framing = any(re.fullmatch(pattern, sentence) for pattern in FRAMING)
        numbered = re.fullmatch(r"\d\. .+", sentence) and any(sentence[3:] in t for t in texts)
        assert in_kb or framing or numbered, f"unsupported sentence: {sentence!r}\n in: {text}"
    numbers = allowed_numbers(kb)
    for number in NUMBER.findall(body):
        assert number.rstrip(",") in numbers or re.fullmatch(r"[1-8]", number), f"invented number {number}: {text}"
    for rule in STATES.findall(body):
        assert any(f"{rule} states" in t for t in texts), text
    if "$" in body:
        assert "2012" in text and ("United States" in text or "US" in text) and "median" in text.lower(), text
    for source in kb.sources(cited):
        assert source.citation in source_line, f"missing citation {source.id}: {text}"


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


def test_the_check_catches_an_invented_number_and_claim(kb: KnowledgeBase) -> None:
    with pytest.raises(AssertionError, match="invented number"):
        check(kb, "The sources don't give pay for mammographers. 2012 US median: $80,000.", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Sonographers usually work 40 hours a week.", [])
    with pytest.raises(AssertionError):
        check(kb, "Radiologic technologists earn $54,620.", [])  # no year, scope or "median"
