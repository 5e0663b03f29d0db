"""The commit and date a figure was measured on, so that no figure in docs/ outlives its code unnoticed."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path
from typing import Any, Dict

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUTPUTS = (":!docs",)  # what the measurements write besides build/: not a change of the code measured


def _git(*args: str) -> str:
    """Git's answer, or '' where there is no git."""
    try:
        return subprocess.run(["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=30,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def provenance() -> Dict[str, Any]:
    """Commit, uncommitted changes and time of a measurement, so no published figure loses its code."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return {"commit": _git("rev-parse", "--short", "HEAD") or "unknown",
            "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no", "--", ".", *OUTPUTS)),
            "date_utc": now.strftime("%Y-%m-%d"), "measured_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ")}


def measured_at() -> str:
    """ "commit 1a2b3c4, 2026-11-30", noting uncommitted changes to anything but the outputs."""
    found = provenance()
    dirty = " (with uncommitted changes)" if found["uncommitted_changes"] else ""
    return f"commit {found['commit']}{dirty}, {found['date_utc']}"


def publish(found: Dict[str, Any], results: Path, docs: Path, text: str) -> None:
    """A benchmark's figures as JSON (build/) and as the document (docs/), which is also printed."""
    import json

    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    docs.write_text(text, encoding="utf-8")
    print(text)
