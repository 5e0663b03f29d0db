"""Small trackers and a dispatcher, for running one action at a time without a Rasa server."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from harness.dialogue import tracker  # the same tracker the evaluation runs the actions with
from knowledge.query import KnowledgeBase


def make_tracker(intent: str, entities: Optional[List[Dict[str, Any]]] = None,
                 slots: Optional[Dict[str, Any]] = None, text: str = "",
                 metadata: Optional[Dict[str, Any]] = None,
                 ranking: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    """A tracker whose latest message has this intent and these occupation entities."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "metadata": metadata or {},
    }
    return tracker(message, slots)


def occupation(value: str, text: Optional[str] = None) -> Dict[str, Any]:
    return {"entity": "occupation", "value": value, "text": text or value}


async def run_action(action: Action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Run an action; return what it said and the slots it set."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def named(kb: KnowledgeBase, typed: str) -> str:
    """The id of the job a message names, as the knowledge base resolves it (so no test types an id)."""
    found = kb.resolve(typed)
    assert found is not None, typed
    return found
