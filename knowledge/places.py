"""Which place a question names, and whether the sources cover it (knowledge/places.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

PLACES = Path(__file__).with_name("places.yml")
KINDS = ("united_states", "pakistan", "us_states", "elsewhere")
MAX_TEXT = 2000  # a question longer than this is searched in its first part only
# Names in places.yml that are written in capitals ("the NHS", "the HCPC"), not as a name ("Toronto").
ACRONYMS = frozenset("uk us usa eu uae nhs hcpc ahpra camrt gcse gcses ucas nyc".split())


@dataclass(frozen=True)
class Place:
    """A place named in a message: its words as written, and its kind (one of KINDS)."""

    name: str
    kind: str

    def shown(self) -> str:
        """How a reply names the place the student typed: "the UK", "the NHS Band", "Toronto", "band 5"."""
        words = self.name.replace(".", "").lower().split()
        if words[0] in ("in", "euros"):  # "in pounds": a currency says where
            return "pay " + " ".join(words if words[0] == "in" else ["in", *words])
        if any(any(c.isdigit() for c in w) for w in words) or words[0] == "a-levels":
            return " ".join(words)
        shown = " ".join(w.upper() if w in ACRONYMS else w.capitalize() for w in words)
        return f"the {shown}" if words[0] in ACRONYMS else shown


@lru_cache(maxsize=1)
def _patterns() -> Tuple[Tuple[str, "re.Pattern[str]"], ...]:
    data: Dict[str, list] = yaml.safe_load(PLACES.read_text())
    unknown = set(data) - set(KINDS)
    if unknown:
        raise ValueError(f"places.yml: unknown kinds {sorted(unknown)}")
    patterns = []
    for kind in KINDS:
        names = sorted((str(n) for n in data.get(kind) or []), key=len, reverse=True)
        words = "|".join(re.escape(n) for n in names)
        patterns.append((kind, re.compile(rf"(?<![\w.])(?:{words})(?![\w])", re.IGNORECASE)))
    return tuple(patterns)


def named_place(text: object) -> Optional[Place]:
    """The first place the text names, US-wide names before parts of it; None if it names none.

    "us" on its own is an English word, so the list spells the country "the us", "usa" or "u.s.".
    """
    if not isinstance(text, str):
        return None
    found = []
    for kind, pattern in _patterns():
        match = pattern.search(text[:MAX_TEXT])
        if match is not None:
            found.append((match.start(), KINDS.index(kind), Place(match.group(0), kind)))
    outside_us = [f for f in found if f[2].kind in ("elsewhere", "pakistan", "us_states")]
    chosen = min(outside_us) if outside_us else (min(found) if found else None)
    return chosen[2] if chosen else None
