"""Score a trained model on held-out NLU data: the figures that `make test` gates and `make eval` reports.

One pass parses every held-out message with the model, as the Rasa server would, and keeps
what the dialogue and the actions receive: the intent after the fallback classifier, and the
occupation / other_job entities as knowledge-base ids. From that:

- intent accuracy (a fallback counts as wrong), and precision, recall and F1 per intent;
- in-scope fallback: the share of in-scope messages sent to "sorry, I'm not sure";
- out-of-scope recall: the share of out-of-scope messages answered as such or by the fallback;
- entity F1: exact spans and kinds of the occupation and other_job entities;
- job ids: of the messages that name a job, the share whose ids are exactly right
  (misspellings included); of the others, the share given a job nobody named.

    python -m harness.nlu_scores MODEL HELD_OUT.yml OUT.json   # in a process of its own: load time, memory
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from harness import servers

FALLBACK, OUT_OF_SCOPE = "nlu_fallback", "out_of_scope"
ENTITIES = ("occupation", "other_job")


def rss_mb() -> float:
    """This process's resident memory, in MB."""
    return servers.rss_mb(os.getpid())


def gold_examples(path: Path) -> List[Dict[str, Any]]:
    """Text, intent and (kind, start, end, id) of each held-out example."""
    from rasa.shared.nlu.training_data.loading import load_data

    from knowledge.query import KnowledgeBase

    names = KnowledgeBase().names
    examples = []
    for message in load_data(str(path)).intent_examples:
        entities = []
        for entity in message.get("entities") or []:
            if entity["entity"] not in ENTITIES:
                continue
            found = names.classify(entity.get("value"))
            job_id = found[1] if found else str(entity.get("value"))
            entities.append((entity["entity"], entity["start"], entity["end"], job_id))
        examples.append({"text": message.get("text"), "intent": message.get("intent"), "entities": entities})
    return examples


def parse_all(model: Path, examples: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Load the model and parse every example; time both, and note the memory."""
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from rasa.core.agent import Agent

    before = rss_mb()
    start = time.perf_counter()
    agent = Agent.load(str(model))
    load_s = time.perf_counter() - start
    loaded = rss_mb()

    async def parse() -> Tuple[List[Dict[str, Any]], List[float]]:
        results, times = [], []
        await agent.parse_message("warm up")
        for example in examples:
            began = time.perf_counter()
            results.append(await agent.parse_message(example["text"]))
            times.append((time.perf_counter() - began) * 1000)
        return results, times

    results, times = asyncio.run(parse())
    predictions = []
    for example, result in zip(examples, results, strict=True):
        intent = (result.get("intent") or {}).get("name")
        ranking = [r for r in result.get("intent_ranking") or [] if r.get("name") != FALLBACK]
        entities = [(e["entity"], e["start"], e["end"], e["value"]) for e in result.get("entities") or []
                    if e.get("entity") in ENTITIES]
        predictions.append({**example, "predicted": intent, "entities_found": entities,
                            "top": ranking[0]["name"] if ranking else intent,
                            "confidence": ranking[0]["confidence"] if ranking else 0.0})
    return {"predictions": predictions, "load_s": round(load_s, 2), "rss_mb_rasa_imported": round(before),
            "rss_mb_loaded": round(loaded), "rss_mb_after_parsing": round(rss_mb()),
            "parse_ms_p50": round(statistics.median(times), 2), "parse_ms_p95": round(_percentile(times, 95), 2)}


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(predictions: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Every figure of the module docstring, from `parse_all`'s predictions."""
    n = len(predictions)
    in_scope = [p for p in predictions if p["intent"] != OUT_OF_SCOPE]
    out_of_scope = [p for p in predictions if p["intent"] == OUT_OF_SCOPE]
    per_intent: Dict[str, Dict[str, float]] = {}
    for intent in sorted({p["intent"] for p in predictions}):
        tp = sum(p["intent"] == intent and p["predicted"] == intent for p in predictions)
        predicted = sum(p["predicted"] == intent for p in predictions)
        support = sum(p["intent"] == intent for p in predictions)
        precision, recall = (tp / predicted if predicted else 0.0), (tp / support if support else 0.0)
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": _f1(precision, recall),
                              "support": support}
    gold_spans = collections.Counter(e[:3] + (i,) for i, p in enumerate(predictions) for e in p["entities"])
    found_spans = collections.Counter(e[:3] + (i,) for i, p in enumerate(predictions) for e in p["entities_found"])
    matched = sum((gold_spans & found_spans).values())
    entity_precision = matched / sum(found_spans.values()) if found_spans else 0.0
    entity_recall = matched / sum(gold_spans.values()) if gold_spans else 0.0
    naming = [p for p in predictions if p["entities"]]
    silent = [p for p in predictions if not p["entities"]]

    def ids(entities: List[Any]) -> Set[Tuple[str, str]]:
        return {(e[0], e[3]) for e in entities}

    wrong = [p for p in predictions if p["intent"] != p["predicted"]]
    confusions = collections.Counter((p["intent"], p["predicted"]) for p in wrong)
    examples: Dict[Tuple[str, str], List[str]] = collections.defaultdict(list)
    for p in wrong:
        examples[(p["intent"], p["predicted"])].append(p["text"])
    return {
        "examples": n,
        "intents": len(per_intent),
        "intent_accuracy": sum(p["intent"] == p["predicted"] for p in predictions) / n,
        "in_scope_fallback": sum(p["predicted"] == FALLBACK for p in in_scope) / len(in_scope),
        "out_of_scope_recall": (sum(p["predicted"] in (OUT_OF_SCOPE, FALLBACK) for p in out_of_scope)
                                / len(out_of_scope)) if out_of_scope else float("nan"),
        "entity_f1": _f1(entity_precision, entity_recall),
        "job_ids_right": sum(ids(p["entities"]) == ids(p["entities_found"]) for p in naming) / len(naming),
        "examples_naming_a_job": len(naming),
        "job_invented": sum(any(e[0] == "occupation" for e in p["entities_found"]) for p in silent) / len(silent),
        "per_intent": per_intent,
        "confusions": [{"true": t, "predicted": pr, "count": c, "examples": examples[(t, pr)][:2]}
                       for (t, pr), c in confusions.most_common(10)],
        "job_misses": [{"text": p["text"], "expected": sorted(ids(p["entities"])),
                        "found": sorted(ids(p["entities_found"]))}
                       for p in naming if ids(p["entities"]) != ids(p["entities_found"])][:10],
    }


def evaluate(model: Path, held_out: Path) -> Dict[str, Any]:
    """Parse and score in this process."""
    parsed = parse_all(model, gold_examples(held_out))
    return {**score(parsed["predictions"]), **{k: v for k, v in parsed.items() if k != "predictions"},
            "predictions": parsed["predictions"]}


def main(argv: Optional[List[str]] = None) -> int:
    """Score in a process of its own, so the load time and memory are the model's alone."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = evaluate(Path(args[0]), Path(args[1]))
    Path(args[2]).parent.mkdir(parents=True, exist_ok=True)
    Path(args[2]).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k not in ("per_intent", "predictions", "confusions",
                                                                   "job_misses")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
