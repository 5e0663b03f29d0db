"""Fixtures: a knowledge base built from the real YAML, small trackers, a dispatcher."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import requests
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from bench.servers import free_port
from knowledge.build import build_database, load
from knowledge.query import KnowledgeBase

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh knowledge base built from the project's own knowledge/*.yml."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'knowledge.db'}"
    build_database(load(), url)
    return url


@pytest.fixture()
def kb(kb_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[KnowledgeBase]:
    """The knowledge base the actions use, pointed at the freshly built file."""
    monkeypatch.setenv("KNOWLEDGE_DB_URL", kb_url)
    context.reset_knowledge_base()
    yield context.knowledge_base()
    context.reset_knowledge_base()


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
    return Tracker.from_dict({
        "sender_id": "test",
        "slots": {"occupation": None, "topic": None, "sources_shown": None, **(slots or {})},
        "latest_message": message,
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def occupation(value: str, text: Optional[str] = None) -> Dict[str, Any]:
    return {"entity": "occupation", "value": value, "text": text or value}


async def run_action(action: Action, tracker: Tracker) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """Run an action; return what it said and the slots it set."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


# --- The real servers, started once per test session by scripts/serve.sh -----------------------

class Assistant:
    """A running pair of servers and a REST client for them."""

    def __init__(self, url: str, tracker_db: Path, page_port: int, logs: Path) -> None:
        self.url = url
        self.tracker_db = tracker_db
        self.page_port = page_port  # a second origin, on the CORS allow-list, for host pages
        self.logs = logs

    def say(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def text(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("servers")
    rasa_port, action_port, page_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "LOG_DIR": str(tmp / "logs"),
        "CORS_ORIGINS": f"http://127.0.0.1:{rasa_port} http://127.0.0.1:{page_port}",
        "SCHOOL_NAME": "Hillside High",
        "COUNSELLOR_NAME": "Ms Ada Park",
        "COUNSELLOR_EMAIL": "ada.park@hillside.example",
    }
    process = subprocess.Popen([str(PROJECT_DIR / "scripts" / "serve.sh")], cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    output: List[str] = []
    deadline = time.monotonic() + 400
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if "The assistant is ready" in line:
            break
        if time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("The assistant is ready" in line for line in output):
        stop(process)
        pytest.fail("servers did not start:\n" + "".join(output))
    try:
        yield Assistant(f"http://127.0.0.1:{rasa_port}", tmp / "tracker.db", page_port, tmp / "logs")
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person would; the script stops both servers."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
