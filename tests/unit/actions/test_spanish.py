"""Every action in a Spanish conversation (slot `language` = "es"): no English sentence of the catalogue, the same
figures as in English, Spanish source lines, and "the sources are in English" said once per conversation.

Each case of harness/readability.py (every kind of question each action answers, for every job) and a few more is
run twice, in English and in Spanish. The knowledge base's own texts (facts, names, notes, titles) are masked out
of the Spanish reply before it is scanned: they are Spanish once knowledge/query.py gives them in Spanish, and until
then they are the only English a Spanish reply may hold.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Tuple

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.context import (
    SOURCES_LANGUAGE_SLOT,
    capitalised,
    cites_sources,
    knowledge_base,
    language,
    source_labels,
)
from actions.discover import guide
from actions.phrases import EN, ES, PHRASES, TERMS_ES, TOPIC_LABELS_ES, either, joined, phrase, term
from harness.dialogue import LAST_EVENTS, custom_actions, tracker
from harness.readability import cases, message
from knowledge.build import GAP_TOPICS
from knowledge.query import KnowledgeBase
from knowledge.search import Document
from knowledge.vocabulary import LICENCE_STATES_ORDER, TOPIC_LABELS
from tests.unit.trackers import make_tracker, occupation, run_action

LANGUAGE_SLOT = "language"  # make_tracker sends it as the page's language (metadata `lang`)
ROOT_DOMAIN = "domain.yml"
NOTE = phrase("source.in_english", ES)
PLACEHOLDER = re.compile(r"\{[^}]*\}")
# English words that no Spanish sentence of the catalogue has: left in a masked Spanish reply, they are English.
# A source's published name, which a Spanish reply keeps as published (actions/phrases.py TERMS_ES).
PUBLISHED_NAMES = ["Pakistan Standard Classification of Occupations"]
ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|is|are|for|with|you|your|they|their|this|that|what|which|from|"
                           r"about|don't|doesn't|can't|sources|source|says|only|jobs|job)\b")
# Questions the harness does not ask, for the answers' other forms.
EXTRA = [
    ("action_answer", "ask_safety", "do sonographers use radiation", {}),
    ("action_answer", "ask_safety", "do nuclear medicine techs use radiation", {}),
    ("action_answer", "ask_safety", "is an ultrasound safe for my baby", {}),
    ("action_answer", "ask_overview", "is being a sonographer a good job", {}),
    ("action_answer", "ask_salary", "which job pays the most", {}),
    ("action_answer", "ask_salary", "how much do radiologists earn", {}),
    ("action_answer", "ask_overview", "what is a medical technician", {}),
    ("action_answer", "ask_license", "which states are those", {"occupation": "sonographer"}),
    ("action_titles", "ask_titles", "which job in the group pays the most", {}),
    ("action_compare", "compare_occupations", "radiographer or radiologist", {}),
    ("action_sources", "ask_source", "what do your sources say about licensing for sonographers", {}),
]


def knowledge_strings(kb: KnowledgeBase, lang: str) -> List[str]:
    """The knowledge base's texts and names in a language, with their lines and sentences, longest first."""
    found: List[Optional[str]] = [*kb.field_words()]
    for o in kb.occupations():
        found += [o.name, o.plural, o.button, *o.source_titles]
    for f in kb.facts():
        found += [f.text, f.brief]
    for j in kb.other_jobs():
        found += [j.name, j.plural, j.note]
    for s in kb.sources(kb.all_sources()):
        found += [s.title, s.publisher, s.author, s.citation, s.published_in, s.scope]
    found += [c.name for c in kb.all_credits()] + [g.text for t in GAP_TOPICS if (g := kb.gap(t))]
    found += [Document(f.occupation_id, f.topic, "", (), f, 1).intro for f in kb.facts()]
    for p in guide(lang).preferences.values():
        found += [p.name, p.summary, p.silent, *(r.text for r in (*p.jobs, *p.without, *p.silent_facts))]
    for step in guide(lang).steps:
        found += [step.question, *(title for title, _ in step.buttons)]
    pieces = set()
    for text in filter(None, found):
        pieces.update((text, capitalised(text)))
        for line in text.splitlines():
            pieces.update((line.strip(), re.sub(r"^\d+\.\s*", "", line.strip())))
            pieces.update(s.strip() for s in re.split(r"(?<=[.!?;:])\s+", line))
    return sorted((p for p in pieces if len(p) >= 3), key=len, reverse=True)


