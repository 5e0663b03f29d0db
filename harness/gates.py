"""Gates of `make test`: fail when the shipped model understands students worse than it did.

Each minimum is the level the shipped pipeline reached on the clean held-out data (see
docs/evaluation.md, which names the commit and date), minus a stated margin, so that noise
passes and a real loss fails. Raise a minimum when the model gets better; never lower one to
let a change through without saying why in docs/evaluation.md.

    python -m harness.gates nlu MODEL                 # held-out NLU (tests/nlu_holdout.yml), and the search
                                                      # before the fallback on its predictions
    python -m harness.gates conversations RESULTS_DIR  # after rasa test core on the held-out conversations
    python -m harness.gates development MODEL         # the second and third development sets
    python -m harness.gates spanish MODEL             # the Spanish development set, and the sealed one's figures
    python -m harness.gates sealed MODEL              # the sealed test set (harness/sealed.py): figures only
    python -m harness.gates discovery MODEL           # finding a job: the discovery sets
    python -m harness.gates model MODEL               # all of these but the conversations, in one process

The sealed set's gates are the levels it reached when it was first scored (docs/evaluation.md), minus a
margin: they stop a loss, and were never used to choose a setting.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from harness.nlu_scores import evaluate
from harness.search_scores import gate_figures, summarise

PROJECT_DIR = Path(__file__).resolve().parent.parent
HELD_OUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
SCORES = PROJECT_DIR / "results" / "nlu-scores.json"

MARGIN = 0.015  # about 12 of the 795 held-out messages: more than run-to-run noise, less than a real loss
# figure: (level reached by the shipped model, True when higher is better, margin)
REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.966, True, MARGIN),  # 0.951 before the sentence embedding (2026-12-07)
    "entity_f1": (0.974, True, MARGIN),
    "job_ids_right": (0.995, True, MARGIN),
    "out_of_scope_recall": (1.0, True, 0.035),  # 32 messages: one more missed is 0.031 (0.906 before)
    "in_scope_fallback": (0.001, False, MARGIN),
    # The search before the fallback (harness/search_scores.py, at knowledge/search.py's THRESHOLD), over
    # every held-out message as if each fell back: a sample that does not shrink as the model gets better.
    # The gates of its answers and of out-of-scope messages are the targets (90% right, at most 5%).
    "search_answered_all": (0.136, True, MARGIN),  # 104 of the 763 in-scope messages
    "search_right_all": (0.962, True, 0.062),  # 100 of those 104
    "search_out_of_scope_all": (0.0, False, 0.05),  # 0 of 32; the gate allows one
    # The same on the messages that the model sends to the fallback (1 in scope, 0 out of scope today;
    # 16 and 0 on an earlier model, when the search answered 6, all right). Nothing answered passes.
    "search_right": (1.0, True, 0.1),
    "search_out_of_scope": (0.0, False, 0.05),
}
# Shown by `make test-nlu` but not gated: the share of the fallbacks that the search answers is a
# share of a handful of messages (1 today), which a retrained model changes at random.
SHOWN = ("search_answered",)
CONVERSATIONS_REACHED = 19  # of the 21 held-out conversations; the gate allows one fewer


def limit(name: str) -> float:
    """The gate of one figure: the level reached, minus (or plus, for a rate to keep low) its margin."""
    level, higher_is_better, margin = REACHED[name]
    return round(level - margin if higher_is_better else level + margin, 3)


def check_nlu(model: Path) -> List[str]:
    """Score the held-out NLU and the search, keep the scores in results/, and name the gates missed."""
    result = evaluate(model, HELD_OUT)
    SCORES.parent.mkdir(parents=True, exist_ok=True)
    SCORES.write_text(json.dumps(result, indent=1))
    result.update(gate_figures(summarise(result["predictions"])))
    failures = []
    for name, (_, higher_is_better, _) in REACHED.items():
        value, gate = result[name], limit(name)
        # No message to count (none fell back, or none was answered): nothing to fail.
        ok = math.isnan(value) or (value >= gate if higher_is_better else value <= gate)
        shown = "n/a" if math.isnan(value) else f"{value:.3f}"
        print(f"{name:23} {shown:5}  ({'min' if higher_is_better else 'max'} {gate:.3f}) {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(name)
    for name in SHOWN:
        shown = "n/a" if math.isnan(result[name]) else f"{result[name]:.3f}"
        print(f"{name:23} {shown:5}  (not gated: {result['search_fallbacks']} in-scope messages fell back)")
    for confusion in result["confusions"][:5]:
        print(f"  often confused: {confusion['true']} -> {confusion['predicted']} ({confusion['count']})")
    return failures


def check_conversations(results: Path) -> List[str]:
    """Gate the held-out conversations on `rasa test core`'s report, one fewer allowed."""
    report = json.loads((results / "story_report.json").read_text())["conversation_accuracy"]
    minimum = CONVERSATIONS_REACHED - 1
    ok = report["correct"] >= minimum
    verdict = "ok" if ok else "FAIL"
    print(f"held-out conversations {report['correct']} of {report['total']} pass (min {minimum}) {verdict}")
    return [] if ok else ["held-out conversations"]


