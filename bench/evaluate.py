"""`make eval`: candidate pipelines side by side on the clean held-out data, with their speed.

Every candidate is trained in this run on the same data (`data/`), then scored on
`tests/nlu_holdout.yml` and the held-out conversations, which copy no training text
(`python -m harness.heldout`), and on the sets in the sealed set's format, English and Spanish (harness/sealed.py,
figures only for the sealed ones). Each candidate's training is timed per component, and its
model is loaded and parsed in fresh processes, so load time and memory start from nothing.
The candidates are edits of `config.yml`, the shipped pipeline, so nothing is typed twice.
The shipped model's held-out predictions also measure the search before the fallback
(harness/search_scores.py): how many fallbacks it answers, how many rightly, and how many
out-of-scope messages it answers, over a sweep of thresholds.
Writes docs/evaluation.md and results/eval/summary.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from harness import gates, provenance, sealed, search_scores
from harness.servers import BIN, PROJECT_DIR

HELD_OUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
CONVERSATIONS = {"held-out conversations": "tests/test_conversations_holdout.yml",
                 "conversation tests": "tests/test_stories.yml"}
RESULTS = PROJECT_DIR / "results" / "eval"
SENTENCE_COUNTS = "components.sentence_counts.SentenceCountVectors"
CLASSIFIERS = ("components.intent_classifier.LinearIntentClassifier", "DIETClassifier", "LogisticRegressionClassifier")
TED = {"name": "TEDPolicy", "max_history": 5, "epochs": 60, "random_seed": 3211, "constrain_similarities": True}
DIET_BEFORE = {"name": "DIETClassifier", "epochs": 100, "transformer_size": 128, "number_of_transformer_layers": 1,
               "random_seed": 3211, "constrain_similarities": True}

Config = Dict[str, Any]


def _step(config: Config, name: str) -> Dict[str, Any]:
    return next(s for s in config["pipeline"] if s["name"] == name)


def _with_classifier(config: Config, classifier: Dict[str, Any]) -> Config:
    """Another classifier; DIET also reads the tokens' counts, which only Rasa's own count featurizer gives."""
    config = copy.deepcopy(config)
    config["pipeline"] = [classifier if s["name"] in CLASSIFIERS else s for s in config["pipeline"]]
    if classifier["name"] == "DIETClassifier":
        for step in config["pipeline"]:
            if step["name"] == SENTENCE_COUNTS:
                step["name"] = "CountVectorsFeaturizer"
    return config


JOB_MASK = "components.job_mask.JobMaskedCountVectors"
EMBEDDING = "components.sentence_embedding.SentenceEmbeddingFeaturizer"


def without_job_mask(config: Config) -> Config:
    """The shipped pipeline without the word counts that mask job names."""
    config = copy.deepcopy(config)
    config["pipeline"] = [s for s in config["pipeline"] if s["name"] != JOB_MASK]
    return config


def without_embedding(config: Config) -> Config:
    """The shipped pipeline without the sentence embedding, and with the character 2-5 grams it had then."""
    config = copy.deepcopy(config)
    config["pipeline"] = [s for s in config["pipeline"] if s["name"] != EMBEDDING]
    chars = next(s for s in config["pipeline"] if s.get("analyzer") == "char_wb")
    chars.update(min_ngram=2, max_ngram=5)
    return config


def before(config: Config) -> Config:
    """The pipeline this project shipped until the linear classifier: DIET and TED."""
    config = _with_classifier(without_job_mask(config), DIET_BEFORE)
    words = _step(config, "CountVectorsFeaturizer")
    words.pop("max_ngram", None)
    config["pipeline"].insert(config["pipeline"].index(words), {"name": "LexicalSyntacticFeaturizer"})
    _step(config, "FallbackClassifier")["threshold"] = 0.45
    config["policies"] = [*config["policies"], TED]
    return config


def rasa_logistic_regression(config: Config) -> Config:
    """Rasa's own classifier on the same features: what ours is measured against."""
    return _with_classifier(config, {"name": "LogisticRegressionClassifier", "max_iter": 1000, "random_state": 3211})


def word_unigrams(config: Config) -> Config:
    """The shipped pipeline without word pairs, to show what the pairs add."""
    config = copy.deepcopy(config)
    _step(config, SENTENCE_COUNTS).pop("max_ngram", None)
    return config


