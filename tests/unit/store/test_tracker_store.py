"""The guarded tracker store, on real SQLite files: Rasa's store, but failing briefly and loudly."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from store.tracker_store import GuardedSQLTrackerStore, TrackerStoreUnavailable


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORE_CONNECT_ATTEMPTS", "2")
    monkeypatch.setenv("TRACKER_STORE_RETRY_SECONDS", "0")
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)


def conversation(sender: str, text: str = "what does a sonographer do") -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered(text, timestamp=1.0))
    tracker.update(BotUttered("They use sound waves.", timestamp=2.0))
    return tracker


async def test_it_keeps_conversations_as_rasa_s_store_does(tmp_path: Path) -> None:
    store = GuardedSQLTrackerStore(Domain.empty(), host=f"sqlite:///{tmp_path / 'tracker.db'}")
    await store.save(conversation("s1"))
    found = await store.retrieve("s1")
    assert found is not None and [e.type_name for e in found.events][-2:] == ["user", "bot"]
    assert await store.retrieve("nobody") is None
    assert list(await store.keys()) == ["s1"]
    assert (await store.retrieve_full_tracker("s1")) is not None
    # A write-ahead log, so that two server processes can share the file.
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_url_comes_from_the_setting_or_the_one_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").mkdir()
    assert GuardedSQLTrackerStore(Domain.empty()).where == "sqlite:///build/tracker.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'set.db'}")
    assert GuardedSQLTrackerStore(Domain.empty()).where.endswith("set.db")
    with pytest.raises(ValueError, match="SQLAlchemy URL"):
        GuardedSQLTrackerStore(Domain.empty(), host="localhost")


async def test_an_unreachable_database_starts_logs_once_and_recovers(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "not-yet" / "tracker.db"
    with caplog.at_level(logging.ERROR, logger="store.tracker_store"):
        store = GuardedSQLTrackerStore(Domain.empty(), host=f"sqlite:///{missing}")  # starts anyway
        for _ in range(3):
            with pytest.raises(TrackerStoreUnavailable):
                await store.retrieve("s1")
            with pytest.raises(TrackerStoreUnavailable):
                await store.save(conversation("s1"))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "Cannot reach the conversation database" in errors[0]
    missing.parent.mkdir()  # the database is back: no restart
    await store.save(conversation("s1"))
    assert await store.retrieve("s1") is not None


async def test_a_failure_mid_turn_passes_every_except_exception(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """Rasa's fail-safe wrapper catches Exception and would carry on with an empty conversation."""
    assert not issubclass(TrackerStoreUnavailable, Exception)
    path = tmp_path / "tracker.db"
    store = GuardedSQLTrackerStore(Domain.empty(), host=f"sqlite:///{path}")
    await store.save(conversation("s1"))
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE events")  # the database answers, but the turn cannot be read
    with caplog.at_level(logging.ERROR, logger="store.tracker_store"):
        with pytest.raises(TrackerStoreUnavailable):
            await store.save(conversation("s1", "my email is jo@school.example"))
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Cannot reach the conversation database" in logged
    assert "jo@school.example" not in logged  # the driver's reason only, never the SQL parameters