# figure: (level reached on the sealed set, True when higher is better, margin)
# First scored at ca1117a, 2026-12-02; raised where later models did better (the sentence embedding's, and on
# 2026-12-07 at fb8412d: intent 0.930, job ids 0.894 with the group's references; at d87aa11 and after, with
# "this career" and the names and examples chosen on the fourth development sets: intent 0.943, job ids 0.912).
# In-scope refusals rose from
# 0.012 to 0.024 with the embedding and to 0.028 with the blind examples of d918218, which were chosen on the
# development sets, not on this one.
SEALED_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.943, True, MARGIN),  # 698 messages: 0.015 is about 10 of them (0.893 at first)
    "out_of_scope_caught": (0.940, True, 0.03),  # 199 messages (0.854)
    "near_caught": (0.933, True, 0.04),  # 105 messages: 0.04 is 4 (0.838)
    "far_caught": (0.947, True, 0.04),  # 94 messages (0.872)
    # 499 messages: 0.012 at first, 0.024 at 3be7e92, 0.028 at fb8412d (14 messages): the level is the
    # recent models' 0.024, so that a swing of two messages is noise and a worse model still fails
    "in_scope_refused": (0.024, False, MARGIN),
    "job_ids_right": (0.912, True, 0.02),  # 388 messages naming a job (0.884 before group references)
    "conversation_accuracy": (0.676, True, 0.06),  # 25 of 37 (21 at first); 0.06 is two conversations
}
SEALED_SCORES = PROJECT_DIR / "results" / "sealed-scores.json"
# The second development set (tests/development/, 511 messages, 15 conversations), scored like the sealed one.
# First scored 2026-12-07, on the model of the commit that added the set.
DEVELOPMENT_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.978, True, 0.02),  # 511 messages: 0.02 is about 10 of them
    "out_of_scope_caught": (0.991, True, 0.03),  # 220 messages
    "near_caught": (1.0, True, 0.04),  # 115 messages
    "far_caught": (0.981, True, 0.04),  # 105 messages
    "in_scope_refused": (0.010, False, MARGIN),  # 291 messages
    "job_ids_right": (0.969, True, 0.03),  # 193 messages naming a job
    "conversation_accuracy": (0.8, True, 0.14),  # of 15; 0.14 is two conversations
}
DEVELOPMENT_SCORES = PROJECT_DIR / "results" / "development-scores.json"
# The third development set (tests/development_names/, 340 messages, 12 conversations): naming the group, a job,
# or a job next to it. First scored 2026-12-07 at its commit's model (intent 0.909, job ids 0.954), then after
# the name fixes chosen on it (hyphenated names typed with a space, "3211" as a reference, imaging outside
# medicine, the assistants): the levels below.
NAMES_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.915, True, 0.02),  # 340 messages: 0.02 is 7 of them
    "out_of_scope_caught": (0.94, True, 0.04),  # 100 messages
    "near_caught": (0.929, True, 0.05),  # 70 messages
    "far_caught": (0.967, True, 0.07),  # 30 messages: 0.07 is 2
    "in_scope_refused": (0.008, False, MARGIN),  # 240 messages
    "job_ids_right": (0.967, True, 0.03),  # 240 messages naming a job
    "conversation_accuracy": (0.583, True, 0.17),  # of 12; 0.17 is two conversations
}
NAMES_SCORES = PROJECT_DIR / "results" / "names-scores.json"
# The fourth development set (tests/development_students/, 420 messages, 15 conversations): everyday questions.
# First scored 2026-12-07 at ef1f6f4's model (intent 0.962, out of scope 0.940, job ids 0.943, 9 of 15
# conversations); the levels are those after the fixes chosen on it ("this career", names, d87aa11 and after).
STUDENTS_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.971, True, 0.02),  # 420 messages: 0.02 is 8 of them
    "out_of_scope_caught": (0.96, True, 0.04),  # 150 messages
    "near_caught": (0.95, True, 0.05),  # 100 messages
    "far_caught": (0.98, True, 0.06),  # 50 messages: 0.06 is 3
    "in_scope_refused": (0.004, False, MARGIN),  # 270 messages
    "job_ids_right": (0.977, True, 0.03),  # 175 messages naming a job
    "conversation_accuracy": (0.667, True, 0.14),  # 10 of 15; 0.14 is two conversations
}
STUDENTS_SCORES = PROJECT_DIR / "results" / "students-scores.json"
# The Spanish sets (tests/spanish/), scored like the sealed one; `english_replies` is the share of the
# conversations' Spanish turns that got a reply in English (source lines and quoted titles left out).
# First scored 2026-12-07 with the first Spanish training data, answers and names (development: intent 0.861,
# out of scope 0.832; sealed: 0.880, 0.849); the levels are those after the Spanish discovery words, the
# everyday-words language vote and the short Spanish names of the whole field (2026-12-07).
SPANISH_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.923, True, 0.02),  # 416 messages: 0.02 is 8 of them (0.899 before d87aa11)
    "out_of_scope_caught": (0.925, True, 0.04),  # 173 messages
    "near_caught": (0.947, True, 0.05),  # 94 messages
    "far_caught": (0.886, True, 0.05),  # 79 messages
    "in_scope_refused": (0.037, False, 0.02),  # 243 messages
    "job_ids_right": (0.978, True, 0.03),  # 139 messages naming a job
    "conversation_accuracy": (0.50, True, 0.10),  # of 20; 0.10 is two conversations
    "english_replies": (0.0, False, 0.025),  # 0 of 86 Spanish turns: 0.025 is two
}
# The second Spanish development set (tests/spanish/development_2/, 330 messages, 15 conversations). First scored
# 2026-12-07 at ef1f6f4's model (intent 0.903, job ids 0.839: "esta carrera" and "este campo" asked back); the
# levels are those after the fixes chosen on it.
SPANISH_2_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.936, True, 0.02),  # 330 messages: 0.02 is 7 of them
    "out_of_scope_caught": (0.975, True, 0.04),  # 120 messages
    "near_caught": (1.0, True, 0.05),  # 80 messages
    "far_caught": (0.925, True, 0.075),  # 40 messages: 0.075 is 3
    "in_scope_refused": (0.033, False, 0.02),  # 210 messages
    "job_ids_right": (0.942, True, 0.03),  # 137 messages naming a job
    "conversation_accuracy": (0.667, True, 0.14),  # 10 of 15
    "english_replies": (0.0, False, 0.025),  # 0 of 80 Spanish turns: 0.025 is two
}
SPANISH_2_SCORES = PROJECT_DIR / "results" / "spanish-2-scores.json"
# Never tuned on: its figures only were looked at.
SPANISH_SEALED_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.923, True, 0.02),  # 440 messages (0.914 before d87aa11)
    "out_of_scope_caught": (0.916, True, 0.04),  # 179 messages
    "near_caught": (0.949, True, 0.05),  # 98 messages
    "far_caught": (0.877, True, 0.05),  # 81 messages
    "in_scope_refused": (0.027, False, 0.02),  # 261 messages
    "job_ids_right": (0.972, True, 0.03),  # 144 messages naming a job (0.965 before d87aa11)
    "conversation_accuracy": (0.35, True, 0.10),  # of 20
    "english_replies": (0.012, False, 0.025),  # 1 of 85 Spanish turns
}
SPANISH_SCORES = PROJECT_DIR / "results" / "spanish-scores.json"
SPANISH_SEALED_SCORES = PROJECT_DIR / "results" / "spanish-sealed-scores.json"


