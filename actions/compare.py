"""Compare jobs side by side, on the topic the question asks about.

"whose pay is lowest", "is licensing stricter for x-ray techs or sonographers", "what's the
difference between a sonographer and an x-ray tech": the words of the message pick the topic
(knowledge/vocabulary.py COMPARE_WORDS), and every value shown is a job's own fact, cited.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_topic, other_job_note
from actions.context import (
    capitalised,
    knowledge_base,
    language,
    mentioned_occupations,
    mentioned_other_jobs,
    note_sources_language,
    occupation_buttons,
    say,
    slot_occupation,
)
from actions.phrases import EN, either, joined, phrase, term, topic_label, versus
from knowledge.language import folded
from knowledge.query import FactInfo, FigureInfo, KnowledgeBase, OccupationInfo
from knowledge.vocabulary import (
    CLASSIFICATION,
    COMPARE_WORDS,
    COMPARE_WORDS_ES,
    DURATION_WORDS,
    DURATION_WORDS_ES,
    LICENCE_STATES_ORDER,
    PAY_EXTREMES,
    PAY_EXTREMES_ES,
)

NOT_GIVEN = phrase("compare.not_given", EN)
ROW_TOPICS = ("salary", "license", "education")  # a comparison that names no topic shows these rows
MAX_TEXT = 1000  # characters of a message that are searched for topic words
ENDINGS = r"(?:s|es|ed|d|ing|er|est)?"


def _words(words: Iterable[str]) -> "re.Pattern[str]":
    """One pattern for a word list: "pay" matches pay, pays, paying; "certif*" any word it begins."""
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) + ENDINGS for w in words]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def _spanish_words(words: Iterable[str]) -> "re.Pattern[str]":
    """One pattern for a Spanish word list, over folded text: a word matches itself, "estudi*" any word it begins."""
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


class Said:
    """A list of words in English and in Spanish, asked of a message whatever its language (Spanish over the
    folded text), so that every caller reads both the same way."""

    def __init__(self, english: Iterable[str], spanish: Iterable[str]) -> None:
        self.english, self.spanish = _words(english), _spanish_words(spanish)

    def search(self, text: str) -> bool:
        """True when the text has one of the words, in either language."""
        return bool(self.english.search(text) or self.spanish.search(folded(text)))


TOPIC_PATTERNS = {topic: Said(words, COMPARE_WORDS_ES[topic]) for topic, words in COMPARE_WORDS.items()}
EXTREME_PATTERNS = {extreme: Said(words, PAY_EXTREMES_ES[extreme]) for extreme, words in PAY_EXTREMES.items()}
DURATION_PATTERN = Said(DURATION_WORDS, DURATION_WORDS_ES)


class ActionCompare(Action):
    """Two named jobs, or one named job and the one in context, or else the featured jobs."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_compare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """A comparison often names one job or none: add the one in context, else the featured ones."""
        lang = language(tracker)
        return note_sources_language(dispatcher, tracker, self.chosen_compared(dispatcher, tracker, lang))

    @staticmethod
    def chosen_compared(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> List[Dict[Text, Any]]:
        """The jobs to compare, chosen from the message and the context, compared on the topics asked."""
        kb = knowledge_base(lang)
        group = kb.group().id
        featured = [o.id for o in kb.featured()]
        chosen = [o for o in mentioned_occupations(tracker, kb) if o != group]
        others = mentioned_other_jobs(tracker, kb)
        if others and len(chosen) < 2:  # "radiographer or radiologist?": one side is not in the group
            events = other_job_note(dispatcher, kb, others, None if chosen else occupation_buttons(kb), lang)
            if not chosen:
                return [SlotSet("topic", "compare")] + events
            return [SlotSet("topic", "overview"), SlotSet("occupation", chosen[0])] + events + \
                answer_topic(dispatcher, kb, "overview", chosen[0], lang)
        if len(chosen) == 1:
            previous = slot_occupation(tracker, kb)
            if previous and previous not in chosen and previous != group:
                chosen.insert(0, previous)
            else:
                chosen += [o for o in featured if o not in chosen]
        if len(chosen) < 2:
            chosen = featured
        text = question_text(tracker)
        return [SlotSet("topic", "compare")] + compare(dispatcher, kb, chosen[:3], asked_topics(text), text, lang)


def question_text(tracker: Tracker) -> str:
    """The message without the job names in it, so that "x-ray tech" or "radiation therapist" picks no topic."""
    message = tracker.latest_message or {}
    text = message.get("text")
    if not isinstance(text, str) or text.startswith("/"):  # a button's payload says no topic
        return ""
    spans = sorted((e["start"], e["end"]) for e in message.get("entities") or []
                   if isinstance(e, dict) and isinstance(e.get("start"), int) and isinstance(e.get("end"), int))
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text[:MAX_TEXT]


def asked_topics(text: str) -> List[str]:
    """The topics the words of a comparison ask about; "overview" only when no other topic is asked."""
    found = [topic for topic, pattern in TOPIC_PATTERNS.items() if pattern.search(text)]
    if "best_paying" in found and "salary" in found:  # "which industry pays best" is about the industry
        found.remove("salary")
    if len(found) > 1 and "overview" in found:  # "which job pays more" is about pay
        found.remove("overview")
    return found


def compare(dispatcher: CollectingDispatcher, kb: KnowledgeBase, occupation_ids: List[str],
            topics: Sequence[str], text: str, lang: str) -> List[Dict[Text, Any]]:
    """Only each job's own facts are compared: a parent's figure would mislead side by side."""
    jobs = [kb.occupation(o) for o in occupation_ids]
    occupations = [o for o in jobs if o is not None]
    lines = [versus([capitalised(o.name) for o in occupations], lang) + ":"]
    used: List[FactInfo] = []
    notes: List[str] = []
    if not topics or list(topics) == ["overview"]:  # "compare them", "what's the difference"
        shown = [*topics, *ROW_TOPICS]
        if topics:
            lines += fact_lines(kb, occupations, "overview", used, lang)
        lines += [pay_row(kb, occupations, used, lang), licence_row(kb, occupations, used, lang),
                  education_row(kb, occupations, used, lang)]
    else:
        shown = list(topics)
        for topic in topics:
            if topic == "salary":
                lines.append(pay_row(kb, occupations, used, lang))
                lines += pay_extremes(kb, occupations, text, lang)
            else:
                lines += fact_lines(kb, occupations, topic, used, lang)
            if topic == "license":
                lines += licence_extremes(kb, occupations, text, lang)
            if topic == "education" and any(p.search(text) for p in EXTREME_PATTERNS.values()):
                notes.append(phrase("compare.no_schooling_rank", lang))
            if topic == "education" and DURATION_PATTERN.search(text):
                notes.append(gap_text(kb, "program_length"))
    lacking = lacking_lines(kb, occupations, shown, lang)
    lines += lacking
    only_listed = [o for o in occupations if set(o.source_ids) == {kb.source_for_role(CLASSIFICATION).id}]
    if any(t in ("salary", "license") and not own_fact(kb, o.id, t) for o in only_listed for t in shown):
        notes.append(gap_text(kb, "pakistan_rules"))  # the classification names them but has no pay or rules
    lines += [n for n in dict.fromkeys(notes) if n]
    sources: List[str] = []
    if lacking:  # where the jobs without facts are named: what was checked
        sources += [s for o in occupations if any(not own_fact(kb, o.id, t) for t in shown) for s in o.source_ids]
    if not used and not sources:
        sources = kb.all_sources()
    return say(dispatcher, kb, "\n".join(lines), sources, facts=used, language=lang)


def own_fact(kb: KnowledgeBase, occupation_id: str, topic: str) -> Optional[FactInfo]:
    """The job's own fact on the topic; for pay, the fact that holds its own figure."""
    fact = kb.fact(occupation_id, topic)
    if topic == "salary" and kb.figure(occupation_id) is None:
        return None
    return fact


