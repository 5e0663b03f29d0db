"""Compare occupations side by side on pay, licensing and education."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_topic, other_job_note
from actions.context import (
    FEATURED,
    GROUP_ID,
    capitalised,
    knowledge_base,
    mentioned_occupations,
    mentioned_other_jobs,
    occupation_buttons,
    say,
    slot_occupation,
)
from knowledge.query import KnowledgeBase

NOT_GIVEN = "not given"


class ActionCompare(Action):
    """Two named jobs, or one named job and the one in context, or else the three main jobs."""

    def name(self) -> Text:
        return "action_compare"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        chosen = [o for o in mentioned_occupations(tracker, kb) if o != GROUP_ID]
        others = mentioned_other_jobs(tracker, kb)
        if others and len(chosen) < 2:  # "radiographer or radiologist?": one side is not in the group
            events = other_job_note(dispatcher, kb, others, None if chosen else occupation_buttons())
            if not chosen:
                return [SlotSet("topic", "compare")] + events
            return [SlotSet("topic", "overview"), SlotSet("occupation", chosen[0])] + events + \
                answer_topic(dispatcher, kb, "overview", chosen[0])
        if len(chosen) == 1:
            previous = slot_occupation(tracker, kb)
            if previous and previous not in chosen and previous != GROUP_ID:
                chosen.insert(0, previous)
            else:
                chosen += [o for o in FEATURED if o not in chosen]
        if len(chosen) < 2:
            chosen = list(FEATURED)
        return [SlotSet("topic", "compare")] + compare(dispatcher, kb, chosen[:3])


def salary(kb: KnowledgeBase, occupation_id: str) -> Optional[str]:
    figure = kb.figure(occupation_id)
    return f"${figure.value:,}" if figure else None


def licence(kb: KnowledgeBase, occupation_id: str) -> Optional[str]:
    fact = kb.fact(occupation_id, "license")
    return f"needed in {fact.states} states" if fact and fact.states else None


def education(kb: KnowledgeBase, occupation_id: str) -> Optional[str]:
    fact = kb.fact(occupation_id, "education")
    return fact.brief if fact else None


def compare(dispatcher: CollectingDispatcher, kb: KnowledgeBase,
            occupation_ids: List[str]) -> List[Dict[Text, Any]]:
    """Only each job's own facts are compared: a parent's figure would mislead side by side."""
    names = [kb.occupation(o).name for o in occupation_ids]  # type: ignore[union-attr]
    rows = [
        ("Pay (US median, 2012)", salary),
        ("Licence (US)", licence),
        ("Education", education),
    ]
    lines = [" vs ".join(capitalised(n) for n in names) + ":"]
    sources: List[str] = []
    for label, getter in rows:
        values = [getter(kb, o) for o in occupation_ids]
        lines.append(f"• {label}: " + " vs ".join(v or NOT_GIVEN for v in values))
    for occupation_id in occupation_ids:
        for topic in ("salary", "license", "education"):
            fact = kb.fact(occupation_id, topic)
            if fact:
                sources += fact.source_ids
    missing = [n for n, o in zip(names, occupation_ids, strict=True) if o not in FEATURED]
    if missing:
        described = [kb.occupation(o).plural for o in FEATURED]  # type: ignore[union-attr]
        lines.append(f"The sources give figures only for {', '.join(described[:-1])} and {described[-1]}, "
                     f"not for {' or '.join(missing)}.")
        sources.append("psco_3211")
    return say(dispatcher, kb, "\n".join(lines), sources or ["careertrend_imaging"])