# Finding a job (tests/discovery/ and tests/discovery_sealed/, harness/discovery_set.py), first scored
# 2026-12-07. No job that a stated dislike rules out is ever offered, and every job offered has a fact: no margin.
DISCOVERY_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.876, True, 0.03),  # 233 messages: 0.03 is 7 of them (0.760 at first)
    "preferences_right": (0.954, True, 0.03),  # 153 explore_jobs messages (0.784 at first)
    "turn_accuracy": (0.870, True, 0.04),  # 108 turns in 25 conversations (0.778 at first)
    "preferences_kept_right": (0.56, True, 0.12),  # of 25 conversations: 0.12 is three (0.40 at first)
    "no_ruled_out_job_offered": (1.0, True, 0.0),
    "offered_jobs_with_a_fact": (1.0, True, 0.0),
}
# Never tuned on; its first figures, on the model that the development set's figures above came from.
DISCOVERY_SEALED_REACHED: Dict[str, Tuple[float, bool, float]] = {
    "intent_accuracy": (0.873, True, 0.03),  # 213 messages
    "preferences_right": (0.795, True, 0.04),  # 132 explore_jobs messages
    "turn_accuracy": (0.897, True, 0.04),  # 107 turns in 24 conversations
    "preferences_kept_right": (0.54, True, 0.13),  # of 24 conversations
    "no_ruled_out_job_offered": (1.0, True, 0.0),
    "offered_jobs_with_a_fact": (1.0, True, 0.0),
}
DISCOVERY_SCORES = PROJECT_DIR / "results" / "discovery-scores.json"
DISCOVERY_SEALED_SCORES = PROJECT_DIR / "results" / "discovery-sealed-scores.json"


