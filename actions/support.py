"""Help beyond a recognised question: the counsellor handoff, and the fallback's closest fact or suggestions."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import borrowed_intro
from actions.context import (
    CHECKED,
    intent_name,
    knowledge_base,
    language,
    mentioned_occupations,
    message_mentions,
    note_sources_language,
    say,
)
from actions.phrases import EN, either, phrase
from knowledge.query import KnowledgeBase
from knowledge.search import Document, Hit, searcher
from knowledge.vocabulary import REPLY_KIND_SLOT, UNSURE
from schools.contact import Contact

SUGGESTED = ("ask_overview", "ask_duties", "ask_education", "ask_license", "ask_salary", "ask_best_paying",
             "ask_specialties", "ask_safety", "ask_equipment", "ask_titles", "compare_occupations", "ask_counsellor")
SUGGESTIONS = {intent: phrase(f"suggest.{intent}", EN) for intent in SUGGESTED}  # the English buttons' titles


def counsellor_details(tracker: Tracker) -> Contact:
    """The school's contact as the channel put it in the message's metadata, from the server's settings for
    the page's school (bot/input.py, schools/): never re-derived here, and checked again before it is shown."""
    return Contact.from_metadata((tracker.latest_message or {}).get("metadata"))


class ActionCounsellor(Action):
    """Hands over to a person: the contact that the school configured, or where to find one."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_counsellor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """A student who asks for a person gets their school's counsellor, never an invented one."""
        lang = language(tracker)
        details = counsellor_details(tracker)
        who = details.name or phrase("counsellor.default", lang)
        where = phrase("counsellor.at", lang, school=details.school) if details.school else ""
        contacts = [c for c in (details.email, details.phone) if c]
        if contacts:
            text = phrase("counsellor.contacts", lang, who=who, where=where, contacts=either(contacts, lang))
        else:
            text = phrase("counsellor.no_contacts", lang, who=who, where=where)
        dispatcher.utter_message(text=text + next_steps(details, lang))
        return []


NEXT_STEPS = phrase("counsellor.next_steps", EN)


def next_steps(details: Contact, lang: str) -> str:
    """The school's own next steps (its schools-file links), one per line with its address, so that the widget
    links them; nothing when the school has none."""
    if not details.links:
        return ""
    return "\n\n" + phrase("counsellor.next_steps", lang) + "".join(f"\n- {link.title}: {link.url}"
                                                                    for link in details.links)


CLOSEST = phrase("fallback.closest", EN).rstrip(":")
NOT_SURE = phrase("fallback.not_sure", EN)
OTHERWISE = phrase("fallback.otherwise", EN)
COUNSELLOR_NOTE = phrase("counsellor.up_to_date", EN)


class ActionFallback(Action):
    """An unclear message gets the knowledge base's closest fact when the search is sure enough
    (knowledge/search.py THRESHOLD), said to be only the closest; otherwise "did you mean" buttons
    from the NLU ranking, not a guess. Both offer the buttons.
    """

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """A message NLU is unsure of gets the closest fact or a choice of questions, never a guess."""
        lang = language(tracker)
        kb = knowledge_base(lang)
        latest = tracker.latest_message or {}
        ranking = latest.get("intent_ranking") or []
        mentioned = mentioned_occupations(tracker, kb)
        entity = f'{{"occupation": "{mentioned[0]}"}}' if mentioned else ""
        buttons = []
        for item in ranking:
            name = item.get("name") if isinstance(item, dict) else None
            if name in SUGGESTIONS and name != intent_name(tracker) and len(buttons) < 3:
                buttons.append({"title": phrase(f"suggest.{name}", lang), "payload": f"/{name}{entity}"})
        if not buttons:
            buttons = [{"title": phrase(f"suggest.{n}", lang), "payload": f"/{n}{entity}"}
                       for n in ("ask_duties", "ask_salary", "ask_license")]
        buttons.append({"title": phrase("suggest.help", lang), "payload": "/help"})
        hit = searcher(kb).answer(latest.get("text"), message_mentions(tracker), mentioned)
        events = closest_answer(dispatcher, kb, hit, lang) if hit is not None else None
        if events is not None:
            dispatcher.utter_message(text=phrase("fallback.otherwise", lang), buttons=buttons)
            return note_sources_language(dispatcher, tracker, events)
        dispatcher.utter_message(text=phrase("fallback.not_sure", lang), buttons=buttons)
        return [SlotSet(REPLY_KIND_SLOT, UNSURE)]


def closest_answer(dispatcher: CollectingDispatcher, kb: KnowledgeBase, hit: Hit,
                   lang: str) -> Optional[List[Dict[Text, Any]]]:
    """Say the search's hit as only the closest thing the sources say, whose it is, and its source.

    A fact borrowed from the named job's parent or group says so as every answer does (borrowed_intro);
    another job's fact names the job; one task of a list comes with the list's own introduction; a
    gap (what the sources don't cover) cites every source checked. The topic, and the one job named,
    carry over like any answer's. None (nothing said) when the hit is a radiation-protection fact that the
    named job, described without radiation, never borrows, and the job has no word of its own on the topic.
    """
    document = hit.document
    asked = kb.occupation(hit.jobs[0]) if len(hit.jobs) == 1 else None
    if document.fact is not None and asked is not None and kb.withheld(asked.id, document.fact):
        # another job's radiation-protection fact for a job the sources describe without radiation:
        # its own word on the topic instead, or nothing (the buttons follow)
        own = kb.find_fact(asked.id, document.topic)
        if own is None:
            return None
        document = Document(own.occupation_id, own.topic, own.text, own.source_ids, own)
    text = document.text
    if document.task is not None:
        text = phrase("fallback.closest_task", lang, intro=document.intro, line=document.line)
    owner = kb.occupation(document.occupation_id)
    if document.fact is not None and asked is not None and owner is not None and owner != asked:
        body = f"{phrase('fallback.closest', lang)}\n{borrowed_intro(kb, asked, document.fact, lang)}\n{text}"
    elif document.fact is not None and owner is not None and (hit.jobs or owner.parent_id is not None):
        body = f"{phrase('fallback.closest_about', lang, jobs=owner.plural)}\n{text}"
    else:
        body = f"{phrase('fallback.closest', lang)}\n{text}"
    events: List[Dict[Text, Any]] = [SlotSet("topic", document.topic)]
    if asked is not None:
        events.append(SlotSet("occupation", asked.id))
    if document.fact is None:  # a gap: nothing is claimed, every source was checked
        return events + say(dispatcher, kb, f"{body}\n{phrase('counsellor.up_to_date', lang)}",
                            list(document.source_ids), label=CHECKED, language=lang)
    return events + say(dispatcher, kb, body, [], facts=[document.fact], language=lang)
