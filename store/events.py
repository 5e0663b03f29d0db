"""The one reader (and, for test data, writer) of Rasa's `events` table.

Rasa 3.6's SQLTrackerStore keeps each event as a row: `sender_id`, `type_name`, `timestamp`,
`intent_name`, `action_name` and the event's `as_dict()` as JSON in `data`. The insights counts,
the purge, the loopback cluster's checks, the tests and the benchmarks ask here instead of writing
SQL against it, so that this module is the only place that knows the table's name and columns.
Every query is built by SQLAlchemy with bound parameters; a store with no table yet reads as empty.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import sqlalchemy as sa

TABLE = "events"
BATCH = 5000  # rows per INSERT: one statement per few thousand rows, never one per row

# What the insights counts read of a row: sender id, event type, intent, timestamp, the event as JSON.
TurnRow = Tuple[str, str, Optional[str], float, Optional[str]]


@contextlib.contextmanager
def engine_for(url: str) -> Iterator[sa.engine.Engine]:
    """An engine for one piece of work, disposed after it, so that no connection outlives the call."""
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def table(engine: sa.engine.Engine) -> sa.Table:
    """Rasa's table as the database has it (sqlalchemy.exc.NoSuchTableError before the first conversation)."""
    return sa.Table(TABLE, sa.MetaData(), autoload_with=engine)


def turn_rows(url: str, first: float, last: float, school_id: Optional[str] = None,
              slots: bool = True) -> List[TurnRow]:
    """The student messages between two instants (epoch seconds, `last` excluded), by conversation and order.

    With `slots`, each conversation that has such a message also gives its slot events of the period (the
    topic and job the answers set). With `school_id`, only conversations (or, without slots, messages)
    that the channels tagged with that school: a LIKE on the stored JSON narrows the rows in the database,
    and the reader checks each row's metadata again.
    """
    with engine_for(url) as engine:
        try:
            events = table(engine)
        except sa.exc.NoSuchTableError:  # nothing stored yet
            return []
        columns = (events.c.sender_id, events.c.type_name, events.c.intent_name, events.c.timestamp, events.c.data)
        in_time = (events.c.timestamp >= first, events.c.timestamp < last)
        tagged = events.c.data.like(f'%"school_id": {json.dumps(school_id)}%') if school_id is not None else None
        if slots:
            users = sa.select(events.c.sender_id).where(events.c.type_name == "user", *in_time)
            if tagged is not None:
                users = users.where(tagged)
            query = (sa.select(*columns)
                     .where(events.c.sender_id.in_(users.distinct()), *in_time,
                            events.c.type_name.in_(("user", "slot"))))
        else:
            query = sa.select(*columns).where(events.c.type_name == "user", *in_time)
            if tagged is not None:
                query = query.where(tagged)
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query.order_by(events.c.sender_id, events.c.id))]


def delete_idle(url: str, cutoff: float) -> int:
    """Delete every conversation whose last event is older than `cutoff` (epoch seconds), whole; how many.

    Raises sqlalchemy.exc.NoSuchTableError when nothing was ever stored (the purge says so)."""
    with engine_for(url) as engine:
        events = table(engine)
        with engine.begin() as connection:
            last = sa.func.max(events.c.timestamp)
            stale = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last < cutoff)
            senders = [row[0] for row in connection.execute(stale)]
            for start in range(0, len(senders), 500):
                connection.execute(events.delete().where(events.c.sender_id.in_(senders[start:start + 500])))
        return len(senders)


def count_events(url: str, sender: str, type_name: Optional[str] = None) -> int:
    """How many events one conversation has stored (of one type: "user", "bot", "slot"...)."""
    with engine_for(url) as engine:
        try:
            events = table(engine)
        except sa.exc.NoSuchTableError:
            return 0
        query = sa.select(sa.func.count()).select_from(events).where(events.c.sender_id == sender)
        if type_name is not None:
            query = query.where(events.c.type_name == type_name)
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def user_events_by_sender(url: str, sender_prefix: str) -> Dict[str, int]:
    """Student messages stored per conversation whose sender id starts with the prefix (lost or doubled turns)."""
    with engine_for(url) as engine:
        try:
            events = table(engine)
        except sa.exc.NoSuchTableError:
            return {}
        query = (sa.select(events.c.sender_id, sa.func.count())
                 .where(events.c.type_name == "user", events.c.sender_id.like(sender_prefix + "%"))
                 .group_by(events.c.sender_id))
        with engine.connect() as connection:
            return {sender: int(count) for sender, count in connection.execute(query)}


def _column_of(url: str, sender: str, column: str) -> List[Any]:
    """One column of each stored event of one conversation, in the order they were stored."""
    with engine_for(url) as engine:
        try:
            events = table(engine)
        except sa.exc.NoSuchTableError:
            return []
        query = sa.select(events.c[column]).where(events.c.sender_id == sender).order_by(events.c.id)
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]


def types_of(url: str, sender: str) -> List[str]:
    """The type of each event one conversation has stored, in order ("user", "bot", "action"...)."""
    return [str(t) for t in _column_of(url, sender, "type_name")]


def stored_data(url: str, sender: str) -> List[str]:
    """Each stored event of one conversation as the JSON text the database holds (what masking must reach)."""
    return [d or "" for d in _column_of(url, sender, "data")]


def rows(sender: str, events: Iterable[Any]) -> List[Dict[str, Any]]:
    """The rows Rasa's SQLTrackerStore would write for these events (objects with `type_name`,
    `timestamp` and `as_dict()`, Rasa's Event): test data inserted in bulk, not chatted through the model."""
    found = []
    for event in events:
        data = event.as_dict()
        found.append({"sender_id": sender, "type_name": event.type_name, "timestamp": event.timestamp,
                      "intent_name": data.get("parse_data", {}).get("intent", {}).get("name")
                      if event.type_name == "user" else None,
                      "action_name": None, "data": json.dumps(data)})
    return found


def insert(url: str, all_rows: Sequence[Dict[str, Any]]) -> None:
    """Insert rows (from `rows`, or `copy_rows`) into a store whose table exists (Rasa's store made it)."""
    with engine_for(url) as engine:
        events = table(engine)
        with engine.begin() as connection:
            for start in range(0, len(all_rows), BATCH):
                connection.execute(events.insert(), list(all_rows[start:start + BATCH]))


def copy_rows(url: str, senders: Sequence[str], earlier_by: float = 0.0) -> List[Dict[str, Any]]:
    """These conversations' rows, in order, without their ids and moved `earlier_by` seconds into the past
    (the row's and the event's own timestamp), ready to `insert` into another store: a conversation held
    with the real servers this week, as if held in a finished week."""
    with engine_for(url) as engine:
        events = table(engine)
        with engine.connect() as connection:
            found = [dict(r._mapping) for r in connection.execute(
                sa.select(events).where(events.c.sender_id.in_(list(senders))).order_by(events.c.id))]
    for row in found:
        row.pop("id", None)
        row["timestamp"] = float(row["timestamp"]) - earlier_by
        data = json.loads(row["data"] or "{}")
        if isinstance(data.get("timestamp"), (int, float)):
            data["timestamp"] -= earlier_by
        row["data"] = json.dumps(data)
    return found
