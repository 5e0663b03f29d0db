"""Faults injected into the real servers: what the student sees, and what survives."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bot.input import STORE_REPLY, TROUBLE_REPLY
from harness.servers import PROJECT_DIR, Servers, free_port
from store.events import count_events

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    # A short action timeout, so a frozen action server is noticed quickly.
    servers = Servers(tmp_path_factory.mktemp("faults"), free_port(), free_port(), {"ACTION_TIMEOUT_SECONDS": "3"})
    servers.start_actions()
    servers.start_rasa()
    try:
        yield servers
    finally:
        for process in (servers.actions, servers.rasa):
            if process is not None and process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
        servers.stop_all()


def student() -> str:
    return f"fault-{uuid.uuid4().hex[:8]}"


def test_action_server_down_gives_a_polite_reply_then_recovers(stack: Servers) -> None:
    who = student()
    stack.stop(stack.actions)
    start = time.monotonic()
    assert stack.say(who, "what does a sonographer do") == TROUBLE_REPLY
    assert time.monotonic() - start < 10
    stack.start_actions()
    assert "$65,860" in stack.say(who, "how much do they earn")  # the occupation survived the failed turn


def test_action_server_timeout_gives_a_polite_reply_then_recovers(stack: Servers) -> None:
    who = student()
    assert stack.actions is not None
    os.kill(stack.actions.pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        assert stack.say(who, "what does a nuclear medicine technologist do") == TROUBLE_REPLY
        assert time.monotonic() - start < 15
    finally:
        os.kill(stack.actions.pid, signal.SIGCONT)
    assert "some states" in stack.say(who, "do they need a license")


def test_rasa_restart_keeps_slots_and_history(stack: Servers) -> None:
    who = student()
    assert "gel" in stack.say(who, "what does a sonographer do")
    stack.stop(stack.rasa)
    stack.start_rasa()
    assert "only a few states" in stack.say(who, "do they need a licence?")
    assert count_events(stack.tracker_url, who, "user") == 2


def test_locked_tracker_database_gives_a_polite_reply_and_saves_nothing_half_done(stack: Servers) -> None:
    """A turn that cannot be saved is not answered as if it were; the log says why; the next turn works."""
    who = student()
    lock = sqlite3.connect(stack.workdir / "tracker.db", isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        response = requests.post(f"{stack.url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": who, "message": "what does an x-ray tech do"})
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert response.status_code == 503 and [m["text"] for m in response.json()] == [STORE_REPLY]
    log = (stack.workdir / "rasa.log").read_text(errors="replace")
    assert "Cannot reach the conversation database" in log and "database is locked" in log
    assert "x-ray tech do" not in log  # the driver's reason is logged, never the SQL parameters
    assert "most states" in stack.say(who, "do x-ray techs need a license")
    assert count_events(stack.tracker_url, who, "user") == 1  # only the turn that was answered


def test_unreachable_tracker_database_at_start_up(stack: Servers, tmp_path: Path) -> None:
    """Rasa's own store would wait forever; ours starts, says so once, answers politely, and recovers."""
    missing = tmp_path / "not-yet" / "tracker.db"
    second = Servers(tmp_path, free_port(), stack.action_port,
                     {"TRACKER_STORE_URL": f"sqlite:///{missing}", "TRACKER_STORE_CONNECT_ATTEMPTS": "2",
                      "TRACKER_STORE_RETRY_SECONDS": "1"})
    try:
        second.start_rasa()
        log = (tmp_path / "rasa.log").read_text(errors="replace")
        assert log.count("Cannot reach the conversation database") == 1 and "TRACKER_STORE_URL" in log
        assert "Traceback" not in log
        who = student()
        response = requests.post(f"{second.url}/webhooks/rest/webhook", json={"sender": who, "message": "hi"},
                                 timeout=60)
        assert response.status_code == 503 and response.json()[0]["text"] == STORE_REPLY
        missing.parent.mkdir()  # the database is back: no restart needed
        assert "gel" in second.say(who, "what does a sonographer do")
        assert count_events(second.tracker_url, who) > 0
    finally:
        second.stop(second.rasa)


@pytest.mark.parametrize("content", [None, b"not a database at all" * 50])
def test_missing_or_corrupt_knowledge_base_stops_the_action_server_at_start(tmp_path: Path,
                                                                            content: bytes | None) -> None:
    path = tmp_path / "knowledge.db"
    if content is not None:
        path.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "actions", "--port", str(free_port())], cwd=PROJECT_DIR,
                            env={**os.environ, "KNOWLEDGE_DB_URL": f"sqlite:///{path}"}, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert str(path) in result.stderr or f"sqlite:///{path}" in result.stderr
    assert "make kb" in result.stderr and "Traceback" not in result.stderr
