"""Is the held-out data really held out? Find held-out texts that copy a training text.

A held-out text copies a training text when, after normalising both (lower case, entity
annotations and punctuation removed, single spaces), they are the same, or at least 0.85
alike (difflib's ratio), or they are the same sentence with another job name (every job
name, annotated or known to the knowledge base, replaced by one placeholder, then the same
0.85 test). `tests/unit/harness/test_heldout_is_clean.py` fails on any copy; run this module to list them:

    python -m harness.heldout                  # every copied held-out text and the rule it breaks
    python -m harness.heldout --show-training  # and the training text it copies (not for held-out writers)
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

import numpy as np
import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
TRAINING_FIRST = PROJECT_DIR / "data" / "nlu.yml"  # the first topic; Rasa reads it before data/nlu/
TRAINING_DIR = PROJECT_DIR / "data" / "nlu"  # the other topics, a file each, read in path order as Rasa reads them
# (the Spanish examples are in its folder es/)
HELD_OUT_NLU = PROJECT_DIR / "tests" / "nlu_holdout.yml"
HELD_OUT_CONVERSATIONS = PROJECT_DIR / "tests" / "test_conversations_holdout.yml"
# The sealed test set (harness/sealed.py): its texts are checked too, but a copy is named by its place only.
SEALED_MESSAGES = PROJECT_DIR / "tests" / "sealed" / "messages.yml"
SEALED_CONVERSATIONS = PROJECT_DIR / "tests" / "sealed" / "conversations.yml"
SEALED = "sealed"
# The second development set (tests/development/): written blind like the sealed set, in its format; read freely.
DEVELOPMENT_MESSAGES = PROJECT_DIR / "tests" / "development" / "messages.yml"
DEVELOPMENT_CONVERSATIONS = PROJECT_DIR / "tests" / "development" / "conversations.yml"
# The third development set (tests/development_names/): how messages name the whole group, one job, or a job
# just outside the field.
NAMES = PROJECT_DIR / "tests" / "development_names"
# The fourth (tests/development_students/): everyday questions of students, parents and career changers.
STUDENTS = PROJECT_DIR / "tests" / "development_students"
DISCOVERY_MESSAGES = PROJECT_DIR / "tests" / "discovery" / "messages.yml"
DISCOVERY_CONVERSATIONS = PROJECT_DIR / "tests" / "discovery" / "conversations.yml"
SEALED_DISCOVERY = PROJECT_DIR / "tests" / "discovery_sealed"
# The Spanish sets (tests/spanish/): a development set, read freely, and a sealed one, never shown.
SPANISH = PROJECT_DIR / "tests" / "spanish"
SIMILARITY = 0.85
JOB = "#"  # what every job name becomes, so that "what does a [x] do" matches "what does a [y] do"

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
PUNCTUATION = re.compile(r"[^\w\s#]+")


@dataclass(frozen=True)
class Text:
    """One example, with the forms the rules compare."""

    raw: str
    where: str
    plain: str  # normalised
    template: str  # normalised, job names replaced


@dataclass(frozen=True)
class Copy:
    held_out: Text
    training: Text
    rule: str  # "same text", "0.85 alike", "same sentence with another job name"
    ratio: float


def _normalise(text: str) -> str:
    text = text.lower().replace("_", " ").replace("'", "").replace("\u2019", "")  # what's -> whats
    return " ".join(PUNCTUATION.sub(" ", text).split())


@lru_cache(maxsize=1)
def _job_names() -> "re.Pattern[str]":
    """Every alias of the group and of the jobs outside it, longest first, as whole words."""
    from knowledge.build import load

    knowledge = load()
    names = {*knowledge.aliases, *knowledge.generated, *knowledge.other_aliases}
    words = sorted({_normalise(n) for n in names if _normalise(n)}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


def make_text(raw: str, where: str) -> Text:
    """Normalise a text once into the forms that every rule compares."""
    plain = _normalise(ANNOTATION.sub(r"\1", raw))
    template = _normalise(ANNOTATION.sub(f" {JOB} ", raw))
    template = " ".join(_job_names().sub(JOB, template).split())
    return Text(raw=raw, where=where, plain=plain, template=template)


def nlu_texts(path: Path) -> List[Text]:
    """The examples of a Rasa NLU YAML file, with their intent in `where`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: List[Text] = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.append(make_text(line[2:].strip(), f"{path.name}: {block['intent']}"))
    return found


