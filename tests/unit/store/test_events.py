"""The one reader of Rasa's `events` table, on conversations that Rasa's own SQLTrackerStore saved."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from store import events

T0 = 1_700_000_000.0
HILLSIDE = {"school": "Hillside High School", "school_id": "hillside"}
RIDGEVIEW = {"school": "Ridgeview Academy", "school_id": "ridgeview"}


def said(text: str, when: float, school: Dict[str, str], intent: str = "ask_overview") -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
                       timestamp=when, metadata=dict(school))


def save(url: str, sender: str, stored: List[Event]) -> None:
    """Through Rasa's own store: the rows are exactly what a server writes."""
    tracker = DialogueStateTracker(sender, slots=[])
    for event in stored:
        tracker.update(event)
    store = SQLTrackerStore(Domain.empty(), host=url)
    asyncio.run(store.save(tracker))
    store.engine.dispose()


@pytest.fixture()
def url(tmp_path: Path) -> str:
    found = f"sqlite:///{tmp_path / 'tracker.db'}"
    save(found, "a", [said("what does a sonographer do", T0, HILLSIDE), SlotSet("topic", "overview", timestamp=T0),
                      BotUttered("They use sound waves.", timestamp=T0 + 1),
                      said("and the pay", T0 + 10, HILLSIDE, "ask_salary")])
    save(found, "b", [said("hi", T0 + 5, RIDGEVIEW, "greet"), BotUttered("Hello!", timestamp=T0 + 6)])
    save(found, "old", [said("hello", T0 - 86_400, HILLSIDE, "greet")])
    return found


def test_the_table_is_rasa_s() -> None:
    """A Rasa upgrade that renames the table or a column read here fails this, not the insights page."""
    assert SQLTrackerStore.SQLEvent.__tablename__ == events.TABLE
    columns = set(SQLTrackerStore.SQLEvent.__table__.columns.keys())
    assert {"id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"} <= columns


def test_turn_rows_in_a_period_with_their_slots(url: str) -> None:
    found = events.turn_rows(url, T0, T0 + 100)
    assert [(r[0], r[1], r[2]) for r in found] == [("a", "user", "ask_overview"), ("a", "slot", None),
                                                    ("a", "user", "ask_salary"), ("b", "user", "greet")]
    assert json.loads(found[0][4])["metadata"]["school_id"] == "hillside" and found[0][3] == T0
    assert [r[1] for r in events.turn_rows(url, T0, T0 + 100, slots=False)] == ["user", "user", "user"]
    assert [r[0] for r in events.turn_rows(url, T0 - 86_400, T0)] == ["old"]  # the end is excluded


def test_turn_rows_of_one_school(url: str) -> None:
    assert {r[0] for r in events.turn_rows(url, T0, T0 + 100, "hillside")} == {"a"}
    assert [r[0] for r in events.turn_rows(url, T0, T0 + 100, "ridgeview", slots=False)] == ["b"]
    assert events.turn_rows(url, T0, T0 + 100, "nowhere") == []


def test_counts_types_and_texts_of_one_conversation(url: str) -> None:
    assert events.count_events(url, "a", "user") == 2 and events.count_events(url, "nobody") == 0
    assert events.count_events(url, "a") == len(events.types_of(url, "a"))
    assert {"user", "bot", "slot"} <= set(events.types_of(url, "a"))
    assert any("sonographer" in text for text in events.stored_data(url, "a"))
    assert events.user_events_by_sender(url, "") == {"a": 2, "b": 1, "old": 1}
    assert events.user_events_by_sender(url, "o") == {"old": 1}


def test_a_store_without_the_table_reads_as_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert events.turn_rows(url, 0, T0) == [] and events.count_events(url, "a") == 0
    assert events.types_of(url, "a") == [] and events.stored_data(url, "a") == []
    assert events.user_events_by_sender(url, "") == {}


def test_delete_idle_removes_whole_conversations(url: str) -> None:
    assert events.delete_idle(url, T0 + 7) == 2  # "old", and "b" whose last event is at T0 + 6
    assert events.user_events_by_sender(url, "") == {"a": 2}  # "a" was still going at T0 + 10


def test_rows_inserted_in_bulk_read_as_rasa_s_own(url: str, tmp_path: Path) -> None:
    written: List[Dict[str, Any]] = events.rows("c", [said("what is an mri", T0 + 20, HILLSIDE),
                                                      SlotSet("occupation", "mri_technologist", timestamp=T0 + 20)])
    assert [r["intent_name"] for r in written] == ["ask_overview", None]
    events.insert(url, written)
    assert [r[:3] for r in events.turn_rows(url, T0 + 20, T0 + 21)] == [("c", "user", "ask_overview"),
                                                                      ("c", "slot", None)]
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    save(copy, "seed", [])
    moved = events.copy_rows(url, ["a", "c"], earlier_by=7 * 86_400)
    assert all("id" not in row for row in moved)
    events.insert(copy, moved)
    assert events.user_events_by_sender(copy, "") == {"a": 2, "c": 1}
    week_earlier = events.turn_rows(copy, T0 - 7 * 86_400, T0 - 7 * 86_400 + 100)
    assert week_earlier and json.loads(week_earlier[0][4])["timestamp"] == T0 - 7 * 86_400
