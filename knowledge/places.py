"""Which place a question names, and whether the sources cover it (knowledge/places.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import yaml

from knowledge.language import folded
from knowledge.vocabulary import ENGLISH, LANGUAGES, translated

PLACES = Path(__file__).with_name("places.yml")
KINDS = ("united_states", "pakistan", "us_states", "elsewhere")
MAX_TEXT = 2000  # a question longer than this is searched in its first part only
# Names in places.yml that are written in capitals ("the NHS", "the HCPC"), not as a name ("Toronto").
ACRONYMS = frozenset("uk us usa eu uae nhs hcpc ahpra camrt gcse gcses ucas nyc".split())


@dataclass(frozen=True)
class Place:
    """A place named in a message: its words as written, its kind (one of KINDS), the reply's language, and the
    name places.yml lists it by ("méxico" typed, "mexico" listed)."""

    name: str
    kind: str
    language: str = ENGLISH
    listed: str = ""

    def shown(self) -> str:
        """How a reply names the place the student typed: "the UK", "the NHS Band", "Toronto", "band 5"
        (in Spanish, places.yml's `shown_es`: "el Reino Unido")."""
        if self.language != ENGLISH:
            return _shown(self.language).get(self.listed or " ".join(self.name.lower().split()), self.name)
        words = self.name.replace(".", "").lower().split()
        if words[0] in ("in", "euros"):  # "in pounds": a currency says where
            return "pay " + " ".join(words if words[0] == "in" else ["in", *words])
        if any(any(c.isdigit() for c in w) for w in words) or words[0] == "a-levels":
            return " ".join(words)
        shown = " ".join(w.upper() if w in ACRONYMS else w.capitalize() for w in words)
        return f"the {shown}" if words[0] in ACRONYMS else shown


def _read(path: Path = PLACES) -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(KINDS) - {translated("shown", language) for language in LANGUAGES[1:]}
    if unknown:
        raise ValueError(f"places.yml: unknown kinds {sorted(unknown)}")
    return data


def listed_names(path: Path = PLACES) -> Dict[str, str]:
    """Every listed place name (lower case, as matched) with its kind, for the checks that go through them all."""
    data = _read(path)
    return {str(n).lower(): kind for kind in KINDS for n in data.get(kind) or []}


def shown_names(language: str, path: Path = PLACES) -> Dict[str, str]:
    """places.yml's map from a listed name to how a reply in `language` names it (English has none: shown())."""
    shown = _read(path).get(translated("shown", language)) or {}
    if not isinstance(shown, dict):
        raise ValueError(f"places.yml: `{translated('shown', language)}` maps each name to its shown form")
    return {" ".join(str(n).lower().split()): str(s) for n, s in shown.items()}


def check(path: Path = PLACES) -> None:
    """Every listed name has its Spanish shown form and every shown form a listed name, and no two listed names are
    typed alike (the build runs it)."""
    listed = listed_names(path)
    typed: Dict[str, str] = {}
    for name in listed:
        for variant in spellings(name):
            if typed.setdefault(variant, name) != name:
                raise ValueError(f"places.yml: `{name}` and `{typed[variant]}` are both typed `{variant}`")
    for language in LANGUAGES[1:]:
        shown = shown_names(language, path)
        key = translated("shown", language)
        missing = sorted(set(listed) - set(shown))
        if missing:
            raise ValueError(f"places.yml: no `{key}` for {', '.join(missing)}")
        extra = sorted(set(shown) - set(listed))
        if extra:
            raise ValueError(f"places.yml: `{key}` names places that no list has: {', '.join(extra)}")
        empty = sorted(n for n, s in shown.items() if not s.strip())
        if empty:
            raise ValueError(f"places.yml: an empty `{key}` for {', '.join(empty)}")


@lru_cache(maxsize=None)
def _shown(language: str) -> Dict[str, str]:
    return shown_names(language)


def spellings(name: str) -> Tuple[str, ...]:
    """How a listed name may be typed, folded as a message is: without accents, and with n for ñ ("españa": espana)."""
    plain = " ".join(folded(name).split())
    return tuple(dict.fromkeys([plain, plain.replace("ñ", "n")]))


@lru_cache(maxsize=1)
def _patterns() -> Tuple[Tuple[str, "re.Pattern[str]", Dict[str, str]], ...]:
    data = _read()
    patterns = []
    for kind in KINDS:
        listed = {variant: str(n).lower() for n in data.get(kind) or [] for variant in spellings(str(n))}
        words = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(listed, key=len, reverse=True))
        patterns.append((kind, re.compile(rf"(?<![\w.])(?:{words})(?![\w])"), listed))
    return tuple(patterns)


def named_place(text: object, language: str = ENGLISH) -> Optional[Place]:
    """The first place the text names, US-wide names before parts of it; None if it names none.

    "us" on its own is an English word, so the list spells the country "the us", "usa" or "u.s.". The text is
    folded (knowledge/language.py) before it is read, so "Bogotá", "bogota" and "BOGOTA" are one place.
    `language` is the language its shown() answers in.
    """
    if not isinstance(text, str):
        return None
    plain = folded(text[:MAX_TEXT])
    found = []
    for kind, pattern, listed in _patterns():
        match = pattern.search(plain)
        if match is not None:
            written = text[match.start():match.end()]
            name = listed.get(" ".join(match.group(0).split()), "")
            found.append((match.start(), KINDS.index(kind), Place(written, kind, language, name)))
    outside_us = [f for f in found if f[2].kind in ("elsewhere", "pakistan", "us_states")]
    chosen = min(outside_us) if outside_us else (min(found) if found else None)
    return chosen[2] if chosen else None
