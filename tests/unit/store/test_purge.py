"""Retention: old conversations go whole, recent ones stay, through Rasa's own SQL tracker store."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from store.purge import main, purge

DAY = 86_400


async def store_conversation(store: SQLTrackerStore, sender: str, when: float) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("hi", timestamp=when))
    tracker.update(BotUttered("hello", timestamp=when + 1))
    await store.save(tracker)


async def test_purge_deletes_only_idle_conversations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), host=url)
    now = time.time()
    await store_conversation(store, "old", now - 40 * DAY)
    await store_conversation(store, "recent", now - 2 * DAY)
    await store_conversation(store, "active-long", now - 90 * DAY)
    await store.save(await _append(store, "active-long", now - 1 * DAY))
    assert purge(url, 30, now=now) == 1
    assert await store.retrieve("old") is None
    assert len((await store.retrieve("recent")).events) == 2
    assert len((await store.retrieve("active-long")).events) == 3


async def _append(store: SQLTrackerStore, sender: str, when: float) -> DialogueStateTracker:
    tracker = await store.retrieve(sender)
    tracker.update(UserUttered("still here", timestamp=when))
    return tracker


def test_purge_cli_on_an_empty_store(tmp_path: Path, capsys) -> None:
    assert main(["--days", "30", "--url", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    assert "no conversations stored" in capsys.readouterr().err


def test_purge_cli_deletes_and_says_how_many(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), host=url)
    asyncio.run(store_conversation(store, "old", time.time() - 40 * DAY))
    assert main(["--days", "30", "--url", url]) == 0
    assert f"deleted 1 conversation(s) idle for more than 30 days from {url}" in capsys.readouterr().out


def test_purge_cli_takes_the_store_s_url(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert main(["--days", "30"]) == 0 and "elsewhere.db" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--days", "-1"])
