"""The job titles of group 3211, and whether a given title belongs to it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import RANKED_TOPICS
from actions.compare import asked_topics, compare, question_text
from actions.context import (
    capitalised,
    knowledge_base,
    language,
    mentioned_occupations,
    mentioned_other_jobs,
    note_sources_language,
    say,
)
from actions.discover import answers_pending_question, continue_discovery, guide
from actions.forms import across_jobs, elsewhere, other_place
from actions.phrases import phrase
from knowledge.discovery import ANY
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
        lang = language(tracker)
        return note_sources_language(dispatcher, tracker, self.titles(dispatcher, tracker, lang))

    @staticmethod
    def titles(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> List[Dict[Text, Any]]:
        """The reply that the question's shape calls for, in the conversation's language."""
        kb = knowledge_base(lang)
        named = [o for o in mentioned_occupations(tracker, kb) if o != kb.group().id]
        text = question_text(tracker)
        ranked = [t for t in asked_topics(text) if t in RANKED_TOPICS]
        if not named and ranked and across_jobs(tracker, named):  # "which job in the group pays the most?"
            return [SlotSet("topic", "compare")] + compare(dispatcher, kb, [o.id for o in kb.featured()], ranked, text,
                                                           lang)
        wants = guide(lang).stated(text)
        if not named and (answers_pending_question(tracker, lang) or any(s.stance != ANY for s in wants)):
            return continue_discovery(dispatcher, tracker, lang)  # "is there a job that deals with sleep?"
        events: List[Dict[Text, Any]] = [SlotSet("topic", "titles")]
        place = elsewhere(tracker, lang)
        if place is not None:  # "mri tech jobs in toronto": the sources cover the US and Pakistan's list only
            return events + other_place(dispatcher, kb, place, "titles", lang)
        if named:
            return events + [SlotSet("occupation", named[0])] + confirm_title(dispatcher, kb, named[0], lang)
        others = mentioned_other_jobs(tracker, kb)
        if others:  # "is a radiologist in group 3211?": no, and what the sources say of it
            return events + deny_title(dispatcher, kb, others[0], lang)
        asked = asked_member(text)
        if asked:  # "is a nurse one of these jobs?": a name that is no title of the group
            return events + deny_unlisted(dispatcher, kb, asked, lang)
        return events + list_titles(dispatcher, kb, lang)


def deny_unlisted(dispatcher: CollectingDispatcher, kb: KnowledgeBase, name: str, lang: str) -> List[Dict[Text, Any]]:
    """A name that is no title of the group: a plain no, and that the sources describe only the group's jobs."""
    body = phrase("titles.deny_unlisted", lang, name=name, group=kb.group().plural)
    return say(dispatcher, kb, body, [kb.source_for_role(CLASSIFICATION).id], kind=OUTSIDE, language=lang)


def deny_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, job: OtherJobInfo,
               lang: str) -> List[Dict[Text, Any]]:
    """A job outside the group, asked about as a member: a plain no and what the sources say of it (for a
    name that could be either, its note says which is which), never the whole list."""
    body = phrase("titles.deny", lang, group=kb.group().plural, note=job.note)
    sources = [kb.source_for_role(CLASSIFICATION).id] + [s for s in job.source_ids
                                                         if s != kb.source_for_role(CLASSIFICATION).id]
    return say(dispatcher, kb, body, sources, kind=OUTSIDE, language=lang)


def confirm_title(dispatcher: CollectingDispatcher, kb: KnowledgeBase, occupation_id: str,
                  lang: str) -> List[Dict[Text, Any]]:
    """Yes, quoting the classification's titles, and whether its parent job is a source's word or a reading."""
    occupation = kb.occupation(occupation_id)
    assert occupation is not None
    listed = "; ".join(f"“{t}”" for t in occupation.source_titles)
    body = phrase("titles.confirm", lang, name=capitalised(occupation.name), group=kb.group().plural, listed=listed)
    sources = [kb.source_for_role(CLASSIFICATION).id]
    if occupation.parent_id and occupation.parent_id != kb.group().id:
        parent = kb.occupation(occupation.parent_id)
        if parent is not None and kb.grouping_is_reading(occupation_id):
            body += " " + phrase("titles.reading", lang, parent=parent.name)
        elif parent is not None:  # a source says so (parent_evidence): cite the job's sources
            body += " " + phrase("titles.comes_under", lang, parent=parent.plural)
            sources += [s for s in occupation.source_ids if s not in sources]
    return say(dispatcher, kb, body, sources, language=lang)


def list_titles(dispatcher: CollectingDispatcher, kb: KnowledgeBase, lang: str) -> List[Dict[Text, Any]]:
    """The whole group, so a student can see which jobs the assistant can talk about."""
    occupations = [o for o in kb.occupations() if o.id != kb.group().id]
    main = [o.plural for o in occupations if o.featured]
    others = [o.plural for o in occupations if not o.featured]
    body = phrase("titles.list", lang, group=kb.group().plural, main=", ".join(main), others=", ".join(others))
    return say(dispatcher, kb, body, [kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id],
               language=lang)