_MASKED: Dict[str, str] = {}


def masked(text: str, spans: Iterable[str]) -> str:
    """The text with every knowledge-base string cut out, so that what is left is the actions' own words."""
    if text not in _MASKED:
        left = text
        for span in spans:
            if span in left:
                left = left.replace(span, "\x00")
        _MASKED[text] = left
    return _MASKED[text]


def english_segments() -> List[Tuple[str, str]]:
    """(key, fixed words) of every English phrase: the words between its placeholders, a line at a time."""
    found = []
    for key, (english, _) in PHRASES.items():
        for piece in PLACEHOLDER.split(english):
            for line in piece.splitlines():
                line = line.strip(" ,;:()“”.")
                words = re.findall(r"[A-Za-z']+", line)
                if len(words) >= 2 or any(len(w) >= 3 for w in words):
                    found.append((key, line))
    return found


SEGMENTS = english_segments()


def english_in(text: str) -> List[str]:
    """The catalogue's English phrases (their fixed words) found in a text."""
    return sorted({key for key, words in SEGMENTS if re.search(rf"(?<![A-Za-z]){re.escape(words)}(?![A-Za-z])", text)})


def figures(text: str) -> Counter:
    """The numbers in a text, as digit groups: "$54,620 in 2012" and "$54,620 en 2012" have the same."""
    return Counter(re.findall(r"\d+", text))


def last_label(text: str, lang: str) -> Optional[str]:
    """The label of the source line a reply ends with, or None."""
    if not cites_sources(text, lang):
        return None
    last = text.rsplit("\n\n", 1)[-1]
    return next(label for label in source_labels(lang) if last.startswith(label + ": "))


Run = Tuple[str, Dict[str, Any], List[Dict[str, Any]], List[Dict[str, Any]], List[Dict[str, Any]]]


