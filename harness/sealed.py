"""Score a model on the sealed test set (tests/sealed/): what a student gets, message by message and in
conversations, through the model, the rules and the project's actions (harness/dialogue.py).

The set was written by someone shown neither `data/` nor the development set (tests/nlu_holdout.yml), and
nobody tunes on it: `make eval` and `make test` print its figures, never its failing texts (the JSON written
here keeps them only under results/, which git ignores). Each message has the intent it asks, the group's
jobs it names (ids), and a scope: `in`, `near` (just outside the field: neighbouring jobs, other places,
other health careers) or `far`.

What counts:
- intent accuracy: an in-scope message read as its intent; an out-of-scope one caught (below);
- out-of-scope caught: the reply refuses or says the sources don't cover it (reply kinds out_of_scope,
  outside, not_covered, unsure), whether the intent or the action saw it; a clarifying question about the
  group's jobs or an answer with the group's facts is a miss. Overall, and for `near` and `far`;
- in-scope refused: in-scope messages given a refusal (out_of_scope, outside, unsure);
- job ids: of the in-scope messages that name a job of the group, the share whose ids are exactly right;
- conversations: each turn right (in scope: its intent, and the job the reply is about; out of scope:
  caught), and the share of conversations with every turn right.

The same figures are also given for the messages that the copy checker (harness/heldout.py) does not find in
the training data (`clean`).

The second development set (tests/development/) and the third (tests/development_names/, written to measure
how messages name the whole group, one job, or a job just outside the field) have the same format and are
scored the same way; their texts may be read, and `--show` lists the ones the assistant gets wrong. Settings
are chosen on them.

    python -m harness.sealed MODEL OUT.json                      # the sealed set: figures as JSON, no texts
    python -m harness.sealed MODEL OUT.json --development [--show]  # the second development set
    python -m harness.sealed MODEL OUT.json --names [--show]        # the third development set
    python -m harness.sealed MODEL OUT.json --students [--show]     # the fourth: everyday questions
    python -m harness.sealed MODEL OUT.json --spanish [--show]      # the Spanish development set
    python -m harness.sealed MODEL OUT.json --spanish-2 [--show]    # the second Spanish development set
    python -m harness.sealed MODEL OUT.json --spanish-sealed        # the Spanish sealed set: figures only
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from harness.dialogue import OUT_OF_SCOPE_REPLY, Dialogue, Turn
from harness.servers import PROJECT_DIR
from knowledge.language import SWITCH_MARGIN
from knowledge.names import CONTEXT_REFERENCE
from knowledge.vocabulary import NOT_COVERED, OUTSIDE, UNSURE

SEALED = PROJECT_DIR / "tests" / "sealed"
DEVELOPMENT = PROJECT_DIR / "tests" / "development"
NAMES = PROJECT_DIR / "tests" / "development_names"
STUDENTS = PROJECT_DIR / "tests" / "development_students"
SPANISH = PROJECT_DIR / "tests" / "spanish" / "development"
SPANISH_2 = PROJECT_DIR / "tests" / "spanish" / "development_2"
SPANISH_SEALED = PROJECT_DIR / "tests" / "spanish" / "sealed"
# as the copy checker names their places
SET_NAMES = {SEALED: "sealed", DEVELOPMENT: "development", NAMES: "names", STUDENTS: "students",
             SPANISH: "spanish development", SPANISH_2: "spanish development 2", SPANISH_SEALED: "sealed spanish"}
# Their texts are never shown, only their figures
SEALED_SETS = (SEALED, SPANISH_SEALED)
# The command line's flag for each set but the sealed one, the default (bench/evaluate.py runs them too)
FLAGS = {"--development": DEVELOPMENT, "--names": NAMES, "--students": STUDENTS, "--spanish": SPANISH,
         "--spanish-2": SPANISH_2, "--spanish-sealed": SPANISH_SEALED}
MESSAGES, CONVERSATIONS = "messages.yml", "conversations.yml"
OUT_OF_SCOPE = "out_of_scope"
SCOPES = ("in", "near", "far")
CAUGHT = (OUT_OF_SCOPE_REPLY, OUTSIDE, NOT_COVERED, UNSURE)
REFUSED = (OUT_OF_SCOPE_REPLY, OUTSIDE, UNSURE)


def load(path: Path, key: str) -> List[Dict[str, Any]]:
    """One list of a set's YAML file (messages or conversations)."""
    return yaml.safe_load(path.read_text())[key]


def found_jobs(dialogue: Dialogue, turn: Turn) -> List[str]:
    """The group's job ids the model found in a message, as the actions resolve them: "this career" too, which
    names the group when no job is in context (each message is scored on its own)."""
    from actions.context import knowledge_base

    kb = knowledge_base()
    ids = [kb.resolve(e.get("value")) for e in turn.entities if e.get("entity") in ("occupation", CONTEXT_REFERENCE)]
    return sorted({i for i in ids if i})


