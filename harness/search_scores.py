"""How well the search before the fallback answers: the figures `make eval` reports and `make test-nlu` gates.

The fallback (actions/support.py) searches the knowledge base before "sorry, I'm not sure" and
answers from the best fact when it scores at least knowledge/search.py's THRESHOLD. On the
held-out messages that the model sends to the fallback (nlu_scores' per-message predictions),
this counts, as the action would run it (the message's text and the job names the NLU found):

- in-scope fallbacks answered: the share of in-scope messages that fell back and got an answer;
- answers right: the share of those answers whose fact has the topic of the labelled intent
  (knowledge/vocabulary.py TOPIC_BY_INTENT; intents without a topic, like greet or ask_titles,
  have no right answer) and, when the message names a job, belongs to that job or an ancestor;
- out-of-scope answered: out-of-scope messages that fell back and got an answer, as a share of
  every out-of-scope message (it must stay near 0).

The same three figures "as if every message fell back" (the search run on all of them) show
how the search itself behaves on a sample that a better model does not shrink (763 in-scope
messages, where the current model sends 4 to the fallback): the threshold is chosen on both,
the rule being the lowest threshold at which at least 90% of the answers are right and at most
5% of the out-of-scope messages are answered.

    python -m harness.search_scores [SCORES.json]                    # figures at THRESHOLD (default:
                                                                     #   results/nlu-scores.json)
    python -m harness.search_scores [SCORES.json] --threshold-sweep  # and every threshold, with the
                                                                     #   one the rule below chooses
    python -m harness.search_scores --data data/nlu --threshold-sweep  # any NLU file or folder, every message as
                                                                     #   a fallback, the labelled job names
    python -m harness.search_scores --data data/nlu --topic-words      # candidate TOPIC_WORDS from the
                                                                     #   training questions

Rerun `python -m harness.nlu_scores models/current.tar.gz tests/nlu_holdout.yml
results/nlu-scores.json` first after retraining (or `make test-nlu`, which writes it too).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from knowledge.names import Found
from knowledge.query import KnowledgeBase
from knowledge.search import THRESHOLD, Hit, Searcher, searcher
from knowledge.vocabulary import TOPIC_BY_INTENT

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCORES = PROJECT_DIR / "results" / "nlu-scores.json"
FALLBACK, OUT_OF_SCOPE = "nlu_fallback", "out_of_scope"
# What the issue asks of the search: it answers at least half of the in-scope fallbacks, at
# least 90% of those answers are right, and it answers at most 5% of out-of-scope messages.
MIN_ANSWERED, MIN_RIGHT, MAX_OUT_OF_SCOPE = 0.5, 0.9, 0.05
SWEEP = [round(0.05 * i, 2) for i in range(1, 20)]


@dataclass(frozen=True)
class Judged:
    """One message: whether it fell back, is in scope, the search's best hit, and whether that hit is right."""

    text: str
    intent: str
    fell_back: bool
    in_scope: bool
    hit: Optional[Hit]
    right: bool


def nlu_mentions(prediction: Dict[str, Any]) -> List[Found]:
    """The job names the NLU found, with their spans, as actions.context.message_mentions reads them."""
    text = prediction["text"]
    return [Found(start, end, text[start:end], entity, value)
            for entity, start, end, value in prediction.get("entities_found") or []
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)]


def is_right(kb: KnowledgeBase, prediction: Dict[str, Any], hit: Hit) -> bool:
    """The hit answers the labelled intent's topic, about the labelled job (or an ancestor) if one is named."""
    if TOPIC_BY_INTENT.get(prediction["intent"]) != hit.document.topic:
        return False
    named = [e[3] for e in prediction.get("entities") or [] if e[0] in ("occupation", "other_job")]
    if not named:
        return True
    return any(hit.document.occupation_id in kb.lineage(job) for job in named)


def judge(search: Searcher, predictions: Iterable[Dict[str, Any]]) -> List[Judged]:
    """Run the search on every message as ActionFallback would (its text, the NLU's job names)."""
    kb = search.kb
    judged = []
    for p in predictions:
        hit = search.search(p["text"], nlu_mentions(p))
        judged.append(Judged(p["text"], p["intent"], p.get("predicted") == FALLBACK, p["intent"] != OUT_OF_SCOPE,
                             hit, hit is not None and is_right(kb, p, hit)))
    return judged


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def figures(judged: Sequence[Judged], threshold: float = THRESHOLD, every: bool = False) -> Dict[str, Any]:
    """The three figures at `threshold`: for the messages that fell back, or (`every`) for all of them."""
    def answered(j: Judged) -> bool:
        return j.hit is not None and j.hit.score >= threshold

    asked = [j for j in judged if j.in_scope and (every or j.fell_back)]
    got = [j for j in asked if answered(j)]
    right = [j for j in got if j.right]
    out_of_scope = [j for j in judged if not j.in_scope]
    out_answered = [j for j in out_of_scope if (every or j.fell_back) and answered(j)]
    return {"threshold": threshold, "in_scope": len(asked), "answered": len(got), "right": len(right),
            "answered_share": _share(len(got), len(asked)), "right_share": _share(len(right), len(got)),
            "out_of_scope": len(out_of_scope), "out_of_scope_answered": len(out_answered),
            "out_of_scope_share": _share(len(out_answered), len(out_of_scope))}


