"""Fail when the held-out NLU evaluation falls below the minimums.

Usage: python -m tests.nlu_thresholds results/nlu  (after `rasa test nlu --nlu tests/nlu_holdout.yml`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MIN_INTENT_ACCURACY = 0.95
MIN_ENTITY_F1 = 0.95
ENTITY_EXTRACTOR = "OccupationEntities"  # the merged final entities (components/occupation_entities.py)


def main(results: Path) -> int:
    intents = json.loads((results / "intent_report.json").read_text())
    entities = json.loads((results / f"{ENTITY_EXTRACTOR}_report.json").read_text())
    accuracy = intents["accuracy"]
    entity_f1 = entities["occupation"]["f1-score"]
    ok = accuracy >= MIN_INTENT_ACCURACY and entity_f1 >= MIN_ENTITY_F1
    print(f"held-out intent accuracy {accuracy:.3f} (min {MIN_INTENT_ACCURACY}), "
          f"entity F1 {entity_f1:.3f} (min {MIN_ENTITY_F1}): {'ok' if ok else 'BELOW MINIMUM'}")
    worst = sorted((v["f1-score"], k) for k, v in intents.items() if isinstance(v, dict) and "f1-score" in v
                   and k not in ("macro avg", "weighted avg", "micro avg"))[:5]
    print("lowest intent F1: " + ", ".join(f"{k} {f:.2f}" for f, k in worst))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")))