def gap_text(kb: KnowledgeBase, topic: str) -> str:
    """The gap's sentence, or nothing, so a missing gap never breaks a comparison."""
    gap = kb.gap(topic)
    return gap.text if gap else ""


def fact_lines(kb: KnowledgeBase, occupations: List[OccupationInfo], topic: str, used: List[FactInfo],
               lang: str) -> List[str]:
    """Each job's own words on the topic under its name ("• Sonographer: ..."), or "not given"."""
    lines = []
    for occupation in occupations:
        fact = own_fact(kb, occupation.id, topic)
        name = capitalised(occupation.name)
        if fact is None:
            lines.append(f"• {name}: {phrase('compare.not_given', lang)}")
            continue
        used.append(fact)
        lines.append(f"• {name}:\n{fact.text}" if "\n" in fact.text else f"• {name}: {fact.text}")
    return lines


def qualifiers(figure: FigureInfo, lang: str) -> str:
    """What a figure is: its statistic, unit, scope and year, all from the data."""
    return f"{term(figure.statistic, lang)}, {term(figure.unit, lang)}, {term(figure.scope, lang)}, {figure.year}"


def pay_row(kb: KnowledgeBase, occupations: List[OccupationInfo], used: List[FactInfo], lang: str) -> str:
    """One row of pay figures; what they are (median, year, scope) in the label when they agree, else on each."""
    figures = [kb.figure(o.id) for o in occupations]
    used += [f for o in occupations if (f := own_fact(kb, o.id, "salary")) is not None]
    kinds = {qualifiers(f, lang) for f in figures if f is not None}
    not_given = phrase("compare.not_given", lang)
    if len(kinds) == 1:
        values = [f"${f.value:,}" if f else not_given for f in figures]
        return phrase("compare.pay_kind", lang, kind=kinds.pop(), values=versus(values, lang))
    values = [f"${f.value:,} ({qualifiers(f, lang)})" if f else not_given for f in figures]
    return phrase("compare.pay", lang, values=versus(values, lang))


