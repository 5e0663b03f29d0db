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
    """A tracker whose latest message has this intent and these occupation entities.

    Without `entities`, the job names in `text` are found as the NLU finds them (exact names and
    misspellings, with their spans); an entity given without a span gets one where its text is.
    A `language` among `slots` is the page's language the message was sent with (metadata `lang`),
    which starts the conversation in it, as the widget's `data-lang` does.
    """
    slots = dict(slots or {})
    if "language" in slots:
        metadata = {**(metadata or {}), "lang": slots.pop("language")}
    found = nlu_entities(text) if entities is None else [with_span(e, text) for e in entities]
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": found,
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "metadata": metadata or {},
    }
    return tracker(message, slots, metadata=metadata)


def nlu_entities(text: str) -> List[Dict[str, Any]]:
    """The job names of a text with their spans, as the NLU's entity ruler and name resolver find them."""
    from actions.context import knowledge_base

    if not isinstance(text, str) or text.startswith("/"):
        return []
    return [{"entity": f.kind, "start": f.start, "end": f.end, "value": f.id, "text": f.text}
            for f in knowledge_base().names.mentions(text)]


def with_span(entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    """The entity with `start` and `end` where its text is in the message, as the NLU gives them."""
    written = entity.get("text")
    if "start" in entity or not isinstance(written, str) or not isinstance(text, str):
        return entity
    start = text.lower().find(written.lower())
    return entity if start < 0 else {**entity, "start": start, "end": start + len(written)}


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
