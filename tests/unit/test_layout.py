"""The layout of ../shared/DESIGN.md, beyond what import-linter's contracts (pyproject.toml, `make lint`) hold:
a broken contract fails by its rule's name, only store/ names Rasa's `events` table, only schools/ parses the
schools file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("knowledge", "components", "actions", "schools", "store", "bot", "insights", "deploy", "harness", "bench",
         "scripts")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# What names the events table in code: SQL on it, or SQLAlchemy reflecting it.
EVENTS_TABLE = re.compile(r"""\b(?:FROM|INTO|UPDATE|JOIN)\s+events\b|Table\(\s*["']events["']""", re.IGNORECASE)
YAML_LOAD = re.compile(r"\byaml\.(?:safe_)?load\(")
SCHOOLS_FILE = re.compile(r"SCHOOLS_FILE|schools(?:\.example)?\.yml")


def room_files(excluded: str) -> List[Path]:
    """Every module of the rooms but one, so a rule "only X does this" can be checked on the others."""
    return [p for room in ROOMS if room != excluded for p in sorted((ROOT / room).rglob("*.py"))
            if not {"__pycache__", "tmp"} & set(p.relative_to(ROOT).parts)]


def contracts() -> str:
    """pyproject.toml's import-linter section, the contracts that `make lint` checks."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return text[text.index("[tool.importlinter]"):]


def test_the_contracts_are_kept_by_the_code_as_it_is() -> None:
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("room, imported, rule", [
    ("knowledge", "bot", "knowledge/ imports none of the other rooms"),
    ("actions", "insights", "actions/ import neither bot/ nor insights/"),
    ("bot", "actions", "bot/ never imports actions/"),
    ("store", "knowledge", "schools/ and store/ are foundations"),
    ("deploy", "harness", "what ships never imports the test harness or the benchmarks"),
])
def test_a_broken_rule_fails_by_its_name(tmp_path: Path, room: str, imported: str, rule: str) -> None:
    """The project's own contracts on a copy of the rooms' package markers, with one forbidden import added."""
    for name in ROOMS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / room / "breaks_the_rule.py").write_text(f"import {imported}\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(contracts(), encoding="utf-8")
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert rule in done.stdout and "BROKEN" in done.stdout
    assert f"{room}.breaks_the_rule -> {imported}" in done.stdout


def test_only_store_names_the_events_table() -> None:
    named = [str(p.relative_to(ROOT)) for p in room_files("store") if EVENTS_TABLE.search(p.read_text("utf-8"))]
    assert named == [], "ask store/events.py instead of naming Rasa's events table"


def test_the_rule_finds_a_query_on_the_events_table() -> None:
    assert EVENTS_TABLE.search("SELECT count(*) FROM events WHERE type_name = 'user'")
    assert EVENTS_TABLE.search('sa.Table("events", sa.MetaData(), autoload_with=engine)')
    assert not EVENTS_TABLE.search('{"events": [], "responses": []}')


def test_only_schools_parses_the_schools_file() -> None:
    parsing = [str(p.relative_to(ROOT)) for p in room_files("schools")
               if YAML_LOAD.search(text := p.read_text("utf-8")) and SCHOOLS_FILE.search(text)]
    assert parsing == [], "read the schools through schools/file.py"