def check_discovery(model: Path) -> List[str]:
    """Gate both discovery sets: the development one (tuned on) and the sealed one (figures only)."""
    from harness.discovery_set import FOLDER, SEALED_FOLDER, evaluate

    failures = []
    for folder, title, reached, scores in ((FOLDER, "discovery development set", DISCOVERY_REACHED, DISCOVERY_SCORES),
                                           (SEALED_FOLDER, "sealed discovery set", DISCOVERY_SEALED_REACHED,
                                            DISCOVERY_SEALED_SCORES)):
        if not (folder / "messages.yml").exists():
            failures.append(f"{title}: missing")
            continue
        result = asyncio.run(evaluate(model, folder))
        scores.parent.mkdir(parents=True, exist_ok=True)
        scores.write_text(json.dumps(result, indent=1))
        print(f"{title}: {result['messages']} messages, {result['conversations']} conversations")
        failures += [f"{title}: {name}" for name in _gate(result, reached)]
    return failures


def _gate(result: Dict[str, float], reached: Dict[str, Tuple[float, bool, float]]) -> List[str]:
    """Print each figure beside its gate; return the names of those below it."""
    failures = []
    for name, (level, higher_is_better, margin) in reached.items():
        value = result[name]
        gate = round(level - margin if higher_is_better else level + margin, 3)
        ok = math.isnan(value) or (value >= gate if higher_is_better else value <= gate)
        print(f"{name:28} {value:.3f}  ({'min' if higher_is_better else 'max'} {gate:.3f}) {'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(name)
    return failures


def check_development(model: Path) -> List[str]:
    """Gate the second, third and fourth development sets, on which settings are chosen."""
    from harness.sealed import DEVELOPMENT, NAMES, STUDENTS

    return (_check_set(model, DEVELOPMENT, "second development set", DEVELOPMENT_REACHED, DEVELOPMENT_SCORES)
            + [f"third development set: {name}" for name in
               _check_set(model, NAMES, "third development set", NAMES_REACHED, NAMES_SCORES)]
            + [f"fourth development set: {name}" for name in
               _check_set(model, STUDENTS, "fourth development set", STUDENTS_REACHED, STUDENTS_SCORES)])


def check_spanish(model: Path) -> List[str]:
    """Gate the Spanish development sets (tuned on) and the Spanish sealed set (figures only, never its texts)."""
    from harness.sealed import SPANISH, SPANISH_2, SPANISH_SEALED

    return (_check_set(model, SPANISH, "Spanish development set", SPANISH_REACHED, SPANISH_SCORES)
            + [f"second Spanish development set: {name}" for name in
               _check_set(model, SPANISH_2, "second Spanish development set", SPANISH_2_REACHED, SPANISH_2_SCORES)]
            + [f"Spanish sealed set: {name}" for name in
               _check_set(model, SPANISH_SEALED, "Spanish sealed set", SPANISH_SEALED_REACHED, SPANISH_SEALED_SCORES)])


def check_model(model: Path) -> List[str]:
    """Every gate that reads the model itself, in one process: the model loads once for seven sets, and
    `make test` waits for neither a Python start nor a load per set."""
    failures = []
    for name, check in (("held-out NLU", check_nlu), ("development", check_development), ("sealed", check_sealed),
                        ("discovery", check_discovery), ("Spanish", check_spanish)):
        print(f"--- {name}", flush=True)
        failures += [f"{name}: {failure}" for failure in check(model)]
    return failures


def check_sealed(model: Path) -> List[str]:
    """Gate the sealed set, which stops a loss but is never used to choose a setting."""
    from harness.sealed import SEALED

    return _check_set(model, SEALED, "sealed set", SEALED_REACHED, SEALED_SCORES)


def _check_set(model: Path, folder: Path, title: str, reached: Dict[str, Tuple[float, bool, float]],
               scores: Path) -> List[str]:
    from harness.sealed import evaluate

    result = asyncio.run(evaluate(model, folder))
    result.update({k: v for k, v in result["dialogues"].items()})
    if "spanish_turns" in result:
        result["english_replies"] = result["english_replies"] / max(result["spanish_turns"], 1)
    scores.parent.mkdir(parents=True, exist_ok=True)
    scores.write_text(json.dumps(result, indent=1))
    print(f"{title}: {result['messages']} messages ({result['out_of_scope']} out of scope: {result['near']} near, "
          f"{result['far']} far), {result['conversations']} conversations")
    return _gate(result, reached)


def main(argv: Optional[List[str]] = None) -> int:
    """`make test-*` entry point: exit 1 when any figure is below its gate, naming them."""
    args = argv if argv is not None else sys.argv[1:]
    checks = {"nlu": check_nlu, "conversations": check_conversations, "development": check_development,
              "sealed": check_sealed, "discovery": check_discovery, "spanish": check_spanish, "model": check_model}
    if len(args) != 2 or args[0] not in checks:
        print(__doc__, file=sys.stderr)
        return 2
    failures = checks[args[0]](Path(args[1]))
    if failures:
        print("below the gate: " + ", ".join(failures) + " (harness/gates.py)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
