"""`make eval`: how well the assistant understands students, against baselines, on held-out data.

Scores the shipped model, Rasa's default pipeline trained on the same data, and a keyword
matcher, all on tests/nlu_holdout.yml (written apart from the training data), then runs the
conversation tests. Writes docs/evaluation.md and docs/confusion_matrix.png.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from harness.servers import BIN, PROJECT_DIR

HOLDOUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
BASELINE_CONFIG = PROJECT_DIR / "bench" / "baseline_config.yml"
CONVERSATION_TESTS = ("tests/test_stories.yml", "tests/test_conversations_holdout.yml")
RESULTS = PROJECT_DIR / "results" / "eval"
OUT_OF_SCOPE, FALLBACK = "out_of_scope", "nlu_fallback"
TOKEN = re.compile(r"[a-z0-9']+")
# The held-out job names that are no alias in the knowledge base (misspellings, slang),
# labelled by hand; every other held-out mention takes its id from the alias table.
HAND_LABELLED = {"radiografer": "radiologic_technologist", "nuke med": "nuclear_medicine_technologist",
                 "mamography tech": "mammographer", "sonografer": "sonographer", "sonografers": "sonographer",
                 "mamographer": "mammographer"}


def rasa(*args: str) -> None:
    subprocess.run([str(BIN / "rasa"), *args, "--quiet"], cwd=PROJECT_DIR, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_nlu(model: Path, out: Path) -> Dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    rasa("test", "nlu", "--nlu", str(HOLDOUT), "--model", str(model), "--out", str(out))
    return scores_from_reports(out)


def scores_from_reports(out: Path) -> Dict[str, Any]:
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text())
    entity_reports = sorted(out.glob("*_report.json"))
    entity_f1 = {p.name.removesuffix("_report.json"): json.loads(p.read_text()).get("occupation", {}).get("f1-score")
                 for p in entity_reports if p.name != "intent_report.json"}
    total = sum(v["support"] for k, v in report.items() if isinstance(v, dict) and k not in _AVERAGES)
    fallbacks = sum(1 for e in errors if e["intent_prediction"]["name"] == FALLBACK)
    return {"accuracy": report["accuracy"], "per_intent": {k: v for k, v in report.items()
                                                          if isinstance(v, dict) and k not in _AVERAGES},
            "entity_f1": entity_f1, "errors": errors, "examples": total,
            "fallback_rate": fallbacks / total if total else math.nan,
            "out_of_scope_recall": report.get(OUT_OF_SCOPE, {}).get("recall", math.nan)}


_AVERAGES = ("macro avg", "weighted avg", "micro avg", "accuracy")


def load_examples(path: Path) -> List[Tuple[str, str, List[str]]]:
    """(text, intent, entity texts) of a Rasa NLU YAML file."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent"), [m.get("text")[e["start"]:e["end"]] for e in m.get("entities") or []])
            for m in data.intent_examples]


def keyword_baseline(aliases: List[str]) -> Dict[str, Any]:
    """Each intent's words weighted by how specific they are to it in the training data."""
    train = load_examples(PROJECT_DIR / "data" / "nlu.yml")
    counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for text, intent, _ in train:
        counts[intent].update(set(TOKEN.findall(text.lower())))
    totals: collections.Counter = collections.Counter()
    for counter in counts.values():
        totals.update(counter)
    holdout = load_examples(HOLDOUT)
    correct, true_entities, found_entities, matched = 0, 0, 0, 0
    for text, intent, entities in holdout:
        words = set(TOKEN.findall(text.lower()))
        scores = {name: sum(c[w] / totals[w] for w in words if totals[w]) / (1 + math.log(1 + sum(c.values())))
                  for name, c in counts.items()}
        correct += max(scores, key=scores.get) == intent
        lower = f" {text.lower()} "
        found = {a for a in aliases if f" {a} " in lower}
        found = {a for a in found if not any(a != b and a in b for b in found)}
        true_entities += len(entities)
        found_entities += len(found)
        matched += sum(1 for e in entities if e.lower() in found)
    precision = matched / found_entities if found_entities else 0.0
    recall = matched / true_entities if true_entities else 0.0
    return {"accuracy": correct / len(holdout),
            "entity_f1": {"exact alias match": 2 * precision * recall / (precision + recall) if matched else 0.0}}