def conversation_texts(path: Path) -> List[Text]:
    """The user messages of a Rasa stories file, with their story's name in `where`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: List[Text] = []
    for story in data.get("stories") or []:
        for step in story.get("steps") or []:
            if "user" in step:
                found.append(make_text(str(step["user"]).strip(), f"{path.name}: {story.get('story')}"))
    return found


def set_texts(messages: Path, conversations: Path, name: str) -> List[Text]:
    """The messages and conversation turns of a set in the sealed set's format; `where` names the item."""
    found: List[Text] = []
    if messages.exists():
        for index, item in enumerate(yaml.safe_load(messages.read_text(encoding="utf-8"))["messages"]):
            found.append(make_text(str(item["text"]), f"{name} message {index + 1}"))
    if conversations.exists():
        data = yaml.safe_load(conversations.read_text(encoding="utf-8"))["conversations"]
        for number, conversation in enumerate(data):
            for index, item in enumerate(conversation["turns"]):
                found.append(make_text(str(item["text"]), f"{name} conversation {number + 1} turn {index + 1}"))
    return found


def sealed_texts() -> List[Text]:
    """The sealed set's messages and conversation turns; `where` says which item, never its text."""
    return set_texts(SEALED_MESSAGES, SEALED_CONVERSATIONS, SEALED)


def development_texts() -> List[Text]:
    """The second development set's messages and turns."""
    return set_texts(DEVELOPMENT_MESSAGES, DEVELOPMENT_CONVERSATIONS, "development")


def names_texts() -> List[Text]:
    """The third development set's messages and turns (tests/development_names/)."""
    return set_texts(NAMES / "messages.yml", NAMES / "conversations.yml", "names")


def students_texts() -> List[Text]:
    """The fourth development set's messages and turns (tests/development_students/): everyday questions."""
    return set_texts(STUDENTS / "messages.yml", STUDENTS / "conversations.yml", "students")


def discovery_texts() -> List[Text]:
    """The discovery development set's messages and turns (tests/discovery/)."""
    return set_texts(DISCOVERY_MESSAGES, DISCOVERY_CONVERSATIONS, "discovery")


def sealed_discovery_texts() -> List[Text]:
    """The sealed discovery set's (tests/discovery_sealed/); `where` begins "sealed", so its texts are never shown."""
    return set_texts(SEALED_DISCOVERY / "messages.yml", SEALED_DISCOVERY / "conversations.yml", f"{SEALED} discovery")


@lru_cache(maxsize=None)
def _matcher(b: str) -> difflib.SequenceMatcher:
    """One matcher per training text: difflib indexes its second sequence, so that work is done once."""
    return difflib.SequenceMatcher(None, "", b, autojunk=False)


def _ratio(a: str, b: str) -> float:
    matcher = _matcher(b)
    matcher.set_seq1(a)
    if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
        return 0.0
    return matcher.ratio()