@pytest.fixture(scope="module")
def runs(kb_url: str) -> Dict[str, List[Run]]:
    """Every case run in English and in Spanish, by action: (action, message, English, Spanish, Spanish events)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KNOWLEDGE_DB_URL", kb_url)
        context.reset_knowledge_base()
        kb = knowledge_base()
        all_cases = list(cases(kb)) + [(name, message(kb, intent, text), slots) for name, intent, text, slots in EXTRA]
        found = custom_actions()

        async def run_all() -> Dict[str, List[Run]]:
            by_action: Dict[str, List[Run]] = {}
            for name, latest, slots in all_cases:
                replies = []
                for page in ({}, {"lang": ES}):  # the conversation started on an English, then a Spanish page
                    dispatcher = CollectingDispatcher()
                    events = await found[name].run(dispatcher, tracker(latest, slots, metadata=page), {})
                    replies.append((dispatcher.messages, events))
                by_action.setdefault(name, []).append((name, latest, replies[0][0], replies[1][0], replies[1][1]))
            return by_action

        result = asyncio.run(run_all())
        context.reset_knowledge_base()
    return result


@pytest.fixture(scope="module")
def spans(runs: Dict[str, List[Run]], kb_url: str) -> List[str]:
    """Every knowledge-base string, in English and in Spanish (the same until the knowledge base speaks it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KNOWLEDGE_DB_URL", kb_url)
        context.reset_knowledge_base()
        found = knowledge_strings(knowledge_base(EN), EN) + knowledge_strings(knowledge_base(ES), ES)
        context.reset_knowledge_base()
    return sorted(set(found), key=len, reverse=True)


def without_case(text: str, latest: Dict[str, Any]) -> str:
    """The text without what the case brought: the school's details, and the asked words a reply may repeat
    ("plumber", "Toronto"), English function words apart."""
    metadata = latest.get("metadata") or {}
    found = [str(v) for k, v in metadata.items() if k != "counsellor_links"]
    found += [str(link.get("title")) for link in metadata.get("counsellor_links") or []]
    text = masked(text, sorted(found, key=len, reverse=True))
    for word in re.findall(r"[^\W\d_]{3,}", latest.get("text") or ""):
        if not ENGLISH_WORDS.fullmatch(word.lower()):
            text = re.sub(rf"\b{re.escape(word)}\b", "\x00", text, flags=re.IGNORECASE)
    return text


ACTIONS = ["action_answer", "action_compare", "action_titles", "action_sources", "action_counsellor",
           "action_explore_jobs", "action_yes_no", "action_fallback"]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_spanish_reply_has_no_english_phrase_of_the_catalogue(runs: Dict[str, List[Run]], spans: List[str],
                                                                action: str) -> None:
    assert len(runs[action]) >= 3, f"too few cases of {action}"
    failures = []
    for _, _, _, spanish, _ in runs[action]:
        for m in spanish:
            for text in [m.get("text") or "", *(b["title"] for b in m.get("buttons") or [])]:
                left = masked(text, spans)
                found = english_in(left)
                if found:
                    failures.append(f"{found}: {text}")
    assert not failures, f"{len(failures)} Spanish replies with English phrases, e.g.\n" + "\n\n".join(failures[:3])


@pytest.mark.parametrize("action", ACTIONS)
def test_a_spanish_reply_has_no_english_words_outside_the_knowledge_base(runs: Dict[str, List[Run]],
                                                                         spans: List[str], action: str) -> None:
    """A second look, blind to the catalogue: an English sentence written outside it would show here."""
    failures = []
    for _, latest, _, spanish, _ in runs[action]:
        for m in spanish:
            for text in [m.get("text") or "", *(b["title"] for b in m.get("buttons") or [])]:
                left = without_case(masked(masked(text, spans), PUBLISHED_NAMES), latest)
                found = ENGLISH_WORDS.findall(left)
                if found:
                    failures.append(f"{found}: {left}")
    assert not failures, f"{len(failures)} Spanish replies with English words, e.g.\n" + "\n\n".join(failures[:3])


@pytest.mark.parametrize("action", ACTIONS)
def test_the_figures_are_the_same_in_both_languages(runs: Dict[str, List[Run]], action: str) -> None:
    for _, latest, english, spanish, _ in runs[action]:
        assert len(english) == len(spanish), latest.get("text")
        for en, es in zip(english, spanish, strict=True):
            assert figures(en.get("text") or "") == figures(es.get("text") or ""), (en.get("text"), es.get("text"))
            assert [b["payload"] for b in en.get("buttons") or []] == [b["payload"] for b in es.get("buttons") or []]
            assert en.get("response") == es.get("response")  # a domain response picks its language itself


@pytest.mark.parametrize("action", ACTIONS)
def test_the_source_line_is_spanish(runs: Dict[str, List[Run]], action: str) -> None:
    english_labels, spanish_labels = source_labels(EN), source_labels(ES)
    checked = {english_labels[0]: [spanish_labels[0]], english_labels[2]: spanish_labels[1:]}
    for _, _, english, spanish, _ in runs[action]:
        for en, es in zip(english, spanish, strict=True):
            label = last_label(en.get("text") or "", EN)
            es_text = (es.get("text") or "").removesuffix("\n" + NOTE)
            assert last_label(es_text, ES) in checked.get(label, [None]), es.get("text")
            assert not re.search(r"\bSources? (?:checked)?:", es_text), es.get("text")


@pytest.mark.parametrize("action", ACTIONS)
def test_the_sources_are_said_to_be_in_english_once_when_cited(runs: Dict[str, List[Run]], action: str) -> None:
    for _, latest, english, spanish, events in runs[action]:
        notes = sum((m.get("text") or "").count(NOTE) for m in spanish)
        said = [e for e in events if e.get("event") == "slot" and e.get("name") == SOURCES_LANGUAGE_SLOT]
        assert notes == len(said) <= 1, latest.get("text")
        if any(cites_sources(m.get("text"), EN) for m in english):
            assert notes == 1 and said[0]["value"] is True, (latest.get("text"), spanish)
        assert not any(NOTE in (m.get("text") or "") for m in english)


def test_the_scan_finds_the_english_it_looks_for(runs: Dict[str, List[Run]], spans: List[str]) -> None:
    """The English replies, scanned the same way, are caught wherever the Spanish one differs: the scan can fail."""
    differing = 0
    for action_runs in runs.values():
        for _, _, english, spanish, _ in action_runs:
            for en, es in zip(english, spanish, strict=True):
                left = masked(en.get("text") or "", spans)  # a reply that is all knowledge-base text has nothing left
                if (en.get("text") or "") != (es.get("text") or "").removesuffix("\n" + NOTE) and \
                        re.search(r"[A-Za-z]{3}", left):
                    differing += 1
                    assert english_in(left), en["text"]
    assert differing > 1000


async def test_a_spanish_conversation_hears_it_once(kb: KnowledgeBase) -> None:
    slots: Dict[str, Any] = {LANGUAGE_SLOT: ES}
    notes = []
    for intent, job in (("ask_salary", "sonographer"), ("ask_license", "radiologic_technologist")):
        from actions.answers import ActionAnswer

        messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(job)], slots=slots))
        notes.append(sum(m["text"].count(NOTE) for m in messages))
        slots.update(set_slots)
    assert notes == [1, 0] and slots[SOURCES_LANGUAGE_SLOT] is True


