"""Help beyond a recognised question: the counsellor handoff, and the fallback's closest fact or suggestions."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import borrowed_intro
from actions.context import CHECKED, intent_name, knowledge_base, mentioned_occupations, message_mentions, say
from knowledge.query import KnowledgeBase
from knowledge.search import Document, Hit, searcher
from knowledge.vocabulary import REPLY_KIND_SLOT, UNSURE
from schools.contact import Contact

SUGGESTIONS = {
    "ask_overview": "What is this job?",
    "ask_duties": "What do they do?",
    "ask_education": "What training do I need?",
    "ask_license": "Do I need a licence?",
    "ask_salary": "How much do they earn?",
    "ask_best_paying": "Which industry pays best?",
    "ask_specialties": "What can they specialise in?",
    "ask_safety": "Is it safe?",
    "ask_equipment": "What equipment do they use?",
    "ask_titles": "Which jobs are in this group?",
    "compare_occupations": "Compare the jobs",
    "ask_counsellor": "Talk to my counsellor",
}


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
        details = counsellor_details(tracker)
        who = details.name or "your careers counsellor"
        where = f" at {details.school}" if details.school else ""
        contacts = [c for c in (details.email, details.phone) if c]
        if contacts:
            text = (f"You can talk to {who}{where}: {' or '.join(contacts)}. "
                    "They can help with questions my sources can't answer.")
        else:
            text = (f"The best person to talk to is {who}{where}. I don't have their contact details, "
                    "so ask at your school office or on your school's website.")
        dispatcher.utter_message(text=text + next_steps(details))
        return []


NEXT_STEPS = "Next steps from your counsellor:"


def next_steps(details: Contact) -> str:
    """The school's own next steps (its schools-file links), one per line with its address, so that the widget
    links them; nothing when the school has none."""
    if not details.links:
        return ""
    return "\n\n" + NEXT_STEPS + "".join(f"\n- {link.title}: {link.url}" for link in details.links)


CLOSEST = "Here is the closest thing my sources say"
NOT_SURE = "Sorry, I'm not sure what you mean. Did you mean one of these?"
OTHERWISE = "If you meant something else, try one of these:"
COUNSELLOR_NOTE = "Your school counsellor can help you find information that is up to date."


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
        kb = knowledge_base()
        latest = tracker.latest_message or {}
        ranking = latest.get("intent_ranking") or []
        mentioned = mentioned_occupations(tracker, kb)
        entity = f'{{"occupation": "{mentioned[0]}"}}' if mentioned else ""
        buttons = []
        for item in ranking:
            name = item.get("name") if isinstance(item, dict) else None
            if name in SUGGESTIONS and name != intent_name(tracker) and len(buttons) < 3:
                buttons.append({"title": SUGGESTIONS[name], "payload": f"/{name}{entity}"})
        if not buttons:
            buttons = [{"title": SUGGESTIONS[n], "payload": f"/{n}{entity}"}
                       for n in ("ask_duties", "ask_salary", "ask_license")]
        buttons.append({"title": "What can you do?", "payload": "/help"})
        hit = searcher(kb).answer(latest.get("text"), message_mentions(tracker), mentioned)
        events = closest_answer(dispatcher, kb, hit) if hit is not None else None
        if events is not None:
            dispatcher.utter_message(text=OTHERWISE, buttons=buttons)
            return events
        dispatcher.utter_message(text=NOT_SURE, buttons=buttons)
        return [SlotSet(REPLY_KIND_SLOT, UNSURE)]


def closest_answer(dispatcher: CollectingDispatcher, kb: KnowledgeBase, hit: Hit) -> Optional[List[Dict[Text, Any]]]:
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
        text = f"{document.intro}; this is the one closest to your question:\n{document.line}"
    owner = kb.occupation(document.occupation_id)
    if document.fact is not None and asked is not None and owner is not None and owner != asked:
        body = f"{CLOSEST}:\n{borrowed_intro(kb, asked, document.fact)}\n{text}"
    elif document.fact is not None and owner is not None and (hit.jobs or owner.parent_id is not None):
        body = f"{CLOSEST} about {owner.plural}:\n{text}"
    else:
        body = f"{CLOSEST}:\n{text}"
    events: List[Dict[Text, Any]] = [SlotSet("topic", document.topic)]
    if asked is not None:
        events.append(SlotSet("occupation", asked.id))
    if document.fact is None:  # a gap: nothing is claimed, every source was checked
        return events + say(dispatcher, kb, f"{body}\n{COUNSELLOR_NOTE}", list(document.source_ids),
                            label=CHECKED)
    return events + say(dispatcher, kb, body, [], facts=[document.fact])