class TrainingIndex:
    """The training texts as character counts, so each held-out text is compared by difflib only with the
    training texts that can be SIMILARITY alike to it. difflib's ratio is never above its quick_ratio, which
    is 2 * (the characters both texts share, as multisets) / (both lengths); numpy computes that bound against
    every training text at once, and the survivors are checked in training order, so the first copy found is
    the same as a full scan's."""

    def __init__(self, training: Sequence[Text]) -> None:
        self.training = list(training)
        self.exact: dict = {}
        for text in self.training:
            self.exact.setdefault(text.plain, text)
        self.columns: dict = {}
        for text in self.training:
            for char in text.plain + text.template:
                self.columns.setdefault(char, len(self.columns))
        self.plain = self._counts([(i, t.plain) for i, t in enumerate(self.training)])
        self.template = self._counts([(i, t.template) for i, t in enumerate(self.training) if JOB in t.template])

    def _vector(self, text: str) -> "np.ndarray":
        """A text's character counts; characters no training text has share the last column (a looser bound)."""
        vector = np.zeros(len(self.columns) + 1, dtype=np.int32)
        for char in text:
            vector[self.columns.get(char, len(self.columns))] += 1
        return vector

    def _counts(self, texts: List[tuple]) -> tuple:
        """Training indices, their texts, lengths and character counts, for one of the two forms."""
        rows = np.array([self._vector(t) for _, t in texts]).reshape(len(texts), len(self.columns) + 1)
        return [i for i, _ in texts], [t for _, t in texts], np.array([len(t) for _, t in texts]), rows

    def near(self, form: tuple, text: str) -> List[Text]:
        """The training texts whose quick_ratio with `text` reaches SIMILARITY, in training order."""
        indices, _, lengths, rows = form
        if not indices:
            return []
        shared = np.minimum(rows, self._vector(text)).sum(axis=1)
        bound = 2 * shared / np.maximum(lengths + len(text), 1)
        return [self.training[indices[k]] for k in np.nonzero(bound >= SIMILARITY - 1e-9)[0]]

    def copy_of(self, text: Text) -> Optional[Copy]:
        """The first training text that `text` copies, by the rules above, or None."""
        same = self.exact.get(text.plain)
        if same is not None:
            return Copy(text, same, "same text", 1.0)
        for other in self.near(self.plain, text.plain):
            ratio = _ratio(text.plain, other.plain)
            if ratio >= SIMILARITY:
                return Copy(text, other, f"{SIMILARITY} alike", ratio)
        if JOB in text.template:
            for other in self.near(self.template, text.template):
                ratio = _ratio(text.template, other.template)
                if ratio >= SIMILARITY:
                    return Copy(text, other, "same sentence with another job name", ratio)
        return None


def copy_of(text: Text, training: Sequence[Text]) -> Optional[Copy]:
    """The first training text that `text` copies, by the rules above, or None."""
    return TrainingIndex(training).copy_of(text)


def copies(held_out: Iterable[Text], training: Sequence[Text]) -> List[Copy]:
    """Every held-out text that copies a training text, with the rule it breaks."""
    index = TrainingIndex(training)
    return [c for c in (index.copy_of(t) for t in held_out) if c is not None]


def training_texts() -> List[Text]:
    """Every training example of data/nlu.yml and data/nlu/, the texts a held-out text must not copy."""
    return [t for path in [TRAINING_FIRST, *sorted(TRAINING_DIR.rglob("*.yml"))] for t in nlu_texts(path)]


def spanish_development_texts() -> List[Text]:
    """The Spanish development set's messages and turns (tests/spanish/development/), which may be read."""
    development = SPANISH / "development"
    return set_texts(development / "messages.yml", development / "conversations.yml", "spanish development")


def spanish_development_2_texts() -> List[Text]:
    """The second Spanish development set's messages and turns (tests/spanish/development_2/), read freely."""
    development = SPANISH / "development_2"
    return set_texts(development / "messages.yml", development / "conversations.yml", "spanish development 2")


def spanish_sealed_texts() -> List[Text]:
    """The Spanish sealed set's; `where` begins "sealed", so its texts are never shown."""
    sealed = SPANISH / "sealed"
    return set_texts(sealed / "messages.yml", sealed / "conversations.yml", f"{SEALED} spanish")


def spanish_texts() -> List[Text]:
    """The Spanish sets' (tests/spanish/): the development set's, and the sealed one's, never shown."""
    return spanish_development_texts() + spanish_development_2_texts() + spanish_sealed_texts()


def held_out_texts() -> List[Text]:
    """The development sets' texts (four), the discovery sets', the Spanish sets' and the sealed set's."""
    return (nlu_texts(HELD_OUT_NLU) + conversation_texts(HELD_OUT_CONVERSATIONS) + development_texts()
            + names_texts() + students_texts() + discovery_texts() + sealed_texts() + sealed_discovery_texts()
            + spanish_texts())


def main(argv: Optional[List[str]] = None) -> int:
    """List the copies for a person to rewrite; exit 1 if any, without printing the sealed set's texts."""
    show_training = "--show-training" in (argv or [])
    found = copies(held_out_texts(), training_texts())
    for c in found:
        copied = f" as {c.training.where}: {c.training.raw!r}" if show_training else ""
        shown = "" if c.held_out.where.startswith(SEALED) else f" {c.held_out.raw!r}"  # the sealed set unread
        print(f"{c.held_out.where}:{shown}\n    {c.rule} ({c.ratio:.2f}){copied if shown else ''}")
    print(f"{len(found)} held-out text(s) copy a training text")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
