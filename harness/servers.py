"""Start, stop and measure an action server and a Rasa server as separate processes.

Shared by the fault tests (which stop one server at a time) and the benchmark (which
measures start-up time and memory of each).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

from deploy.command import actions_run, rasa_run
from harness.cluster import free_port  # noqa: F401  (the tests' and benchmarks' free ports)

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = PROJECT_DIR / ".venv" / "bin"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def children(pid: int) -> List[int]:
    """Every descendant of a process, so that rss_mb counts the workers a server forks too."""
    found: List[int] = []
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            found += [int(child), *children(int(child))]
    except OSError:
        pass
    return found


def wait_until(url: str, process: subprocess.Popen, timeout: float = 300) -> float:
    """Seconds until `url` answers; fails if the process exits first."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def _count_ready(log: Path) -> int:
    try:
        return log.read_text(errors="replace").count("Rasa server is up and running")
    except OSError:
        return 0


class Redis:
    """A throw-away redis-server on a free port, nothing written to disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def env(self) -> Dict[str, str]:
        """What endpoints.redis.yml and the shared rate limit read."""
        return {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port), "REDIS_PASSWORD": "", "REDIS_URL": self.url}

    def stop(self) -> None:
        """Stop the throw-away server, so that no test leaves a redis-server behind."""
        self.process.terminate()
        self.process.wait(timeout=10)


class Servers:
    """The two servers on free ports, logging into `workdir`."""

    def __init__(self, workdir: Path, rasa_port: int, action_port: int,
                 extra_env: Optional[Dict[str, str]] = None) -> None:
        self.workdir = workdir
        self.rasa_port, self.action_port = rasa_port, action_port
        self.url = f"http://127.0.0.1:{rasa_port}"
        self.env: Dict[str, str] = {
            **os.environ,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "SANIC_HOST": "127.0.0.1",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            **(extra_env or {}),
        }
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None

    @property
    def tracker_url(self) -> str:
        """The conversation store's URL these servers were given, for store/events.py's readers."""
        return self.env["TRACKER_STORE_URL"]

    def _start(self, args: List[str], log: str) -> subprocess.Popen:
        with open(self.workdir / log, "ab") as out:
            return subprocess.Popen(args, cwd=PROJECT_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def start_actions(self) -> float:
        """Seconds until the action server answers: what the benchmark reports and the tests wait for."""
        self.actions = self._start(actions_run(port=self.action_port, python=str(BIN / "python")), "actions.log")
        return wait_until(f"http://127.0.0.1:{self.action_port}/health", self.actions)

    def start_rasa(self, endpoints: str = "endpoints.yml", workers: int = 1) -> float:
        """Seconds until every one of `workers` processes has loaded the model and serves."""
        log = self.workdir / "rasa.log"
        ready_before = _count_ready(log)
        self.rasa = self._start(rasa_run(model="models/current.tar.gz", endpoints=endpoints, interface="127.0.0.1",
                                         port=self.rasa_port, rasa=str(BIN / "rasa")), "rasa.log")
        seconds = wait_until(f"{self.url}/", self.rasa)
        while _count_ready(log) - ready_before < workers:
            if self.rasa.poll() is not None or seconds > 300:
                raise RuntimeError(f"only {_count_ready(log) - ready_before} of {workers} Rasa workers started")
            time.sleep(0.5)
            seconds += 0.5
        return seconds

    @staticmethod
    def stop(process: Optional[subprocess.Popen]) -> None:
        """Terminate one server, killing it after 30 s, so a fault test can take it away and go on."""
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def stop_all(self) -> None:
        """Stop the Rasa server first, then the action server, so that no process outlives a test."""
        self.stop(self.rasa)
        self.stop(self.actions)

    def say(self, sender: str, text: str) -> str:
        """The reply's text; 429 (rate limit) and 503 (tracker store down) carry a polite reply too."""
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 timeout=60)
        if response.status_code not in (429, 503):
            response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())