def right(item: Dict[str, Any], turn: Turn) -> bool:
    """An in-scope message read as its intent; an out-of-scope one caught."""
    if item["scope"] == "in":
        return turn.intent == item["intent"]
    return turn.kind in CAUGHT


def _share(hits: List[bool]) -> float:
    return sum(hits) / len(hits) if hits else float("nan")


async def score_messages(dialogue: Dialogue, messages: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The set's figures message by message, each in a fresh conversation."""
    rows = []
    for item in messages:
        turn = await dialogue.turn(item["text"], {})
        rows.append((item, turn))
    inside = [(i, t) for i, t in rows if i["scope"] == "in"]
    outside = [(i, t) for i, t in rows if i["scope"] != "in"]
    naming = [(i, t) for i, t in inside if i.get("jobs")]
    per_kind: Dict[str, List[bool]] = collections.defaultdict(list)
    for item, turn in outside:
        per_kind[item.get("kind") or item["scope"]].append(turn.kind in CAUGHT)
    confusions = collections.Counter((i["intent"], t.intent) for i, t in inside if t.intent != i["intent"])
    return {
        "messages": len(rows), "in_scope": len(inside), "out_of_scope": len(outside),
        "near": sum(i["scope"] == "near" for i, _ in rows), "far": sum(i["scope"] == "far" for i, _ in rows),
        "intent_accuracy": _share([right(i, t) for i, t in rows]),
        "in_scope_intent_accuracy": _share([right(i, t) for i, t in inside]),
        "out_of_scope_caught": _share([t.kind in CAUGHT for _, t in outside]),
        "near_caught": _share([t.kind in CAUGHT for i, t in outside if i["scope"] == "near"]),
        "far_caught": _share([t.kind in CAUGHT for i, t in outside if i["scope"] == "far"]),
        "out_of_scope_by_intent": _share([t.intent in (OUT_OF_SCOPE, "nlu_fallback") for _, t in outside]),
        "in_scope_refused": _share([t.kind in REFUSED for _, t in inside]),
        "job_ids_right": _share([found_jobs(dialogue, t) == sorted(set(i["jobs"])) for i, t in naming]),
        "naming_a_job": len(naming),
        "caught_by_kind": {k: {"caught": sum(v), "of": len(v)} for k, v in sorted(per_kind.items())},
        "job_id_errors": job_id_errors([(i["jobs"], found_jobs(dialogue, t)) for i, t in naming]),
        # which intents are confused, as counts: no text of the set
        "confusions": [{"true": a, "predicted": b, "count": c} for (a, b), c in confusions.most_common(8)],
    }


def job_id_errors(pairs: List[tuple]) -> Dict[str, Any]:
    """How the job ids go wrong, as counts per kind and per id: figures that point at a gap without a text.

    `none` found no job, `fewer` missed some, `more` added one, `other` found a different job; `missed`
    counts each labelled id not found, `added` each found id not labelled.
    """
    kinds: Dict[str, int] = collections.Counter()
    missed: Dict[str, int] = collections.Counter()
    added: Dict[str, int] = collections.Counter()
    for labelled, found in pairs:
        want, got = set(labelled), set(found)
        if want == got:
            continue
        kinds["none" if not got else "fewer" if got < want else "more" if got > want else "other"] += 1
        missed.update(want - got)
        added.update(got - want)
    return {"kinds": dict(kinds), "missed": dict(missed.most_common()), "added": dict(added.most_common())}


# A reply's source line, and a title quoted from the sources: English by design, not counted as an English reply.
CITATION_LINE = re.compile(r"^(?:Sources?|Sources checked|Fuentes?|Fuentes consultadas)\b.*$", re.MULTILINE)
QUOTED = re.compile(r"[“\"][^”\"]{0,200}[”\"]")


class ReplyLanguage:
    """Tells whether a reply is in English, its source lines and quoted titles left out (they stay English)."""

    def __init__(self) -> None:
        from components.language import LanguageDetector

        self.detector = LanguageDetector({})

    def english(self, text: str) -> bool:
        """True when what the assistant wrote itself reads as English with the margin that switches a conversation."""
        found = self.detector.detect(QUOTED.sub(" ", CITATION_LINE.sub(" ", text or "")).strip())
        return found is not None and found["code"] == "en" and found["margin"] >= SWITCH_MARGIN


async def score_conversations(dialogue: Dialogue, conversations: List[Dict[str, Any]],
                              spanish: bool = False) -> Dict[str, Any]:
    """Turns scored in order with slots carried, so lost context counts as wrong. In a Spanish set, also the
    turns written in Spanish that got a reply in English (a turn the student wrote in English is left out)."""
    turns_right, whole = [], []
    replies = ReplyLanguage() if spanish else None
    spanish_turns, english_replies = 0, 0
    for conversation in conversations:
        slots: Dict[str, Any] = {}
        results = []
        for item in conversation["turns"]:
            turn = await dialogue.turn(item["text"], slots)
            ok = right(item, turn)
            if ok and item["scope"] == "in" and item.get("about"):
                ok = slots.get("occupation") == item["about"]
            results.append(ok)
            if replies is not None and not replies.english(item["text"]):
                spanish_turns += 1
                english_replies += any(replies.english(r) for r in turn.replies)
        turns_right += results
        whole.append(all(results))
    result = {"conversations": len(whole), "conversations_right": sum(whole), "turns": len(turns_right),
              "turns_right": sum(turns_right), "turn_accuracy": _share(turns_right),
              "conversation_accuracy": _share(whole)}
    if spanish:
        result.update({"spanish_turns": spanish_turns, "english_replies": english_replies})
    return result


def coinciding(folder: Path = SEALED) -> set:
    """The places ("sealed message 12") of the set's texts that the copy checker finds in the training data.

    The sets were written blind, yet common questions coincide with training texts by its rules; the figures
    are also given without them (`clean`), so that a model cannot look better by having seen a phrasing.
    """
    from harness import heldout

    texts = {SEALED: heldout.sealed_texts, DEVELOPMENT: heldout.development_texts, NAMES: heldout.names_texts,
             STUDENTS: heldout.students_texts, SPANISH: heldout.spanish_development_texts,
             SPANISH_2: heldout.spanish_development_2_texts, SPANISH_SEALED: heldout.spanish_sealed_texts}[folder]()
    copies, training_texts = heldout.copies, heldout.training_texts
    return {c.held_out.where for c in copies(texts, training_texts())}


async def evaluate(model: Path, folder: Path = SEALED) -> Dict[str, Any]:
    """All the figures of a set, also on its texts that do not coincide with training texts."""
    dialogue = Dialogue(model)
    messages = load(folder / MESSAGES, "messages")
    result = await score_messages(dialogue, messages)
    result["dialogues"] = await score_conversations(dialogue, load(folder / CONVERSATIONS, "conversations"),
                                                    spanish=folder in (SPANISH, SPANISH_2, SPANISH_SEALED))
    flagged = coinciding(folder)
    name = SET_NAMES[folder]
    clean = [m for index, m in enumerate(messages) if f"{name} message {index + 1}" not in flagged]
    figures = await score_messages(dialogue, clean)
    result["clean"] = {k: figures[k] for k in ("messages", "in_scope", "out_of_scope", "near", "far",
                                               "intent_accuracy", "out_of_scope_caught", "near_caught",
                                               "far_caught", "in_scope_refused", "job_ids_right")}
    result["coinciding_texts"] = len(flagged)
    return result


async def show_errors(model: Path, folder: Path) -> None:
    """Print each message of a development set that the assistant gets wrong: never for the sealed set."""
    if folder in SEALED_SETS:
        raise ValueError("the sealed sets' texts are not shown")
    dialogue = Dialogue(model)
    for item in load(folder / MESSAGES, "messages"):
        turn = await dialogue.turn(item["text"], {})
        named = sorted(set(item.get("jobs") or []))
        wrong_jobs = item["scope"] == "in" and named and found_jobs(dialogue, turn) != named
        if not right(item, turn) or wrong_jobs:
            print(f"{item['scope']}/{item.get('kind', '-')} {item['intent']} -> {turn.intent} [{turn.kind}] "
                  f"jobs {item.get('jobs')} -> {found_jobs(dialogue, turn)}: {item['text']!r}")


def main(argv: Optional[List[str]] = None) -> int:
    """Figures as JSON; the sealed set's texts are never printed, only the development set's on --show."""
    args = argv if argv is not None else sys.argv[1:]
    flags = {a for a in args if a.startswith("--")}
    args = [a for a in args if not a.startswith("--")]
    sets = [FLAGS[f] for f in flags if f in FLAGS]
    shown_sealed = "--show" in flags and (sets[0] if sets else SEALED) in SEALED_SETS
    if len(args) != 2 or not flags <= {*FLAGS, "--show"} or shown_sealed or len(sets) > 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    folder = sets[0] if sets else SEALED
    if "--show" in flags:
        asyncio.run(show_errors(Path(args[0]), folder))
    result = asyncio.run(evaluate(Path(args[0]), folder))
    Path(args[1]).parent.mkdir(parents=True, exist_ok=True)
    Path(args[1]).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k not in ("confusions", "caught_by_kind", "clean")}))
    print("without the texts that coincide with training texts: " + json.dumps(result["clean"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