def meets(row: Dict[str, Any], answered_too: bool = False) -> bool:
    """The issue's targets: answers right and out-of-scope kept out (and, if asked, enough answered)."""
    right = row["right_share"]
    ok = (math.isnan(right) or right >= MIN_RIGHT) and not row["out_of_scope_share"] > MAX_OUT_OF_SCOPE
    return ok and (not answered_too or row["answered_share"] >= MIN_ANSWERED)


def choose(judged: Sequence[Judged], thresholds: Sequence[float] = SWEEP) -> Optional[float]:
    """The lowest threshold (so the most answers) that meets the targets over every message and over the fallbacks."""
    for threshold in thresholds:
        if meets(figures(judged, threshold, every=True)) and meets(figures(judged, threshold)):
            return threshold
    return None


def summarise(predictions: Sequence[Dict[str, Any]], kb: Optional[KnowledgeBase] = None) -> Dict[str, Any]:
    """Everything `make eval` shows, as JSON: the figures at THRESHOLD, each fallback's fate, and the sweep."""
    judged = judge(searcher(kb or KnowledgeBase()), predictions)
    fallbacks = [{"text": j.text, "intent": j.intent, "found": _found(j), "score": j.hit.score if j.hit else 0.0,
                  "answered": j.hit is not None and j.hit.score >= THRESHOLD, "right": j.right}
                 for j in judged if j.fell_back]
    thresholds = sorted({*SWEEP, THRESHOLD})
    return {"threshold": THRESHOLD, "chosen": choose(judged), "fallbacks": fallbacks,
            "at": figures(judged), "every": figures(judged, every=True),
            "sweep": [{"fell_back": figures(judged, t), "every": figures(judged, t, every=True)} for t in thresholds]}


def gate_figures(summary: Dict[str, Any]) -> Dict[str, float]:
    """The figures harness/gates.py checks, at THRESHOLD: on the fallbacks, and on every message."""
    at, every = summary["at"], summary["every"]
    return {"search_answered": at["answered_share"], "search_right": at["right_share"],
            "search_out_of_scope": at["out_of_scope_share"], "search_fallbacks": at["in_scope"],
            "search_answered_all": every["answered_share"], "search_right_all": every["right_share"],
            "search_out_of_scope_all": every["out_of_scope_share"]}


def _found(j: Judged) -> str:
    if j.hit is None:
        return "nothing"
    task = f" (task {j.hit.document.task})" if j.hit.document.task else ""
    return f"{j.hit.document.occupation_id} {j.hit.document.topic}{task}"


