"""A tracker store filled with a busy school's conversations, for the insights page's tests and benchmark.

The rows are what Rasa's SQLTrackerStore writes (store/events.py's `rows`: its own table, and each
event's `as_dict()` as JSON), inserted in bulk through the store: chatting 10,000 conversations
through the model would take an hour, and the page reads only the store. Which intents, jobs, days
and client addresses is drawn from a seeded generator. Every conversation has two turns or more,
and each user event carries the `client_tag` the channels write (16 hex characters standing for a
keyed hash of the address), so that the page counts them (it counts only conversations of 2+
messages, and shows a typed text only from 2+ addresses).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered

from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT
from store.events import copy_rows, insert, rows

NOT_UNDERSTOOD = ["can you do my homework", "whats the wifi password", "tell me a joke", "who won the game",
                  "asdfgh", "is it going to rain tomorrow"]
DAY = 86_400


def client_tag(address: str) -> str:
    """A stand-in for the channels' keyed hash of a client address: 16 hex characters."""
    return hashlib.sha256(f"test-key:{address}".encode()).hexdigest()[:16]


def user_event(text: str, intent: str, when: float, school: Optional[Dict[str, str]],
               jobs: Sequence[str] = (), tag: Optional[str] = None,
               language: Optional[Dict[str, Any]] = None, page: Optional[str] = None) -> UserUttered:
    """A student's message as the guarded channels store it: the school (and the client's tag, when
    given) in the server's metadata, the page's language (`page`) too, and the detector's `language`
    ({"code", "margin"}) in the parse data."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
             "entities": [{"entity": "occupation", "value": j} for j in jobs],
             **({"language": language} if language else {})}
    metadata = {**(school or {}), **({"client_tag": tag} if tag else {}), **({"lang": page} if page else {})}
    return UserUttered(text, intent=parse["intent"], parse_data=parse, timestamp=when, metadata=metadata)


def create_store(url: str) -> None:
    """Let Rasa create its own table (and indexes) in the store."""
    store = SQLTrackerStore(Domain.empty(), host=url)
    store.engine.dispose()


def busy_school(url: str, school: Dict[str, str], conversations: int, days: int = 30, seed: int = 3211,
                now: Optional[float] = None, kb: Optional[KnowledgeBase] = None, addresses: int = 40) -> int:
    """`conversations` conversations of 2-6 turns spread over the `days` days before `now`, from
    `addresses` client addresses (the first, the school's own network, for a third of them); returns
    the turns."""
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
        where = 0 if rng.random() < 1 / 3 else rng.randrange(addresses)
        tag = client_tag(f"{school.get('school_id', 'x')}-{seed}-address-{where}")
        events: List[Event] = []
        for _ in range(rng.randint(2, 6)):
            turns += 1
            when += rng.uniform(5, 60)
            roll = rng.random()
            if roll < 0.08:
                events.append(user_event(rng.choice(NOT_UNDERSTOOD), "nlu_fallback", when, school, tag=tag))
            elif roll < 0.10:
                events.append(user_event("can I talk to my counsellor", "ask_counsellor", when, school, tag=tag))
            else:
                intent, job = rng.choice(intents), rng.choice(jobs)
                events.append(user_event(f"question about {job}", intent, when, school, [job], tag=tag))
                events += [SlotSet("topic", TOPIC_BY_INTENT[intent], timestamp=when),
                           SlotSet("occupation", job, timestamp=when)]
            events.append(BotUttered("an answer", timestamp=when + 0.5))
        all_rows += rows(sender, events)
    insert(url, all_rows)
    return turns


def typed_by(url: str, school: Dict[str, str], text: str, conversations: int, when: float,
             addresses: Sequence[str], turns: int = 2, prefix: str = "typed") -> List[str]:
    """`conversations` conversations that each typed `text` (not understood), after a question when
    `turns` is 2 or more; the n-th from `addresses[n % len(addresses)]`. Returns their sender ids."""
    all_rows: List[Dict[str, Any]] = []
    senders = []
    for n in range(conversations):
        sender = f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:6]}-{n}"
        tag = client_tag(addresses[n % len(addresses)]) if addresses else None
        events: List[Event] = []
        for t in range(turns - 1):
            events.append(user_event("what does a sonographer do", "ask_overview", when + n + t, school,
                                     ["sonographer"], tag=tag))
            events += [SlotSet("topic", "overview", timestamp=when + n + t),
                       SlotSet("occupation", "sonographer", timestamp=when + n + t)]
        events.append(user_event(text, "nlu_fallback", when + n + turns, school, tag=tag))
        all_rows += rows(sender, events)
        senders.append(sender)
    create_store(url)
    insert(url, all_rows)
    return senders


def copy_moved(source: str, target: str, senders: Sequence[str], seconds: float) -> int:
    """These conversations' rows, moved `seconds` earlier, into another store: a conversation held
    with the real servers this week, as if held in a finished week (only those are counted)."""
    found = copy_rows(source, senders, earlier_by=seconds)
    create_store(target)
    insert(target, found)
    return len(found)


def store_conversation(url: str, sender: str, events: List[Event]) -> None:
    """One conversation saved through Rasa's own tracker store (small fixtures)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    asyncio.run(SQLTrackerStore(Domain.empty(), host=url).save(tracker))