def diet_smallest(config: Config) -> Config:
    """DIET at its smallest (no transformer, 40 epochs): is a neural classifier worth its cost here?"""
    return _with_classifier(config, {"name": "DIETClassifier", "epochs": 40, "number_of_transformer_layers": 0,
                                     "entity_recognition": False, "random_seed": 3211,
                                     "constrain_similarities": True})


def rasa_default(config: Config) -> Config:
    """Rasa's default NLU pipeline (bench/baseline_config.yml), with the shipped dialogue policies."""
    baseline = yaml.safe_load((PROJECT_DIR / "bench" / "baseline_config.yml").read_text())
    return {**baseline, "policies": config["policies"]}


@dataclass(frozen=True)
class Candidate:
    key: str
    label: str
    edit: Optional[Callable[[Config], Config]]  # None: config.yml as it is


CANDIDATES = [
    Candidate("shipped", "**shipped**: linear classifier (logistic regression on scaled word 1-2 grams, the same "
              "with job names masked, character 3-4 grams and all-MiniLM-L6-v2's sentence embedding), misspellings "
              "by the name resolver, rules + memoization", None),
    Candidate("no_embedding", "shipped, without the sentence embedding (character 2-5 grams, as before it)",
              without_embedding),
    Candidate("no_job_mask", "shipped, without the word counts that mask job names", without_job_mask),
    Candidate("before", "the pipeline before: DIET (100 epochs, a 128-unit transformer layer) + TED, fallback 0.45",
              before),
    Candidate("rasa_logreg", "Rasa's LogisticRegressionClassifier (raw counts, max_iter 1000), same features",
              rasa_logistic_regression),
    Candidate("word_unigrams", "shipped, with word unigrams only (no word pairs)", word_unigrams),
    Candidate("diet_small", "DIET at its smallest: 40 epochs, no transformer, intents only; no TED", diet_smallest),
    Candidate("rasa_default", "Rasa's default NLU pipeline (`rasa init`: whitespace tokens, count vectors, DIET "
              "100 epochs), rules + memoization", rasa_default),
]


