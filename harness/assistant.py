"""The assistant as a student meets it: both servers started by scripts/serve.sh, and a REST client."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests

from harness.servers import PROJECT_DIR, free_port


class AssistantDidNotStart(RuntimeError):
    """scripts/serve.sh exited, or did not say it was ready in time; the message holds its output."""


class Assistant:
    """A running pair of servers and a REST client for them."""

    def __init__(self, url: str, tracker_db: Path, page_port: int, logs: Path,
                 process: Optional[subprocess.Popen] = None, output: Optional[List[str]] = None) -> None:
        self.url = url
        self.tracker_db = tracker_db
        self.page_port = page_port  # a second origin, on the CORS allow-list, for host pages
        self.logs = logs
        self.process = process  # scripts/serve.sh (the supervisor, deploy/run_local.py, once it execs)
        self.output = output if output is not None else []  # what it printed so far, still growing

    @property
    def tracker_url(self) -> str:
        """The conversation store's URL, for store/events.py's readers."""
        return f"sqlite:///{self.tracker_db}"

    def say(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None,
            origin: Optional[str] = None) -> List[Dict[str, Any]]:
        """POST to the REST channel; `origin` is the Origin header a browser would send from the page."""
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        headers = {"Origin": origin} if origin else {}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=30, headers=headers)
        response.raise_for_status()
        return response.json()

    def text(self, sender: str, text: str) -> str:
        """The replies joined into one string, for tests that only look for words in them."""
        return "\n".join(m.get("text", "") for m in self.say(sender, text))


@contextlib.contextmanager
def start_assistant(tmp: Path, extra_env: Optional[Dict[str, str]] = None,
                    timeout: float = 400) -> Iterator[Assistant]:
    """Start scripts/serve.sh on free ports, its tracker store and logs in `tmp`; stop it on leaving.

    Raises AssistantDidNotStart if the servers do not say they are ready within `timeout` seconds.
    """
    rasa_port, action_port, page_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "LOG_DIR": str(tmp / "logs"),
        "CORS_ORIGINS": f"http://127.0.0.1:{rasa_port} http://127.0.0.1:{page_port}",
        # Every simulated student comes from 127.0.0.1, and a test session starts far more than an hour's
        # 300 conversations of one address; tests/unit and tests/cluster count that budget.
        "RATE_LIMIT_CONVERSATIONS_PER_IP": "100000",
        **(extra_env or {}),
    }
    process = subprocess.Popen([str(PROJECT_DIR / "scripts" / "serve.sh")], cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    output: List[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if "The assistant is ready" in line:
            break
        if time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("The assistant is ready" in line for line in output):
        stop(process)
        raise AssistantDidNotStart("servers did not start:\n" + "".join(output))
    # Keep reading what it prints after "ready" (the supervisor's restart lines), so it never blocks on a full pipe.
    threading.Thread(target=_keep_reading, args=(process, output), daemon=True).start()
    try:
        yield Assistant(f"http://127.0.0.1:{rasa_port}", tmp / "tracker.db", page_port, tmp / "logs", process, output)
    finally:
        stop(process)


def _keep_reading(process: subprocess.Popen, output: List[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person would; the script stops both servers."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
