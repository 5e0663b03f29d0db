"""The one default URL of the conversations, and TRACKER_STORE_URL over it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from store.url import DEFAULT_URL, tracker_url

ROOT = Path(__file__).resolve().parents[3]


def test_the_setting_wins_and_an_empty_one_is_unset() -> None:
    assert tracker_url({"TRACKER_STORE_URL": "postgresql://rasa@db/rasa"}) == "postgresql://rasa@db/rasa"
    assert tracker_url({"TRACKER_STORE_URL": ""}) == DEFAULT_URL
    assert tracker_url({}) == DEFAULT_URL == "sqlite:///build/tracker.db"


def test_the_default_is_typed_here_only() -> None:
    """Every other starter asks store/url.py (scripts/serve.sh runs `python -m store.url`)."""
    typed = [str(p.relative_to(ROOT)) for folder in ("actions", "bot", "deploy", "harness", "insights", "schools",
                                                      "scripts", "store", "bench")
             for p in sorted((ROOT / folder).rglob("*")) if p.suffix in (".py", ".sh") and DEFAULT_URL in p.read_text()]
    assert typed == ["store/url.py"]


def test_the_command_prints_what_serve_sh_exports() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_STORE_URL"}
    done = subprocess.run([sys.executable, "-m", "store.url"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout == DEFAULT_URL + "\n"
    done = subprocess.run([sys.executable, "-m", "store.url"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**env, "TRACKER_STORE_URL": "sqlite:////tmp/x.db"})
    assert done.stdout == "sqlite:////tmp/x.db\n"
