"""The one name resolver: which job a typed name means, and where job names hide in a message.

Both the knowledge base (for the actions) and the NLU component `OccupationEntities` ask it,
so "radiograhper" means the same job everywhere. It knows the group's aliases and those of the
jobs outside the group ("radiologist"), so a close misspelling of an outside job is never read
as the nearest title in the group.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

OCCUPATION = "occupation"
OTHER_JOB = "other_job"
CUTOFF = 0.85  # difflib ratio from which a typed name is the alias it resembles
MIN_FUZZY_LENGTH = 5  # shorter words ("ct", "mri", "scan") must be typed exactly
MAX_WINDOW = 4  # words in the longest alias worth searching for
WORD = re.compile(r"[\w]+(?:-[\w]+)*")
# Words that never begin or end a job name; they keep "a sonografer" from matching as a whole.
EDGE_WORDS = frozenset(
    "a an the and or of to in on for at is are do does what whats how much many who which about as be "
    "i im u you me my your they them their it its this that these those with from like so than then".split())


def key(text: str) -> str:
    """How a typed name is looked up among the aliases: lower case, single spaces, no underscores."""
    return " ".join(text.lower().replace("_", " ").split())[:128]


@dataclass(frozen=True)
class Found:
    """A job name found in a message by `Names.find`."""

    start: int
    end: int
    text: str
    kind: str  # OCCUPATION or OTHER_JOB
    id: str


class Names:
    """Aliases of the group's jobs and of the jobs outside it, exact and approximate."""

    def __init__(self, aliases: Dict[str, str], others: Dict[str, str], ids: Iterable[str] = (),
                 other_ids: Iterable[str] = (), cutoff: float = CUTOFF) -> None:
        self.aliases = {key(a): i for a, i in aliases.items()}
        self.others = {key(a): i for a, i in others.items()}
        self.ids = set(ids) | set(self.aliases.values())
        self.other_ids = set(other_ids) | set(self.others.values())
        self.cutoff = cutoff
        self._by_initial: Dict[str, List[str]] = {}
        for name in [*self.aliases, *self.others]:
            if len(name) >= MIN_FUZZY_LENGTH:
                self._by_initial.setdefault(name[0], []).append(name)

    def classify(self, text: object) -> Optional[Tuple[str, str]]:
        """(OCCUPATION or OTHER_JOB, id) for a typed name: an id, an alias, or a close misspelling."""
        if not isinstance(text, str):
            return None
        if text in self.ids:
            return OCCUPATION, text
        if text in self.other_ids:
            return OTHER_JOB, text
        typed = key(text)
        if not typed:
            return None
        if typed in self.aliases:
            return OCCUPATION, self.aliases[typed]
        if typed in self.others:
            return OTHER_JOB, self.others[typed]
        return self._close(typed)

    def resolve(self, text: object) -> Optional[str]:
        """The occupation id in the group that `text` names, or None (an outside job is None too)."""
        found = self.classify(text)
        return found[1] if found and found[0] == OCCUPATION else None

    def _close(self, typed: str) -> Optional[Tuple[str, str]]:
        """The alias `typed` misspells: same first letter, at least `cutoff` alike."""
        if len(typed) < MIN_FUZZY_LENGTH:
            return None
        candidates = [n for n in self._by_initial.get(typed[0], ())
                      if abs(len(n) - len(typed)) <= max(2, len(n) // 4)]
        close = difflib.get_close_matches(typed, candidates, n=1, cutoff=self.cutoff)
        if not close:
            return None
        name = close[0]
        return (OCCUPATION, self.aliases[name]) if name in self.aliases else (OTHER_JOB, self.others[name])

    def find(self, text: str, taken: Sequence[Tuple[int, int]] = ()) -> List[Found]:
        """Misspelt job names in free text, longest first, outside the `taken` (start, end) spans.

        Exact names are the entity ruler's; this finds what it cannot: "radiograhper",
        "nucular medcine techs".
        """
        words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
        busy = list(taken)
        found: List[Found] = []
        for size in range(min(MAX_WINDOW, len(words)), 0, -1):
            for first in range(len(words) - size + 1):
                window = words[first:first + size]
                if window[0][2] in EDGE_WORDS or window[-1][2] in EDGE_WORDS:
                    continue
                start, end = window[0][0], window[-1][1]
                if any(start < b and a < end for a, b in busy):
                    continue
                typed = " ".join(w[2] for w in window)
                job = self._close(typed) if typed not in self.aliases and typed not in self.others else None
                if job is not None:
                    found.append(Found(start, end, text[start:end], job[0], job[1]))
                    busy.append((start, end))
        return sorted(found, key=lambda f: f.start)