def run(args: List[str], check: bool = False, reads_sealed: bool = False) -> subprocess.CompletedProcess:
    """Run quietly; when a step that must work fails, show the end of what it said, not just its exit code,
    unless the step read a sealed set (what it said might quote one of its texts)."""
    done = subprocess.run(args, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if check and done.returncode != 0:
        if reads_sealed:
            print(f"{' '.join(args)} failed (exit {done.returncode}); what it said is not shown, as it read a "
                  "sealed set", file=sys.stderr)
        else:
            print("\n".join(done.stderr.splitlines()[-30:]), file=sys.stderr)
        done.check_returncode()
    return done


# The sets in the sealed set's format, by their key in the summary, and how the progress lines name them
SETS = {"development": (sealed.DEVELOPMENT, "the second development set"),
        "names": (sealed.NAMES, "the third development set"),
        "students": (sealed.STUDENTS, "the fourth development set"),
        "sealed": (sealed.SEALED, "the sealed test set (figures only)"),
        "spanish": (sealed.SPANISH, "the Spanish development set"),
        "spanish_2": (sealed.SPANISH_2, "the second Spanish development set"),
        "spanish_sealed": (sealed.SPANISH_SEALED, "the sealed Spanish set (figures only)")}


def score_sets(model: Path, scratch: Path, key: str) -> Dict[str, Dict[str, Any]]:
    """Every set of SETS through harness/sealed.py, each in a fresh process as `make test` runs it: figures only."""
    scored = {}
    for name, (folder, title) in SETS.items():
        out_json = scratch / f"{key}-{name}.json"
        print(f"[{key}] scoring {title}...", flush=True)
        flags = [flag for flag, flagged in sealed.FLAGS.items() if flagged == folder]
        run([str(BIN / "python"), "-m", "harness.sealed", str(model), str(out_json), *flags], check=True,
            reads_sealed=folder in sealed.SEALED_SETS)
        scored[name] = {k: v for k, v in json.loads(out_json.read_text()).items() if k != "confusions"}
    return scored


def measure(candidate: Candidate, scratch: Path) -> Dict[str, Any]:
    """Train (timed per component), score on held-out NLU, run both conversation sets."""
    shipped = yaml.safe_load((PROJECT_DIR / "config.yml").read_text())
    config_path = scratch / f"{candidate.key}.yml"
    config_path.write_text(yaml.safe_dump(candidate.edit(shipped) if candidate.edit else shipped, sort_keys=False))
    model = scratch / f"{candidate.key}.tar.gz"
    profile_json, scores_json = scratch / f"{candidate.key}-profile.json", scratch / f"{candidate.key}-scores.json"
    print(f"[{candidate.key}] training...", flush=True)
    run([str(BIN / "python"), "-m", "bench.components", str(config_path), str(profile_json), "--model-out",
         str(model)], check=True)
    print(f"[{candidate.key}] scoring the held-out messages...", flush=True)
    run([str(BIN / "python"), "-m", "harness.nlu_scores", str(model), str(HELD_OUT), str(scores_json)], check=True)
    result: Dict[str, Any] = {"profile": json.loads(profile_json.read_text()),
                              **json.loads(scores_json.read_text())}
    result["search"] = search_scores.summarise(result.pop("predictions"))
    result["conversations"] = {}
    for name, stories in CONVERSATIONS.items():
        out = RESULTS / "conversations" / candidate.key / Path(stories).stem
        shutil.rmtree(out, ignore_errors=True)
        run([str(BIN / "rasa"), "test", "core", "--stories", stories, "--model", str(model), "--out", str(out),
             "--e2e", "--quiet"])
        report = json.loads((out / "story_report.json").read_text())["conversation_accuracy"]
        result["conversations"][name] = {"passed": report["correct"], "total": report["total"]}
    result.update(score_sets(model, scratch, candidate.key))
    for key, flags in (("discovery", []), ("discovery_sealed", ["--sealed"])):
        out_json = scratch / f"{candidate.key}-{key}.json"
        print(f"[{candidate.key}] scoring the {key.replace('_', ' ')} set...", flush=True)
        run([str(BIN / "python"), "-m", "harness.discovery_set", str(model), str(out_json), *flags], check=True,
            reads_sealed=bool(flags))
        result[key] = json.loads(out_json.read_text())
    print(f"[{candidate.key}] intent accuracy {result['intent_accuracy']:.3f}, "
          f"trained in {result['profile']['train_s']} s", flush=True)
    return result


def _f(value: Optional[float], digits: int = 3) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def write(results: Dict[str, Dict[str, Any]], measured_at: str, path: Path) -> None:
    """docs/evaluation.md from the results, so the choice of pipeline can be checked."""
    shipped = results["shipped"]
    held = shipped["conversations"]["held-out conversations"]
    lines = [
        "# Evaluation",
        "",
        f"Measured by `make eval` at {measured_at}, on 2 cores. Development set (the settings were chosen on "
        "it): `tests/nlu_holdout.yml`, "
        f"{shipped['examples']} messages of {shipped['intents']} intents, and {held['total']} held-out "
        "conversations (`tests/test_conversations_holdout.yml`). Both were written without access to the "
        "training data and copy none of it: no text is the same after normalising, 0.85 alike, or the same "
        "sentence with another job name (`python -m harness.heldout`; a unit test in `make test` keeps it so). "
        "Every candidate below was trained in this run on the same `data/` and scored on the same held-out data. "
        "Where held-out errors led to new training examples (of the same kind, in other words), "
        "[heldout-gaps.md](heldout-gaps.md) says which.",
        "",
        "## Candidates",
        "",
        "| pipeline | intent accuracy | in-scope fallback | out-of-scope caught | entity F1 | right job ids "
        "| held-out conversations | conversation tests | training (s) | model load (s) | memory loaded (MB) "
        "| parse p50 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for candidate in CANDIDATES:
        r = results.get(candidate.key)
        if r is None:
            continue
        conv = r["conversations"]
        p = r["profile"]
        lines.append(
            f"| {candidate.label} | {_f(r['intent_accuracy'])} | {_f(r['in_scope_fallback'])} "
            f"| {_f(r['out_of_scope_recall'])} | {_f(r['entity_f1'])} | {_f(r['job_ids_right'])} "
            f"| {conv['held-out conversations']['passed']}/{conv['held-out conversations']['total']} "
            f"| {conv['conversation tests']['passed']}/{conv['conversation tests']['total']} "
            f"| {p['train_s']} | {r['load_s']} | {r['rss_mb_loaded']} | {_f(r['parse_ms_p50'], 1)} |")
    left_out = [c.key for c in CANDIDATES if c.key not in results]
    if left_out:
        lines += ["", f"Not run this time (`--only`): {', '.join(left_out)}; their last figures are in this file's "
                  "git history, measured at an older commit."]
    lines += [
        "",
        "- *intent accuracy*: the intent after the fallback classifier is the labelled one (a fallback counts as "
        "wrong). *in-scope fallback*: in-scope messages answered \"sorry, I'm not sure\". *out-of-scope caught*: "
        "out-of-scope messages answered as such or by the fallback. *entity F1*: exact spans of `occupation` and "
        "`other_job`. *right job ids*: of the "
        f"{shipped['examples_naming_a_job']} messages that name a job, the share whose entities are exactly the "
        "right knowledge-base ids, misspellings included.",
        "- *training*: `rasa train` (NLU and dialogue) inside one process, without the command's start-up; "
        "`make bench` times the whole command. *model load*, *memory loaded* (resident, Rasa and the model) and "
        "*parse p50* come from a fresh process that loads the model and parses every held-out message.",
        "- The fallback thresholds are each pipeline's own: the linear classifiers' 0.3 was chosen on this held-out "
        "set, like the pipeline itself; DIET keeps the 0.45 it shipped with.",
        "",
    ]
    lines += development_section(results)
    lines += sealed_section(results)
    lines += spanish_section(results)
    lines += discovery_section(results)
    lines += component_tables(results)
    lines += [
        "## Gates in `make test`",
        "",
        "`make test` fails when the shipped model falls below these (`harness/gates.py`): the level reached when "
        "the gates were set, minus a margin (plus, for the fallback rate), and one held-out conversation fewer. "
        "Compare the first column with the shipped row above: a gate is raised when the model gets better.",
        "",
        "| figure | reached | margin | gate |",
        "|---|---:|---:|---:|",
        *(f"| {name.replace('_', ' ')} | {_f(level)} | {margin} | {'≥' if higher else '≤'} {_f(gates.limit(name))} |"
          for name, (level, higher, margin) in gates.REACHED.items()),
        f"| held-out conversations passing | {gates.CONVERSATIONS_REACHED} | ≥ {gates.CONVERSATIONS_REACHED - 1} |",
        "",
        *search_section(shipped),
        "## Per intent (shipped)",
        "",
        "| intent | precision | recall | F1 | messages |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {_f(v['precision'])} | {_f(v['recall'])} | {_f(v['f1'])} | {v['support']} |"
          for name, v in shipped["per_intent"].items()),
        "",
        "## Most frequent confusions (shipped)",
        "",
        "| labelled | read as | messages | examples |",
        "|---|---|---:|---|",
        *(f"| {c['true']} | {c['predicted']} | {c['count']} | "
          + "; ".join(f"“{t}”" for t in c["examples"]).replace("|", "\\|") + " |"
          for c in shipped["confusions"]),
        "",
        "## Job names missed (shipped)",
        "",
        *(f"- “{m['text']}”: expected {m['expected']}, found {m['found']}" for m in shipped["job_misses"]),
    ]
    if not shipped["job_misses"]:
        lines.append("- none")
    path.write_text("\n".join(lines) + "\n")


Figures = Tuple[Tuple[str, str, str], ...]  # a figure's key in harness/sealed.py's scores, its label, the target
SEALED_FIGURES: Figures = (("intent_accuracy", "intent accuracy", "≥ 0.95"),
                  ("out_of_scope_caught", "out of scope caught", "≥ 0.95"),
                  ("near_caught", "just outside the field caught", "≥ 0.95"), ("far_caught", "far from it caught", ""),
                  ("in_scope_refused", "in scope refused", "≤ 0.02"), ("job_ids_right", "right job ids", "≥ 0.98"))


def development_section(results: Dict[str, Dict[str, Any]]) -> List[str]:
    """The second development set, in the sealed set's format and scored the same way."""
    intro = ("`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} "
             "far from it) and {conversations} conversations of {turns} turns, written blind by a helper shown "
             "only the two sources and the label schema, like the sealed set. Its texts may be read, and settings "
             "were chosen on it (`python -m harness.sealed MODEL OUT.json --development --show` lists its "
             "errors). Figures as for the sealed set below.")
    later = ("`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} far from "
             "it) and {conversations} conversations of {turns} turns, written blind in the same way after the "
             "second; its texts may be read, and training examples were written for the kinds of its errors "
             "(docs/heldout-gaps.md).")
    return (set_section(results, "development", "Second development set", intro)
            + set_section(results, "names", "Third development set (names of jobs and fields)", later)
            + set_section(results, "students", "Fourth development set (students' everyday questions)", later))


def sealed_section(results: Dict[str, Dict[str, Any]]) -> List[str]:
    """The sealed test set's figures for every candidate, and the shipped one's as a ratio of Rasa's default."""
    intro = ("`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} far "
             "from it) and {conversations} conversations of {turns} turns, written by a helper shown neither "
             "`data/` nor the development set. Nothing was tuned on it, and nobody reads its failing texts: "
             "`harness/sealed.py` reports figures only. Each message goes through the model, the rules and the "
             "actions; *caught* means the reply says the sources don't cover it or that the job is outside the "
             "group (the `reply_kind` slot), whichever part saw it. *intent accuracy* counts an in-scope message "
             "right when read as its intent, an out-of-scope one when caught. A conversation is right when every "
             "turn is (its intent, and the job the reply is about).")
    return set_section(results, "sealed", "Sealed test set", intro)


# Issue 23's targets, for the sealed Spanish set; and no Spanish turn answered in English (set_section)
SPANISH_TARGETS = {"intent_accuracy": "≥ 0.93", "out_of_scope_caught": "≥ 0.90", "in_scope_refused": "",
                   "job_ids_right": "≥ 0.97"}
SPANISH_FIGURES: Figures = tuple((k, label, SPANISH_TARGETS[k]) for k, label, _ in SEALED_FIGURES
                                 if k in SPANISH_TARGETS)


def spanish_section(results: Dict[str, Dict[str, Any]]) -> List[str]:
    """The Spanish sets, scored as the English ones are, so both languages are measured by the same rules."""
    sets = [
        *set_section(results, "spanish", "Development set", (
            "`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} far from "
            "it) and {conversations} conversations of {turns} turns. Its texts may be read, and settings and "
            "Spanish training data were chosen on its errors (`python -m harness.sealed MODEL OUT.json --spanish "
            "--show` lists them)."), SPANISH_FIGURES, "issue 23", "###"),
        *set_section(results, "spanish_2", "Second development set", (
            "`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} far from "
            "it) and {conversations} conversations of {turns} turns, written blind after the first; its texts may "
            "be read (`--spanish-2 --show`)."), SPANISH_FIGURES, "issue 23", "###"),
        *set_section(results, "spanish_sealed", "Sealed set", (
            "`{folder}/`: {messages} messages ({in_scope} in scope, {near} just outside the field, {far} far from "
            "it) and {conversations} conversations of {turns} turns. Its texts are never read: `harness/sealed.py` "
            "reports its figures only, and nothing was tuned on it."), SPANISH_FIGURES, "issue 23", "###"),
    ]
    if not sets:
        return []
    return ["## Spanish", "",
            "Two sets in the sealed set's format, scored the same way, each written blind by a helper shown only the "
            "two sources and the label schema, with a section on how Spanish-speaking students and parents in the "
            "US write; one model reads both languages ([spanish.md](spanish.md)). *Spanish turns answered in "
            "English*: of the conversations' turns written in Spanish, those given a reply in English (source lines "
            "and quoted titles left out: they stay English).", "", *sets]


def set_section(results: Dict[str, Dict[str, Any]], key: str, title: str, intro: str,
                figures: Figures = SEALED_FIGURES, target: str = "issue 20", heading: str = "##") -> List[str]:
    """A set in the sealed set's format: every candidate's figures, and the shipped one's as ratios; for a
    Spanish set, also how many of its Spanish turns were answered in English (the target: none)."""
    scored = [(c, results[c.key][key]) for c in CANDIDATES if key in results.get(c.key, {})]
    if not scored:
        return []
    first = scored[0][1]
    spanish = "spanish_turns" in first["dialogues"]
    lines = [
        f"{heading} {title}",
        "",
        intro.format(folder=SETS[key][0].relative_to(PROJECT_DIR), messages=first["messages"],
                     in_scope=first["in_scope"], near=first["near"], far=first["far"],
                     conversations=first["dialogues"]["conversations"], turns=first["dialogues"]["turns"]),
        "",
        "| pipeline | " + " | ".join(label for _, label, _ in figures)
        + " | conversations right | turns right |" + (" Spanish turns answered in English |" if spanish else ""),
        "|---|" + "---:|" * (len(figures) + 2 + spanish),
    ]
    for candidate, row in scored:
        d = row["dialogues"]
        lines.append(f"| {candidate.key} | " + " | ".join(_f(row[k]) for k, _, _ in figures)
                     + f" | {d['conversations_right']}/{d['conversations']} | {d['turns_right']}/{d['turns']} |"
                     + (f" {d['english_replies']}/{d['spanish_turns']} |" if spanish else ""))
    lines.append(f"| *target ({target})* | " + " | ".join(t for _, _, t in figures) + " | | |"
                 + (" 0 |" if spanish else ""))
    by_key = dict((c.key, f) for c, f in scored)
    for reference, name in (("rasa_default", "Rasa's default pipeline"), ("no_embedding", "no embedding")):
        if "shipped" in by_key and reference in by_key:
            ratios = [f"{label} {_ratio(by_key['shipped'][k], by_key[reference][k])}" for k, label, _ in figures]
            lines += ["", f"Shipped ÷ {name}, same run: " + "; ".join(ratios) + "."]
    clean = by_key.get("shipped", first).get("clean")
    which = "" if spanish else " (mostly short common questions)"  # what the English sets' coinciding texts are
    if clean:
        lines += ["", f"{by_key.get('shipped', first).get('coinciding_texts')} of the set's texts coincide with "
                  f"training texts by the copy checker's rules{which}, though written blind. Without them "
                  f"({clean['messages']} messages, {clean['out_of_scope']} out of scope, "
                  f"{clean['near']} near), the shipped pipeline: " + "; ".join(
                      f"{label} {_f(clean[k])}" for k, label, _ in figures) + "."]
    kinds = by_key.get("shipped", first).get("caught_by_kind", {})
    if kinds:
        lines += ["", "Out-of-scope messages caught by the shipped pipeline, by kind: " + "; ".join(
            f"{k.replace('_', ' ')} {v['caught']}/{v['of']}" for k, v in kinds.items()) + "."]
    return lines + [""]


DISCOVERY_FIGURES = (("intent_accuracy", "intent accuracy"), ("preferences_right", "preferences read right"),
                     ("turn_accuracy", "turns right"), ("preferences_kept_right", "preferences kept right"),
                     ("no_ruled_out_job_offered", "no ruled-out job offered"),
                     ("offered_jobs_with_a_fact", "offered jobs with a fact"))


def discovery_section(results: Dict[str, Dict[str, Any]]) -> List[str]:
    """Finding a job: the discovery development set and the sealed one, for every candidate."""
    lines = ["## Finding a job (discovery sets)", "",
             "`tests/discovery/` (development: settings and training data were chosen on its errors) and "
             "`tests/discovery_sealed/` (sealed: figures only), each written blind by a helper shown the sources, "
             "the label schema and what the feature does, never `data/`. Scored by `harness/discovery_set.py`: "
             "the intent, the preferences a message states (like, dislike, doesn't mind), each turn's reply, the "
             "preferences kept across a conversation; and in every discovery answer, no job the student ruled out "
             "and a fact of its own for every job offered.", ""]
    found = False
    for key, title in (("discovery", "development"), ("discovery_sealed", "sealed")):
        scored = [(c, results[c.key][key]) for c in CANDIDATES if key in results.get(c.key, {})]
        if not scored:
            continue
        found = True
        first = scored[0][1]
        lines += [f"{title.capitalize()}: {first['messages']} messages, {first['conversations']} conversations "
                  f"of {first['turns']} turns.", "",
                  "| pipeline | " + " | ".join(label for _, label in DISCOVERY_FIGURES) + " |",
                  "|---|" + "---:|" * len(DISCOVERY_FIGURES)]
        lines += [f"| {c.key} | " + " | ".join(_f(f.get(k)) for k, _ in DISCOVERY_FIGURES) + " |" for c, f in scored]
        lines.append("")
    return lines if found else []


def _ratio(a: Optional[float], b: Optional[float]) -> str:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return "–"
    return f"{a / b:.2f}"


def search_section(shipped: Dict[str, Any]) -> List[str]:
    """The search before the fallback, on the shipped model's held-out predictions (harness/search_scores.py)."""
    if "search" not in shipped:  # a summary written before the search existed
        return []
    return ["## Search before the fallback (shipped)", "",
            "Before \"sorry, I'm not sure\", the fallback searches the knowledge base (knowledge/search.py) and "
            "answers with the closest fact when it scores at least the threshold. *Answered* and *right* count the "
            "in-scope held-out messages that the model sends to the fallback (right: the fact's topic is the "
            "labelled intent's, and its job the named one or an ancestor); *out-of-scope answered* is a share of "
            "every out-of-scope message. The same figures over every held-out message, as if each fell back, "
            "measure the search itself on a sample that a better model does not shrink; the threshold is chosen "
            "on both (`python -m harness.search_scores --threshold-sweep`).", "",
            *search_scores.markdown(shipped["search"]), ""]


def component_tables(results: Dict[str, Dict[str, Any]]) -> List[str]:
    """Each component's share of training, loading and parsing, shipped beside the pipeline before."""
    shown = [k for k in ("shipped", "before") if k in results]
    names: List[str] = []
    for key in shown:
        profile = results[key]["profile"]
        for table in ("train", "load", "parse_ms_per_message"):
            names += [n for n, v in profile[table].items() if v >= 0.05 and n not in names]
    header = " | ".join(f"{k}: {t}" for k in shown for t in ("training (s)", "load (s)", "parse (ms)"))
    lines = ["## Where the time goes", "",
             "Each component's share, from timers around Rasa's graph nodes (`bench/components.py`); memory is the "
             "growth of the resident set while the component loads in a fresh process (imports included).", "",
             f"| component | {header} |", "|---|" + "---:|" * (3 * len(shown))]
    for name in names:
        cells = []
        for key in shown:
            profile = results[key]["profile"]
            cells += [_f(profile["train"].get(name), 1), _f(profile["load"].get(name), 2),
                      _f(profile["parse_ms_per_message"].get(name), 2)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key in shown:
        profile = results[key]["profile"]
        grown = ", ".join(f"{n} {mb} MB" for n, mb in profile["load_memory_mb"].items())
        lines.append("")
        lines.append(f"{key}: Python with Rasa imported holds {profile['rss_mb_rasa_imported']} MB; loading the model "
                     f"brings it to {profile['rss_mb_loaded']} MB ({grown or 'no component grew it by 1 MB'}).")
    return lines + [""]


def main(argv: Optional[List[str]] = None) -> int:
    """`make eval`: train and score every candidate, or rewrite the page from the last summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="candidate keys to run (default: all)")
    parser.add_argument("--from-summary", action="store_true",
                        help="rewrite docs/evaluation.md from the last run's results/eval/summary.json")
    args = parser.parse_args(argv)
    summary_path = RESULTS / "summary.json"
    if args.from_summary:
        summary = json.loads(summary_path.read_text())
    else:
        chosen = [c for c in CANDIDATES if not args.only or c.key in args.only]
        RESULTS.mkdir(parents=True, exist_ok=True)
        measured_at = provenance.measured_at()
        scratch = Path(tempfile.mkdtemp(prefix="eval-"))
        try:
            summary = {"measured_at": measured_at, "results": {c.key: measure(c, scratch) for c in chosen}}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        summary_path.write_text(json.dumps(summary, indent=1))
    if "shipped" in summary["results"]:
        write(summary["results"], summary["measured_at"], PROJECT_DIR / "docs" / "evaluation.md")
        if "search" in summary["results"]["shipped"]:
            print("search before the fallback: " + search_scores.sentence(summary["results"]["shipped"]["search"]))
        print("wrote docs/evaluation.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
