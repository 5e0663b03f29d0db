"""The job titles of group 3211, and whether a given title belongs to it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import RANKED_TOPICS
from actions.compare import asked_topics, compare, question_text
from actions.context import capitalised, knowledge_base, mentioned_occupations, mentioned_other_jobs, say
from actions.discover import answers_pending_question, continue_discovery
from actions.forms import across_jobs, elsewhere, other_place
from knowledge.discovery import ANY, discovery
from knowledge.names import asked_member
from knowledge.query import KnowledgeBase, OtherJobInfo
from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION, OUTSIDE


class ActionTitles(Action):
    """Lists the titles, or confirms one that the student named."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_titles"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Title questions come in many shapes (the list, is X one of them, which pays most): route each."""
        kb = knowledge_base()
        named = [o for o in mentioned_occupations(tracker, kb) if o != kb.group().id]
        text = question_text(tracker)
        ranked = [t for t in asked_topics(text) if t in RANKED_TOPICS]
        if not named and ranked and across_jobs(tracker, named):  # "which job in the group pays the most?"
            return [SlotSet("topic", "compare")] + compare(dispatcher, kb, [o.id for o in kb.featured()], ranked, text)
        wants = discovery().stated(text)
        if not named and (answers_pending_question(tracker) or any(s.stance != ANY for s in wants)):
            return continue_discovery(dispatcher, tracker)  # "is there a job that deals with sleep?"
        events: List[Dict[Text, Any]] = [SlotSet("topic", "titles")]
        place = elsewhere(tracker)
        if place is not None:  # "mri tech jobs in toronto": the sources cover the US and Pakistan's list only
            return events + other_place(dispatcher, kb, place, "titles")
        if named:
            return events + [SlotSet("occupation", named[0])] + confirm_title(dispatcher, kb, named[0])
        others = mentioned_other_jobs(tracker, kb)
        if others:  # "is a radiologist in group 3211?": no, and what the sources say of it
            return events + deny_title(dispatcher, kb, others[0])
        asked = asked_member(text)
        if asked:  # "is a nurse one of these jobs?": a name that is no title of the group
            return events + deny_unlisted(dispatcher, kb, asked)
        return events + list_titles(dispatcher, kb)


def deny_unlisted(dispatcher: CollectingDispatcher, kb: KnowledgeBase, name: str) -> List[Dict[Text, Any]]:
    """A name that is no title of the group: a plain no, and that the sources describe only the group's jobs."""
    body = (f"No, as far as my sources go. Pakistan's classification doesn't list “{name}” as a title in group "
            f"3211 ({kb.group().plural}). So my sources don't describe that job. Ask me for the list of titles to "
            "see the jobs they do cover.")
    return say(dispatcher, kb, body, [kb.source_for_role(CLASSIFICATION).id], kind=OUTSIDE)


def deny_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, job: OtherJobInfo) -> List[Dict[Text, Any]]:
    """A job outside the group, asked about as a member: a plain no and what the sources say of it (for a
    name that could be either, its note says which is which), never the whole list."""
    body = (f"No. That title isn't in group 3211 ({kb.group().plural}). Pakistan's classification doesn't "
            f"list it. {job.note}")
    sources = [kb.source_for_role(CLASSIFICATION).id] + [s for s in job.source_ids
                                                         if s != kb.source_for_role(CLASSIFICATION).id]
    return say(dispatcher, kb, body, sources, kind=OUTSIDE)


def confirm_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, occupation_id: str) -> List[Dict[Text, Any]]:
    """Yes, quoting the classification's titles, and whether its parent job is a source's word or a reading."""
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
    """The whole group, so a student can see which jobs the assistant can talk about."""
    occupations = [o for o in kb.occupations() if o.id != kb.group().id]
    main = [o.plural for o in occupations if o.featured]
    others = [o.plural for o in occupations if not o.featured]
    body = (f"Group 3211 ({kb.group().plural}) includes:\n"
            f"• The jobs the career article describes: {', '.join(main)}.\n"
            f"• Other titles in the classification: {', '.join(others)}.\n"
            "A job that isn't on this list isn't part of group 3211 in this classification.")
    return say(dispatcher, kb, body, [kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id])