def pay_extremes(kb: KnowledgeBase, occupations: List[OccupationInfo], text: str, lang: str) -> List[str]:
    """Who is paid most or least of the jobs compared, computed from their figures, never typed.

    Said only when at least two figures of the same kind (statistic, unit, scope, year) are compared.
    """
    figures: List[Tuple[OccupationInfo, FigureInfo]] = [
        (o, f) for o in occupations if (f := kb.figure(o.id)) is not None]
    if len(figures) < 2 or len({qualifiers(f, EN) for _, f in figures}) != 1:
        return []
    among = phrase("compare.among_all" if len(figures) == len(occupations) else "compare.among_figured", lang)
    lines = []
    for extreme, pattern in EXTREME_PATTERNS.items():
        if not pattern.search(text):
            continue
        value = (max if extreme == "highest" else min)(f.value for _, f in figures)
        named = [o.plural for o, f in figures if f.value == value]
        lines.append(phrase(f"compare.pay_{extreme}", lang, among=among, jobs=joined(named, lang),
                            statistic=term(figures[0][1].statistic, lang), value=value))
    return lines


def licence_extremes(kb: KnowledgeBase, occupations: List[OccupationInfo], text: str, lang: str) -> List[str]:
    """Which job needs a licence in the most or fewest US states, ranked by the article's own words
    (LICENCE_STATES_ORDER); said only when every job compared has such a word, else that they can't rank."""
    asked = [e for e, pattern in EXTREME_PATTERNS.items() if pattern.search(text)]
    if not asked:
        return []
    words = {o.id: f.states for o in occupations if (f := own_fact(kb, o.id, "license")) is not None}
    if len(words) != len(occupations) or not set(words.values()) <= set(LICENCE_STATES_ORDER):
        return [phrase("compare.no_licence_rank", lang)]
    lines = []
    for extreme in asked:
        rank = (min if extreme == "highest" else max)(LICENCE_STATES_ORDER.index(w) for w in words.values())
        named = [o.plural for o in occupations if LICENCE_STATES_ORDER.index(words[o.id]) == rank]
        lines.append(phrase(f"compare.licence_{extreme}", lang, jobs=joined(named, lang),
                            word=term(LICENCE_STATES_ORDER[rank], lang)))
    return lines


def licence_row(kb: KnowledgeBase, occupations: List[OccupationInfo], used: List[FactInfo], lang: str) -> str:
    """How many states want a licence, in the source's word; the scope is the cited sources' own."""
    facts = [own_fact(kb, o.id, "license") for o in occupations]
    shown = [f for f in facts if f is not None and f.states]
    used += shown
    scopes = list(dict.fromkeys(term(s.scope, lang) for f in shown for s in kb.sources(f.source_ids)))
    label = phrase("compare.licence_scoped", lang, scopes="; ".join(scopes)) if scopes else \
        phrase("compare.licence", lang)
    return f"• {label}: " + versus([phrase("compare.licence_needed", lang, states=term(f.states, lang))
                                    if f and f.states else phrase("compare.not_given", lang) for f in facts], lang)


def education_row(kb: KnowledgeBase, occupations: List[OccupationInfo], used: List[FactInfo], lang: str) -> str:
    """Each job's own brief education line side by side; a parent's would mislead."""
    facts = [own_fact(kb, o.id, "education") for o in occupations]
    used += [f for f in facts if f is not None and f.brief]
    return phrase("compare.education", lang, values=versus(
        [f.brief if f and f.brief else phrase("compare.not_given", lang) for f in facts], lang))


def lacking_lines(kb: KnowledgeBase, occupations: List[OccupationInfo], topics: Sequence[str],
                  lang: str) -> List[str]:
    """For jobs without their own facts: which jobs the sources do give them for, worked out from the data.

    Topics with the same jobs lacking and the same jobs described share one line.
    """
    group = kb.group().id
    lines: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], List[str]] = {}
    for topic in dict.fromkeys(topics):
        lacking = tuple(o.plural for o in occupations if own_fact(kb, o.id, topic) is None)
        if not lacking:
            continue
        described = tuple(o.plural for o in kb.occupations() if o.id != group and own_fact(kb, o.id, topic))
        lines.setdefault((described, lacking), []).append(topic_label(topic, lang))
    result = []
    for (described, lacking), labels in lines.items():
        what = joined(labels, lang)
        if described:
            result.append(phrase("compare.lacking_some", lang, what=what, described=joined(described, lang),
                                 lacking=capitalised(joined(lacking, lang))))
        else:
            result.append(phrase("compare.lacking_all", lang, what=what, lacking=either(lacking, lang)))
    return result


def and_list(items: Sequence[str], lang: str = EN) -> str:
    """"a", "a and b", "a, b and c" ("y" in Spanish)."""
    return joined(items, lang)