def _f(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def _cell(part: int, whole: int, share: float) -> str:
    return f"{part}/{whole} ({_f(share)})"


def sentence(summary: Dict[str, Any]) -> str:
    """The two figures in words."""
    at, every = summary["at"], summary["every"]
    return (f"At the threshold {summary['threshold']} (knowledge/search.py), of the {at['in_scope']} in-scope "
            f"held-out messages that fall back, the search answers {at['answered']} ({_f(at['answered_share'])}), "
            f"{at['right']} of them right ({_f(at['right_share'])}); it answers {at['out_of_scope_answered']} of the "
            f"{at['out_of_scope']} out-of-scope messages ({_f(at['out_of_scope_share'])}). Run on every held-out "
            f"message as if each fell back, it answers {every['answered']} of {every['in_scope']} in scope, "
            f"{every['right']} right ({_f(every['right_share'])}), and {every['out_of_scope_answered']} of "
            f"{every['out_of_scope']} out of scope ({_f(every['out_of_scope_share'])}).")


def markdown(summary: Dict[str, Any], sweep: bool = True) -> List[str]:
    """Markdown lines: the figures in words, each fallback's fate and (`sweep`) every threshold."""
    lines = [sentence(summary), "", "| message that falls back | labelled | search finds | score | answered | right |",
             "|---|---|---|---:|:---:|:---:|"]
    for row in summary["fallbacks"]:
        right = ("yes" if row["right"] else "no") if row["answered"] else ""
        lines.append(f"| {row['text'].replace('|', '/')} | {row['intent']} | {row['found']} | {row['score']:.2f} "
                     f"| {'yes' if row['answered'] else 'no'} | {right} |")
    if not summary["fallbacks"]:
        lines.append("| (none) | | | | | |")
    if sweep:
        lines += ["", "| threshold | fallbacks answered | right | out-of-scope answered | every message: answered "
                  "| right | out-of-scope answered |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for row in summary["sweep"]:
            a, e = row["fell_back"], row["every"]
            mark = " **(chosen)**" if a["threshold"] == summary["threshold"] else ""
            lines.append(f"| {a['threshold']:.2f}{mark} | {_cell(a['answered'], a['in_scope'], a['answered_share'])} "
                         f"| {_cell(a['right'], a['answered'], a['right_share'])} "
                         f"| {_cell(a['out_of_scope_answered'], a['out_of_scope'], a['out_of_scope_share'])} "
                         f"| {_cell(e['answered'], e['in_scope'], e['answered_share'])} "
                         f"| {_cell(e['right'], e['answered'], e['right_share'])} "
                         f"| {_cell(e['out_of_scope_answered'], e['out_of_scope'], e['out_of_scope_share'])} |")
        chosen = summary["chosen"]
        lines += ["", f"The rule (the lowest threshold at which at least {MIN_RIGHT:.0%} of the answers are right and "
                  f"at most {MAX_OUT_OF_SCOPE:.0%} of out-of-scope messages are answered, over every message and over "
                  f"the fallbacks) chooses {chosen if chosen is not None else 'no threshold'}"
                  + ("." if chosen == summary["threshold"] else f"; knowledge/search.py has {summary['threshold']}: "
                     "set THRESHOLD there if the change is wanted.")]
    return lines


def topic_words(predictions: Sequence[Dict[str, Any]], least: int = 3, share: float = 0.8) -> List[str]:
    """Per topic, the words of an NLU file that its intent's questions use: candidates for knowledge/search.py's
    TOPIC_WORDS, marked with "+" when the list already has them."""
    from knowledge.search import TOPIC_WORDS

    search = searcher(KnowledgeBase())
    counts: Dict[str, Counter] = defaultdict(Counter)
    for p in predictions:
        query = search.query(p["text"])
        for word in set(query.words if query else ()):
            counts[word][p["intent"]] += 1
    found: Dict[str, List[str]] = defaultdict(list)
    for word, by_intent in sorted(counts.items()):
        intent, n = by_intent.most_common(1)[0]
        topic = TOPIC_BY_INTENT.get(intent)
        if topic and n >= least and n / sum(by_intent.values()) >= share:
            have = word in search.lemmas(TOPIC_WORDS.get(topic, ""))
            found[topic].append(("+" if have else "") + word)
    return [f"{topic}: {' '.join(words)}" for topic, words in sorted(found.items())]


def data_predictions(path: Path) -> List[Dict[str, Any]]:
    """An NLU file's examples as predictions that all fell back, with their labelled job names as found."""
    from harness.nlu_scores import gold_examples

    return [{**e, "predicted": FALLBACK, "entities_found": e["entities"]} for e in gold_examples(path)]


def main(argv: Optional[List[str]] = None) -> int:
    """Print the search's figures from saved predictions or from an NLU file, without a model."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scores", nargs="?", type=Path, default=SCORES, help="nlu_scores' output (its predictions)")
    parser.add_argument("--data", type=Path, help="an NLU file or folder instead: every message as a fallback")
    parser.add_argument("--threshold-sweep", action="store_true", help="the figures at every threshold, and the "
                        "threshold the rule chooses")
    parser.add_argument("--topic-words", action="store_true", help="with --data: the words that the questions of one "
                        "topic's intent use (at least 3 of them, 80%% of that word's questions), for TOPIC_WORDS")
    args = parser.parse_args(argv)
    if args.data:
        predictions = data_predictions(args.data)
    elif args.scores.is_file():
        predictions = json.loads(args.scores.read_text())["predictions"]
    else:
        print(f"{args.scores} is missing: run `python -m harness.nlu_scores models/current.tar.gz "
              f"tests/nlu_holdout.yml {args.scores}` first", file=sys.stderr)
        return 2
    if args.topic_words:
        print("\n".join(topic_words(predictions)))
        return 0
    print("\n".join(markdown(summarise(predictions), args.threshold_sweep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
