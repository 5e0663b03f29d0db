"""A Spanish turn beside an English one, on the real servers over REST, in the same run.

The same questions in both languages (written for this benchmark, not taken from any held-out set) are sent
alternately, English then Spanish, each as the first message of a new conversation, so the noise of a shared
machine hits both alike; the figure is the ratio of the medians (Spanish / English). A Spanish turn does more:
the Spanish knowledge base, the Spanish phrases, and "my sources are in English" once. Writes
docs/languages-speed.md and build/languages-speed.json.

    python -m bench.languages [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from harness import provenance
from harness.servers import Servers, free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_DIR / "build" / "languages-speed.json"
DOCS = PROJECT_DIR / "docs" / "languages-speed.md"
PAIRS: List[Tuple[str, str]] = [
    ("what does a sonographer do", "qué hace un ecografista"),
    ("how much does an x-ray tech earn", "cuánto gana un técnico de rayos x"),
    ("do nuclear medicine technologists need a license", "los tecnólogos en medicina nuclear necesitan licencia"),
    ("what do you study to be a radiographer", "qué se estudia para ser técnico radiólogo"),
    ("is the radiation dangerous for mri techs", "la radiación es peligrosa para los técnicos de resonancia"),
    ("which jobs are in this group", "qué trabajos hay en este grupo"),
    ("where do sonographers get paid the most", "dónde pagan más a los ecografistas"),
    ("hello", "hola"),
]


def measure(rounds: int) -> Dict[str, Any]:
    """Per-turn seconds in each language, pairs interleaved, on one pair of servers."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-languages-"))
    servers = Servers(workdir, free_port(), free_port(), {"RATE_LIMIT_PER_SENDER": "100000",
                                                          "RATE_LIMIT_PER_IP": "100000",
                                                          "RATE_LIMIT_CONVERSATIONS_PER_IP": "100000"})
    seconds: Dict[str, List[float]] = {"en": [], "es": []}
    try:
        servers.start_actions()
        servers.start_rasa()
        for english, spanish in PAIRS:  # warm-up: each path's first call is not a student's experience
            servers.say(uuid.uuid4().hex, english)
            servers.say(uuid.uuid4().hex, spanish)
        for _ in range(rounds):
            for english, spanish in PAIRS:
                for language, text in (("en", english), ("es", spanish)):
                    start = time.perf_counter()
                    servers.say(uuid.uuid4().hex, text)
                    seconds[language].append(time.perf_counter() - start)
    finally:
        servers.stop_all()
    p50 = {k: statistics.median(v) * 1000 for k, v in seconds.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] * 1000 for k, v in seconds.items()}
    return {"measured": provenance.measured_at(), "cores": os.cpu_count(), "rounds": rounds, "turns": len(PAIRS),
            "p50_ms": p50, "p90_ms": p90, "ratio_p50": p50["es"] / p50["en"], "ratio_p90": p90["es"] / p90["en"]}


def markdown(found: Dict[str, Any]) -> str:
    """docs/languages-speed.md from the figures."""
    return "\n".join([
        "# A Spanish turn beside an English one",
        "",
        f"Measured by `python -m bench.languages` (part of `make bench`) at {found['measured']}, on {found['cores']} "
        f"cores: the real Rasa and action servers over REST, the same {found['turns']} questions in English and "
        f"in Spanish, alternately, {found['rounds']} rounds, each the first message of a new conversation.",
        "",
        "| language | p50 ms | p90 ms |",
        "|---|---:|---:|",
        f"| English | {found['p50_ms']['en']:.1f} | {found['p90_ms']['en']:.1f} |",
        f"| Spanish | {found['p50_ms']['es']:.1f} | {found['p90_ms']['es']:.1f} |",
        "",
        f"**Spanish ÷ English, same run: p50 {found['ratio_p50']:.2f}, p90 {found['ratio_p90']:.2f}** "
        "(the target: a Spanish turn's p50 within 10 % of an English turn's).",
        "",
    ])


def main(argv: Optional[List[str]] = None) -> int:
    """Measure, write build/languages-speed.json and docs/languages-speed.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    found = measure(parser.parse_args(argv).rounds)
    provenance.publish(found, RESULTS, DOCS, markdown(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
