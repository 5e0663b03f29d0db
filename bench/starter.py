"""Rasa's own starter bot (`rasa init`), run beside the assistant as the benchmark's reference.

A bot with nothing of ours in it, trained and served by the same Rasa on the same machine in the
same run: dividing by its figures cancels most of what a shared machine adds to absolute times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from deploy.command import rasa_run
from harness.servers import BIN, Servers, free_port, rss_mb, wait_until

PLAIN = "plain response"
# The starter bot's own intents and responses (its domain.yml): every turn is a plain response.
STARTER_CONVERSATION: List[Tuple[str, str, str]] = [
    ("hello", PLAIN, "Hey! How are you?"),
    ("I am great", PLAIN, "Great, carry on!"),
    ("are you a bot?", PLAIN, "I am a bot, powered by Rasa."),
    ("bye", PLAIN, "Bye"),
]
READY = "Rasa server is up and running"


class StarterBot:
    """The starter bot in a temporary folder: trained by `rasa init`, served by `rasa run` on loopback."""

    def __init__(self, logdir: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-starter-"))
        self.log = logdir / "starter.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env: Dict[str, str] = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_CACHE_DIRECTORY": str(self.dir / ".rasa" / "cache"),  # empty: the training is cold
        }
        self.process: Optional[subprocess.Popen] = None

    def train(self, timeout: float = 900) -> float:
        """Seconds `rasa init --no-prompt` takes to scaffold and train the starter bot from nothing."""
        start = time.perf_counter()
        with open(self.log, "ab") as out:
            subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(self.dir)], cwd=self.dir,
                           env=self.env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=timeout)
        return time.perf_counter() - start

    def model(self) -> Path:
        """The one model `rasa init` trained."""
        models = sorted((self.dir / "models").glob("*.tar.gz"))
        if len(models) != 1:
            raise RuntimeError(f"expected one starter model, found {len(models)}")
        return models[0]

    def start(self, timeout: float = 300) -> float:
        """Seconds until the server answers and its log says it is up: the same test as the assistant's."""
        ready_before = self._ready_count()
        start = time.monotonic()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                rasa_run(model=str(self.model()), endpoints="endpoints.yml", interface="127.0.0.1", port=self.port,
                         rasa=str(BIN / "rasa")),
                cwd=self.dir, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until(f"{self.url}/", self.process, timeout)
        while self._ready_count() <= ready_before:
            if self.process.poll() is not None or time.monotonic() - start > timeout:
                raise RuntimeError("the starter bot's Rasa server did not log that it is up")
            time.sleep(0.1)
        return time.monotonic() - start

    def memory_mb(self) -> float:
        """Resident memory of the starter bot's Rasa server (and any children)."""
        assert self.process is not None
        return rss_mb(self.process.pid)

    def close(self) -> None:
        """Stop the server and remove the folder; safe to call at any stage."""
        Servers.stop(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _ready_count(self) -> int:
        """How often the log says the server is up: a restart must add one more."""
        try:
            return self.log.read_text(errors="replace").count(READY)
        except OSError:
            return 0
