"""Help that is not a fact: the counsellor handoff and the fallback suggestions."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import intent_name, knowledge_base, mentioned_occupations

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
PHONE = re.compile(r"^[0-9+()\-. ]{5,32}$")
PLAIN = re.compile(r"^[^<>{}\n\r]{1,100}$")
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


def _clean(value: Any, pattern: "re.Pattern[str]") -> Optional[str]:
    if isinstance(value, str) and pattern.match(value.strip()):
        return value.strip()
    return None


def counsellor_details(tracker: Tracker) -> Dict[str, Optional[str]]:
    """The school's settings: from the widget's metadata, else the server's environment."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not isinstance(metadata, dict):
        metadata = {}
    return {
        "school": _clean(metadata.get("school") or os.environ.get("SCHOOL_NAME"), PLAIN),
        "name": _clean(metadata.get("counsellor_name") or os.environ.get("COUNSELLOR_NAME"), PLAIN),
        "email": _clean(metadata.get("counsellor_email") or os.environ.get("COUNSELLOR_EMAIL"), EMAIL),
        "phone": _clean(metadata.get("counsellor_phone") or os.environ.get("COUNSELLOR_PHONE"), PHONE),
    }


class ActionCounsellor(Action):
    """Hands over to a person: the contact that the school configured, or where to find one."""

    def name(self) -> Text:
        return "action_counsellor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        details = counsellor_details(tracker)
        who = details["name"] or "your careers counsellor"
        where = f" at {details['school']}" if details["school"] else ""
        contacts = [c for c in (details["email"], details["phone"]) if c]
        if contacts:
            text = (f"You can talk to {who}{where}: {' or '.join(contacts)}. "
                    "They can help with questions my sources can't answer.")
        else:
            text = (f"The best person to talk to is {who}{where}. I don't have their contact details, "
                    "so ask at your school office or on your school's website.")
        dispatcher.utter_message(text=text)
        return []


class ActionFallback(Action):
    """An unclear message gets "did you mean" buttons from the NLU ranking, not a guess."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        mentioned = mentioned_occupations(tracker, knowledge_base())
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
        dispatcher.utter_message(text="Sorry, I'm not sure what you mean. Did you mean one of these?",
                                 buttons=buttons)
        return []
