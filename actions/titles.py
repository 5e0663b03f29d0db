"""The job titles of group 3211, and whether a given title belongs to it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import RANKED_TOPICS
from actions.compare import asked_topics, compare, question_text
from actions.context import capitalised, knowledge_base, mentioned_occupations, mentioned_other_jobs, say
from actions.forms import across_jobs
from knowledge.query import KnowledgeBase, OtherJobInfo
from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION


class ActionTitles(Action):
    """Lists the titles, or confirms one that the student named."""

    def name(self) -> Text:
        return "action_titles"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        named = [o for o in mentioned_occupations(tracker, kb) if o != kb.group().id]
        text = question_text(tracker)
        ranked = [t for t in asked_topics(text) if t in RANKED_TOPICS]
        if not named and ranked and across_jobs(tracker, named):  # "which job in the group pays the most?"
            return [SlotSet("topic", "compare")] + compare(dispatcher, kb, [o.id for o in kb.featured()], ranked, text)
        events: List[Dict[Text, Any]] = [SlotSet("topic", "titles")]
        if named:
            return events + [SlotSet("occupation", named[0])] + confirm_title(dispatcher, kb, named[0])
        others = mentioned_other_jobs(tracker, kb)
        if others:  # "is a radiologist in group 3211?": no, and what the sources say of it
            return events + deny_title(dispatcher, kb, others[0])
        return events + list_titles(dispatcher, kb)


def deny_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, job: OtherJobInfo) -> List[Dict[Text, Any]]:
    """A job outside the group, asked about as a member: a plain no and what the sources say of it (for a
    name that could be either, its note says which is which), never the whole list."""
    body = (f"No. That isn't one of the titles Pakistan's classification lists for group 3211 "
            f"({kb.group().plural}). {job.note}")
    sources = [kb.source_for_role(CLASSIFICATION).id] + [s for s in job.source_ids
                                                         if s != kb.source_for_role(CLASSIFICATION).id]
    return say(dispatcher, kb, body, sources)


def confirm_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, occupation_id: str) -> List[Dict[Text, Any]]:
    occupation = kb.occupation(occupation_id)
    assert occupation is not None
    listed = "; ".join(f"“{t}”" for t in occupation.source_titles)
    body = (f"Yes. {capitalised(occupation.name)} belongs to group 3211, {kb.group().plural}. "
            f"Pakistan's classification lists it as {listed}.")
    sources = [kb.source_for_role(CLASSIFICATION).id]
    if occupation.parent_id and occupation.parent_id != kb.group().id:
        parent = kb.occupation(occupation.parent_id)
        if parent is not None and kb.grouping_is_reading(occupation_id):
            body += f" I take it as a kind of {parent.name}: that is my reading of the title, not the sources'."
        elif parent is not None:  # a source says so (parent_evidence): cite the job's sources
            body += f" It comes under {parent.plural}."
            sources += [s for s in occupation.source_ids if s not in sources]
    return say(dispatcher, kb, body, sources)


def list_titles(dispatcher: CollectingDispatcher, kb: KnowledgeBase) -> List[Dict[Text, Any]]:
    occupations = [o for o in kb.occupations() if o.id != kb.group().id]
    main = [o.plural for o in occupations if o.featured]
    others = [o.plural for o in occupations if not o.featured]
    body = (f"Group 3211 ({kb.group().plural}) includes:\n"
            f"• The jobs the career article describes: {', '.join(main)}.\n"
            f"• Other titles in the classification: {', '.join(others)}.\n"
            "A job that isn't on this list isn't part of group 3211 in this classification.")
    return say(dispatcher, kb, body, [kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id])