async def test_two_cited_messages_in_one_turn_carry_it_once(kb: KnowledgeBase) -> None:
    from actions.compare import ActionCompare

    entities = [occupation("radiologic_technologist", "radiographer"),
                {"entity": "other_job", "value": "radiologist", "text": "radiologist"}]
    messages, slots = await run_action(ActionCompare(), make_tracker("compare_occupations", entities,
                                                                     slots={LANGUAGE_SLOT: ES},
                                                                     text="radiographer or radiologist"))
    cited = [m["text"] for m in messages if cites_sources(m["text"].removesuffix("\n" + NOTE), ES)]
    assert len(cited) == 2 and cited[0].endswith(NOTE) and NOTE not in cited[1]
    assert slots[SOURCES_LANGUAGE_SLOT] is True


async def test_listing_the_sources_says_it_too(kb: KnowledgeBase) -> None:
    from actions.sources import ActionSources

    messages, slots = await run_action(ActionSources(), make_tracker("ask_source", [], slots={LANGUAGE_SLOT: ES},
                                                                     text="where is that from"))
    assert messages[0]["text"].endswith("\n" + NOTE) and slots[SOURCES_LANGUAGE_SLOT] is True
    assert "“" + kb.source_for_role("career_article").title + "”" in messages[0]["text"]  # titles as published


async def test_a_reply_without_sources_leaves_it_for_later(kb: KnowledgeBase) -> None:
    from actions.answers import ActionAnswer
    from actions.support import ActionCounsellor

    for action, intent in ((ActionAnswer(), "ask_license"), (ActionCounsellor(), "ask_counsellor")):
        messages, slots = await run_action(action, make_tracker(intent, [], slots={LANGUAGE_SLOT: ES}))
        assert NOTE not in messages[0]["text"] and SOURCES_LANGUAGE_SLOT not in slots


async def test_english_never_hears_it(kb: KnowledgeBase) -> None:
    from actions.answers import ActionAnswer

    for value in (None, EN, "fr", 3):
        messages, slots = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation("sonographer")],
                                                                        slots={LANGUAGE_SLOT: value}))
        assert messages[0]["text"].splitlines()[-1].startswith("Source: ") and SOURCES_LANGUAGE_SLOT not in slots


async def test_a_guided_question_answered_in_spanish(kb: KnowledgeBase) -> None:
    """The guided path, a yes and a no, in Spanish: the catalogue's words, the offered jobs found either way."""
    from actions.discover import ActionYesNo, offered_line

    asked = [{"event": "slot", "name": "discovery_step", "value": "radiation"}]
    messages, slots = await run_action(ActionYesNo(), make_tracker("deny", [], text="no", slots={
        LANGUAGE_SLOT: ES, "preferences": ["patients", "machines"], "discovery_step": "radiation",
        LAST_EVENTS: asked}))
    text = "\n".join(m.get("text") or "" for m in messages)
    assert phrase("discover.offer", ES) in text and offered_line(text).strip()
    assert "preferences" in slots and NOTE in text