def occupation_resolution(model: Path, aliases: Dict[str, str]) -> Dict[str, Any]:
    """What the actions need: the right knowledge-base id for each job a student names.

    Entity F1 scores the span; this scores the value the actions receive. A span the
    pipeline finds but cannot map to an id ("sonografer") makes the assistant ask again.
    """
    import asyncio
    import logging

    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # no per-parse lines

    ids = set(aliases.values())
    gold_of = {**{a.lower(): v for a, v in aliases.items()}, **HAND_LABELLED}
    examples = load_examples(HOLDOUT)
    agent = Agent.load(str(model))

    async def parse_all() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text, _, _ in examples]

    parsed = asyncio.run(parse_all())
    right = named = wrong_extra = 0
    for (_, _, entities), result in zip(examples, parsed, strict=True):
        gold = {gold_of[e.lower()] for e in entities}
        found = {e["value"] for e in result.get("entities", []) if e.get("entity") == "occupation"}
        if gold:
            named += 1
            right += found == gold
        else:
            wrong_extra += bool(found & ids)
    return {"resolved": right / named if named else math.nan, "examples_naming_a_job": named,
            "invented_job": wrong_extra / (len(examples) - named)}


def conversation_pass_rates(model: Path) -> Dict[str, Dict[str, Any]]:
    rates = {}
    for stories in CONVERSATION_TESTS:
        out = RESULTS / "conversations" / Path(stories).stem
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([str(BIN / "rasa"), "test", "core", "--stories", stories, "--model", str(model), "--out",
                        str(out), "--e2e", "--quiet"], cwd=PROJECT_DIR, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        report = json.loads((out / "story_report.json").read_text())["conversation_accuracy"]
        rates[stories] = {"passed": report["correct"], "total": report["total"]}
    return rates


def worst_confusions(errors: List[Dict[str, Any]], n: int = 8) -> List[Tuple[str, str, int, List[str]]]:
    pairs: Dict[Tuple[str, str], List[str]] = collections.defaultdict(list)
    for error in errors:
        pairs[(error["intent"], error["intent_prediction"]["name"])].append(error["text"])
    ranked = sorted(pairs.items(), key=lambda item: -len(item[1]))[:n]
    return [(true, predicted, len(texts), texts[:2]) for (true, predicted), texts in ranked]


def write(shipped: Dict[str, Any], baseline: Dict[str, Any], keywords: Dict[str, Any],
          conversations: Dict[str, Dict[str, Any]], path: Path) -> None:
    def f(value: Optional[float]) -> str:
        return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"

    shipped_entity = shipped["entity_f1"].get("OccupationEntities")
    baseline_entity = max((v for v in baseline["entity_f1"].values() if v is not None), default=None)
    lines = [
        "# Evaluation",
        "",
        f"Measured by `make eval` on `tests/nlu_holdout.yml`: {shipped['examples']} examples of "
        f"{len(shipped['per_intent'])} intents, written apart from the training data. All three "
        "systems learn from the same `data/nlu.yml` and are scored on the same held-out examples in the same run.",
        "",
        "| | intent accuracy | occupation entity F1 | out-of-scope caught | sent to fallback |",
        "|---|---:|---:|---:|---:|",
        f"| **shipped** (own spaCy pipeline + entity ruler, DIET, entity merger, fallback) | "
        f"**{f(shipped['accuracy'])}** | **{f(shipped_entity)}** | {f(shipped['out_of_scope_recall'])} "
        f"| {f(shipped['fallback_rate'])} |",
        f"| Rasa's default pipeline (whitespace tokenizer, count vectors, DIET) | {f(baseline['accuracy'])} "
        f"| {f(baseline_entity)} | {f(baseline['out_of_scope_recall'])} | {f(baseline['fallback_rate'])} |",
        f"| keyword matcher (intent words weighted by specificity; exact alias match) | {f(keywords['accuracy'])} "
        f"| {f(keywords['entity_f1']['exact alias match'])} | – | – |",
        "",
        "**Job named, job understood.** Entity F1 scores where a job name is; the actions need which job it "
        "is, as a knowledge-base id. Of the "
        f"{shipped['resolution']['examples_naming_a_job']} held-out messages that name a job, the share whose "
        "occupation entities are exactly the right ids (misspellings included); and, of the others, the share "
        "given a job nobody named:",
        "",
        "| | right job ids | a job where none was named |",
        "|---|---:|---:|",
        f"| **shipped** | **{f(shipped['resolution']['resolved'])}** | {f(shipped['resolution']['invented_job'])} |",
        f"| Rasa's default pipeline | {f(baseline['resolution']['resolved'])} "
        f"| {f(baseline['resolution']['invented_job'])} |",
        "",
        "Conversation tests (`rasa test core --e2e`: NLU and dialogue together):",
        "",
    ]
    lines += [f"- `{name}`: {r['passed']} of {r['total']} conversations pass" for name, r in conversations.items()]
    lines += ["", "## Where the shipped pipeline wins and loses", ""]
    lines += compare_intents(shipped, baseline)
    lines += ["", "## Per intent (shipped)", "", "| intent | precision | recall | F1 | examples |",
              "|---|---:|---:|---:|---:|"]
    for name, v in sorted(shipped["per_intent"].items()):
        lines.append(f"| {name} | {f(v['precision'])} | {f(v['recall'])} | {f(v['f1-score'])} | {v['support']} |")
    lines += ["", "![intent confusion matrix](confusion_matrix.png)", "", "## Worst confusions (shipped)", "",
              "| true | predicted | count | examples |", "|---|---|---:|---|"]
    for true, predicted, count, texts in worst_confusions(shipped["errors"]):
        examples = "; ".join(f"“{t}”" for t in texts).replace("|", "\\|")
        lines.append(f"| {true} | {predicted} | {count} | {examples} |")
    path.write_text("\n".join(lines) + "\n")


def compare_intents(shipped: Dict[str, Any], baseline: Dict[str, Any]) -> List[str]:
    deltas = []
    for name, v in shipped["per_intent"].items():
        other = baseline["per_intent"].get(name)
        if other:
            deltas.append((v["f1-score"] - other["f1-score"], name, v["f1-score"], other["f1-score"]))
    deltas.sort()
    wins = [d for d in reversed(deltas) if d[0] > 0.005][:6]
    losses = [d for d in deltas if d[0] < -0.005][:6]
    lines = ["Intent F1, shipped against Rasa's default pipeline:", ""]
    lines += [f"- wins on **{n}**: {s:.3f} against {b:.3f}" for _, n, s, b in wins] or ["- no clear wins"]
    lines += [f"- loses on **{n}**: {s:.3f} against {b:.3f}" for _, n, s, b in losses] or ["- no clear losses"]
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shipped = test_nlu(PROJECT_DIR / "models" / "current.tar.gz", RESULTS / "shipped")
    scratch = Path(tempfile.mkdtemp(prefix="eval-baseline-"))
    try:
        rasa("train", "nlu", "--config", str(BASELINE_CONFIG), "--nlu", "data", "--out", str(scratch),
             "--fixed-model-name", "baseline")
        baseline = test_nlu(scratch / "baseline.tar.gz", RESULTS / "baseline")
        from knowledge.build import load

        knowledge = load()
        aliases = {**knowledge.aliases, **knowledge.generated}
        baseline["resolution"] = occupation_resolution(scratch / "baseline.tar.gz", aliases)
        shipped["resolution"] = occupation_resolution(PROJECT_DIR / "models" / "current.tar.gz", aliases)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    keywords = keyword_baseline(sorted({**knowledge.aliases, **knowledge.generated}))
    conversations = conversation_pass_rates(PROJECT_DIR / "models" / "current.tar.gz")
    shutil.copy(RESULTS / "shipped" / "intent_confusion_matrix.png", PROJECT_DIR / "docs" / "confusion_matrix.png")
    write(shipped, baseline, keywords, conversations, PROJECT_DIR / "docs" / "evaluation.md")
    keys = ("accuracy", "entity_f1", "fallback_rate", "out_of_scope_recall", "resolution")
    summary = {"shipped": {k: shipped[k] for k in keys}, "baseline": {k: baseline[k] for k in keys},
               "keywords": keywords, "conversations": conversations}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
