"""The assistant in one process: the trained model reads each message, the rules pick the action, and the
project's own actions answer, with the slots carried from turn to turn.

The evaluation scores conversations with it, reading what kind of reply each turn got (the `reply_kind`
slot) as well as the intent: a refusal can come from the intent (out_of_scope) or from the action (a job
outside the group). The servers are not needed; the end-to-end tests cover them.

    python -m harness.dialogue [MODEL]    # chat with it in a terminal, each reply's kind shown
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from harness.servers import PROJECT_DIR
from knowledge.language import LANGUAGE_KEY, conversation_language
from knowledge.vocabulary import REPLY_KIND_SLOT

MODEL = PROJECT_DIR / "models" / "current.tar.gz"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE_REPLY = "out_of_scope"  # the kind of utter_out_of_scope's reply (a response, not an action)
CHAT = "chat"  # greetings, thanks, help and the counsellor's details: no answer and no refusal
SLOTS = ("occupation", "topic", "sources_shown", REPLY_KIND_SLOT)
LAST_EVENTS = "__last_events"  # kept beside the slots: the previous turn's action and slot events, as a tracker has
USER_EVENTS = "__user_events"  # and every earlier user message, whose languages decide the conversation's


@dataclass
class Turn:
    """What one message got: the reading, the action, the reply and its kind, the slots after it."""

    text: str
    intent: str
    entities: List[Dict[str, Any]]
    action: str
    replies: List[str]
    kind: str
    slots: Dict[str, Any] = field(default_factory=dict)


def tracker(message: Dict[str, Any], slots: Optional[Dict[str, Any]] = None, sender: str = "test",
            metadata: Optional[Dict[str, Any]] = None) -> Any:
    """A rasa_sdk tracker whose latest message is `message` (text, intent, entities, ranking), sent with
    `metadata` (the page's, e.g. its language), after the earlier user messages kept in `slots`."""
    from rasa_sdk import Tracker

    slots = dict(slots or {})
    earlier = list(slots.pop(USER_EVENTS, None) or [{"event": "user", "text": ""}])
    events = earlier + list(slots.pop(LAST_EVENTS, None) or [])
    events.append({"event": "action", "name": "action_listen"})
    events.append(user_event(message, metadata))
    return Tracker.from_dict({
        "sender_id": sender,
        "slots": {**{name: None for name in SLOTS}, **slots},
        "latest_message": message,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def user_event(message: Dict[str, Any], metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A user message as a tracker's event, its parse data and metadata as the Rasa server stores them."""
    return {"event": "user", "text": message.get("text"), "parse_data": message, "metadata": metadata or {}}


def rule_actions(path: Path = PROJECT_DIR / "data" / "rules.yml") -> Dict[str, str]:
    """intent -> the action its rule runs, read from data/rules.yml (every rule there is one intent, one action)."""
    mapping = {}
    for rule in yaml.safe_load(path.read_text())["rules"]:
        steps = rule["steps"]
        if len(steps) == 2 and "intent" in steps[0] and "action" in steps[1]:
            mapping[steps[0]["intent"]] = steps[1]["action"]
    return mapping


def custom_actions() -> Dict[str, Any]:
    """The project's actions by name, found as the action server finds them: every Action in `actions`."""
    import importlib
    import pkgutil

    from rasa_sdk import Action

    import actions

    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found: Dict[str, Any] = {}
    pending = list(Action.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("actions."):
            found[cls().name()] = cls()
    return found


def loaded_agent(model: Path) -> Any:
    """The model loaded once per file as written, per process: `make test`'s gates score eight sets in one
    process (harness/gates.py `model`), and each load takes seconds."""
    path = Path(model).resolve()
    return _load_agent(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load_agent(path: str, written_ns: int) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(path)


class Dialogue:
    """One loaded model and the actions; `conversation()` starts a fresh set of slots."""

    def __init__(self, model: Path = MODEL) -> None:
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        self.agent = loaded_agent(Path(model))
        self.rules = rule_actions()
        self.actions = custom_actions()
        self.responses = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())["responses"]

    def response(self, name: str, language: str) -> str:
        """A response's text in `language`: its variation with that condition, else its plain one (bot/nlg.py)."""
        variants = self.responses.get(name) or []
        chosen = [v for v in variants if {"type": "slot", "name": LANGUAGE_KEY, "value": language}
                  in (v.get("condition") or [])] or [v for v in variants if not v.get("condition")] or [{}]
        return chosen[0].get("text", "")

    async def parse(self, text: str) -> Dict[str, Any]:
        """The model's reading of a message, as the Rasa server would give it to the rules."""
        return await self.agent.parse_message(text)

    async def turn(self, text: str, slots: Dict[str, Any], parsed: Optional[Dict[str, Any]] = None,
                   metadata: Optional[Dict[str, Any]] = None) -> Turn:
        """Answer one message given the slots so far, sent with the page's `metadata`; `slots` is updated in
        place."""
        from rasa_sdk.executor import CollectingDispatcher

        message = parsed if parsed is not None else await self.parse(text)
        intent = (message.get("intent") or {}).get("name") or FALLBACK
        action = self.rules.get(intent, "action_fallback")
        users = [e for e in slots.get(USER_EVENTS) or [] if e.get("text")] + [user_event(message, metadata)]
        language = conversation_language((e.get("parse_data"), e.get("metadata")) for e in users)
        replies: List[str] = []
        kind = CHAT
        if action in self.actions:
            dispatcher = CollectingDispatcher()
            events = await self.actions[action].run(dispatcher, tracker(message, slots, metadata=metadata), {})
            replies = [m.get("text") or self.response(m.get("response") or "", language) for m in dispatcher.messages]
            set_now = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
            slots[LAST_EVENTS] = [{"event": "action", "name": action}] + [e for e in events if e.get("event") == "slot"]
            slots.update({k: v for k, v in set_now.items() if k != REPLY_KIND_SLOT})
            kind = set_now.get(REPLY_KIND_SLOT) or CHAT
        else:
            replies = [self.response(action, language)]
            kind = OUT_OF_SCOPE_REPLY if intent == "out_of_scope" else CHAT
            slots[LAST_EVENTS] = [{"event": "action", "name": action}]
        slots[USER_EVENTS] = users
        shown = {k: v for k, v in slots.items() if k not in (LAST_EVENTS, USER_EVENTS)}
        return Turn(text, intent, list(message.get("entities") or []), action, replies, kind, shown)


async def _chat(model: Path) -> None:
    dialogue = Dialogue(model)
    slots: Dict[str, Any] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        turn = await dialogue.turn(line.strip(), slots)
        entities = [(e.get("entity"), e.get("value")) for e in turn.entities]
        print(f"{turn.text!r} [{turn.intent} {entities} -> {turn.action}: {turn.kind}]")
        for reply in turn.replies:
            print("  " + reply.replace("\n", "\n  "))


if __name__ == "__main__":
    asyncio.run(_chat(Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL))
