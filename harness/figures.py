"""Figures that a test measured on the real servers, kept for the documentation.

A test calls `record(name, data)`; the file goes to $FIGURES_DIR (default build/reliability-figures),
never into docs/: `make reliability` runs those tests with FIGURES_DIR set and writes the figures
into docs/reliability.md, with the commit and the date.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

from harness.servers import PROJECT_DIR


def folder() -> Path:
    """Where figures go: $FIGURES_DIR for `make reliability`, else build/, so tests never write docs/."""
    return Path(os.environ.get("FIGURES_DIR") or PROJECT_DIR / "build" / "reliability-figures")


def record(name: str, data: Dict[str, Any]) -> None:
    """Keep one test's figures as JSON, for `make reliability` to put in docs/reliability.md."""
    path = folder()
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def load_all(path: Path) -> Dict[str, Dict[str, Any]]:
    """Every recorded figure file by name, as `make reliability` reads them back."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(path.glob("*.json"))}
