"""The responses' variations chosen by the conversation's language (bot/nlg.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import LanguageNLG, tracker_language

DOMAIN = Domain.from_dict({
    "slots": {"language": {"type": "categorical", "values": ["en", "es"], "influence_conversation": False,
                           "mappings": [{"type": "custom"}]}},
    "responses": {"utter_greet": [
        {"text": "Hola", "condition": [{"type": "slot", "name": "language", "value": "es"}]},
        {"text": "Hi"},
    ]},
})


def tracker(*messages: Dict[str, Any]) -> DialogueStateTracker:
    """A conversation of user messages, each {"code", "margin", "lang"} as the detector and the page give them."""
    events: List[UserUttered] = []
    for m in messages:
        parse = {"intent": {"name": "greet", "confidence": 1.0}, "entities": [], "text": "x"}
        if m.get("code"):
            parse["language"] = {"code": m["code"], "margin": m.get("margin", 1.0)}
        events.append(UserUttered("x", parse_data=parse, metadata={"lang": m["lang"]} if m.get("lang") else {}))
    return DialogueStateTracker.from_events("s1", events, slots=DOMAIN.slots)


@pytest.mark.parametrize(("messages", "expected"), [
    ([{"code": "es", "margin": 0.9}], "Hola"),
    ([{"code": "en", "margin": 0.9}], "Hi"),
    ([{"code": "es", "margin": 0.2}], "Hi"),  # not sure even for a first message: English, the default
    ([{"code": "en", "margin": 0.9}, {"code": "es", "margin": 0.4}], "Hi"),  # later, only a sure switch
    ([{"code": "en", "margin": 0.3, "lang": "es"}], "Hola"),  # a Spanish page
    ([{"code": "es", "margin": 0.9}, {"code": "en", "margin": 0.2}], "Hola"),  # "ok" keeps Spanish
    ([], "Hi"),
])
async def test_the_variation_follows_the_conversations_language(messages: List[Dict[str, Any]],
                                                                expected: Optional[str]) -> None:
    response = await LanguageNLG(domain=DOMAIN).generate("utter_greet", tracker(*messages), "rest")
    assert response is not None and response["text"] == expected


def test_the_language_is_read_from_the_user_messages() -> None:
    assert tracker_language(tracker({"code": "es", "margin": 0.8})) == "es"
    assert tracker_language(tracker()) == "en"
