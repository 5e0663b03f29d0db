"""A tracker store filled with a busy school's conversations, for the insights page's tests and benchmark.

The rows are what Rasa's SQLTrackerStore writes (its own table, and each event's `as_dict()` as
JSON), inserted in bulk: chatting 10,000 conversations through the model would take an hour, and
the page reads only the store. Which intents, jobs and days is drawn from a seeded generator.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any, Dict, List, Optional, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered

from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT

NOT_UNDERSTOOD = ["can you do my homework", "whats the wifi password", "tell me a joke", "who won the game",
                  "asdfgh", "is it going to rain tomorrow"]
DAY = 86_400


def user_event(text: str, intent: str, when: float, school: Optional[Dict[str, str]],
               jobs: Sequence[str] = ()) -> UserUttered:
    """A student's message as the guarded channels store it: the school in the server's metadata."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
             "entities": [{"entity": "occupation", "value": j} for j in jobs]}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=when, metadata=dict(school or {}))


def rows(sender: str, events: List[Event]) -> List[Dict[str, Any]]:
    """The `events` rows Rasa's SQLTrackerStore would write for these events."""
    found = []
    for event in events:
        data = event.as_dict()
        found.append({"sender_id": sender, "type_name": event.type_name, "timestamp": event.timestamp,
                      "intent_name": data.get("parse_data", {}).get("intent", {}).get("name")
                      if isinstance(event, UserUttered) else None,
                      "action_name": None, "data": json.dumps(data)})
    return found


def create_store(url: str) -> None:
    """Let Rasa create its own table (and indexes) in the store."""
    store = SQLTrackerStore(Domain.empty(), host=url)
    store.engine.dispose()


def insert(url: str, all_rows: List[Dict[str, Any]]) -> None:
    engine = sa.create_engine(url)
    try:
        table = sa.Table("events", sa.MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            for start in range(0, len(all_rows), 5000):
                connection.execute(table.insert(), all_rows[start:start + 5000])
    finally:
        engine.dispose()


def busy_school(url: str, school: Dict[str, str], conversations: int, days: int = 30, seed: int = 3211,
                now: Optional[float] = None, kb: Optional[KnowledgeBase] = None) -> int:
    """`conversations` conversations of 2-6 turns spread over the last `days` days; returns the turns."""
    kb = kb or KnowledgeBase()
    rng = random.Random(seed)
    now = now if now is not None else time.time()
    jobs = [o.id for o in kb.occupations()]
    intents = list(TOPIC_BY_INTENT)
    all_rows: List[Dict[str, Any]] = []
    turns = 0
    for n in range(conversations):
        sender = f"{school.get('school_id', 'x')}-{seed}-{n}"
        when = now - rng.uniform(0, days * DAY - 3600)
        events: List[Event] = []
        for _ in range(rng.randint(2, 6)):
            turns += 1
            when += rng.uniform(5, 60)
            roll = rng.random()
            if roll < 0.08:
                events.append(user_event(rng.choice(NOT_UNDERSTOOD), "nlu_fallback", when, school))
            elif roll < 0.10:
                events.append(user_event("can I talk to my counsellor", "ask_counsellor", when, school))
            else:
                intent, job = rng.choice(intents), rng.choice(jobs)
                events.append(user_event(f"question about {job}", intent, when, school, [job]))
                events += [SlotSet("topic", TOPIC_BY_INTENT[intent], timestamp=when),
                           SlotSet("occupation", job, timestamp=when)]
            events.append(BotUttered("an answer", timestamp=when + 0.5))
        all_rows += rows(sender, events)
    insert(url, all_rows)
    return turns


def store_conversation(url: str, sender: str, events: List[Event]) -> None:
    """One conversation saved through Rasa's own tracker store (small fixtures)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    asyncio.run(SQLTrackerStore(Domain.empty(), host=url).save(tracker))