def test_the_language_is_spanish_only_for_es() -> None:
    for value, expected in (("es", ES), ("ES", ES), ("en", EN), (None, EN), ("fr", EN), (["es"], EN), (1, EN),
                            ("español", EN)):
        assert language(make_tracker("greet", [], slots={LANGUAGE_SLOT: value})) == expected, value


def test_one_knowledge_base_per_language(kb: KnowledgeBase) -> None:
    assert knowledge_base() is knowledge_base(EN) is kb
    spanish = knowledge_base(ES)
    assert spanish is knowledge_base(ES) and spanish is not kb and knowledge_base("xx") is kb
    assert {o.id for o in spanish.occupations()} == {o.id for o in kb.occupations()}


def test_every_phrase_has_both_languages_and_the_same_placeholders() -> None:
    for key, (english, spanish) in PHRASES.items():
        assert english and spanish and english != spanish, key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(spanish)), key
    assert set(TOPIC_LABELS_ES) == set(TOPIC_LABELS)


def test_english_phrases_are_filled_as_written() -> None:
    assert phrase("compare.pay_highest", EN, among="Of these", jobs="sonographers", statistic="median",
                  value=65860) == "Of these, sonographers have the highest median pay ($65,860)."
    assert phrase("compare.pay_highest", ES, among="De estos", jobs="ecografistas", statistic="mediana",
                  value=65860) == "De estos, ecografistas tienen la mediana de sueldo más alta ($65,860)."
    assert phrase("not_covered", ES, label=TOPIC_LABELS_ES["salary"], jobs="x") == \
        "Las fuentes no dicen nada sobre el sueldo de x."
    assert phrase("source.citing", ES, credit="el Bureau") == ", que cita al Bureau"  # "a el" is "al"


def test_lists_join_the_spanish_way() -> None:
    assert joined(["a", "b", "c"], EN) == "a, b and c" and joined(["a"], ES) == "a"
    assert joined(["técnicos", "ecografistas"], ES) == "técnicos y ecografistas"
    assert joined(["radiólogos", "ingenieros"], ES) == "radiólogos e ingenieros"
    assert joined(["a", "hielo"], ES) == "a y hielo"
    assert either(["a", "b"], EN) == "a or b" and either(["siete", "ocho"], ES) == "siete u ocho"


def test_every_value_an_answer_shows_has_its_spanish_term(kb: KnowledgeBase) -> None:
    """A figure's statistic, unit and scope, a source's scope and place, a credit's name, the licence words."""
    figure_words = {w for f in kb.facts() for g in f.figures for w in (g.statistic, g.unit, g.scope)}
    source_words = {w for s in kb.sources(kb.all_sources()) for w in (s.scope, s.published_in)}
    values = figure_words | source_words | {c.name for c in kb.all_credits()} | set(LICENCE_STATES_ORDER)
    assert {v for v in values if term(v, ES) == v} == set()
    assert all(term(v, EN) == v for v in values) and set(TERMS_ES) >= values


def test_every_response_has_a_spanish_variation() -> None:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    responses = yaml.safe_load(open(ROOT_DOMAIN, encoding="utf-8"))["responses"]
    generator = TemplatedNaturalLanguageGenerator(responses)
    for name, variations in responses.items():
        assert "condition" not in variations[0], f"{name}: the English text comes first, without a condition"
        spanish = [v for v in variations if v.get("condition") == [{"type": "slot", "name": "language",
                                                                    "value": "es"}]]
        assert len(spanish) == 1 and len(variations) == 2, name
        picked = generator.generate_from_slots(name, {"language": "es"}, "rest")
        assert picked["text"] == spanish[0]["text"] and not english_words_in(picked["text"]), name
        assert generator.generate_from_slots(name, {"language": None}, "rest")["text"] == variations[0]["text"]
        assert [b["payload"] for b in spanish[0].get("buttons") or []] == \
            [b["payload"] for b in variations[0].get("buttons") or []], name
        assert not any(english_words_in(b["title"]) for b in spanish[0].get("buttons") or []), name


def english_words_in(text: str) -> List[str]:
    """English words in a text that should be Spanish."""
    return ENGLISH_WORDS.findall(text)
