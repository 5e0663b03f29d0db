"""A cold `rasa train --force` with Rasa's training cache (stock) and without it (`python -m bot.rasa_patches train`).

The project always trains with --force, so the cache is written and never read (bot/rasa_patches.py). This
measures what writing it costs: the two commands are run alternately (stock, patched, stock, patched, ...) on
the same data, each in a fresh process, so the noise of a shared machine hits both alike; the figure is the
ratio of the medians. It also checks that both models read the development set's messages the same.
Writes docs/training-cache.md and build/training-cache.json.

    python -m bench.training_cache [--repeats 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from harness import provenance

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = PROJECT_DIR / ".venv" / "bin"
RESULTS = PROJECT_DIR / "build" / "training-cache.json"
DOCS = PROJECT_DIR / "docs" / "training-cache.md"
DEVELOPMENT = PROJECT_DIR / "tests" / "development" / "messages.yml"
ENV = {"RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
COMMANDS = {
    "stock": [str(BIN / "rasa"), "train"],
    "without the cache": [str(BIN / "python"), "-m", "bot.rasa_patches", "train"],
}


def timed(command: List[str], out: Path, name: str) -> float:
    """Seconds for one cold training by `command` (a process of its own), the model written to out/name."""
    start = time.perf_counter()
    subprocess.run([*command, "--force", "--quiet", "--out", str(out), "--fixed-model-name", name],
                   cwd=PROJECT_DIR, env={**os.environ, **ENV}, check=True, capture_output=True)
    return time.perf_counter() - start


async def _readings(model: Path, texts: List[str]) -> List[Any]:
    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))  # no line per parse
    agent = Agent.load(str(model))
    found = []
    for text in texts:
        parsed = await agent.parse_message(text)
        found.append((parsed["intent"]["name"], round(parsed["intent"]["confidence"], 9), parsed["entities"]))
    return found


def same_readings(first: Path, second: Path) -> Dict[str, int]:
    """How many of the development set's messages the two models read differently (intent, confidence, entities)."""
    texts = [m["text"] for m in yaml.safe_load(DEVELOPMENT.read_text())["messages"]]
    a, b = asyncio.run(_readings(first, texts)), asyncio.run(_readings(second, texts))
    return {"messages": len(texts), "read_differently": sum(x != y for x, y in zip(a, b, strict=True))}


def measure(repeats: int) -> Dict[str, Any]:
    """Both commands, alternately, `repeats` times each."""
    times: Dict[str, List[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for round_ in range(repeats):
            for number, (name, command) in enumerate(COMMANDS.items()):
                seconds = timed(command, out, f"m{number}")
                times[name].append(round(seconds, 1))
                print(f"round {round_ + 1}: {name} {seconds:.1f} s", flush=True)
        compared = same_readings(out / "m0.tar.gz", out / "m1.tar.gz")
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"measured": provenance.measured_at(), "cores": os.cpu_count(), "repeats": repeats, "seconds": times,
            "medians": medians, "ratio": round(medians["without the cache"] / medians["stock"], 3), **compared}


def markdown(found: Dict[str, Any]) -> str:
    """docs/training-cache.md from the figures."""
    rows = [f"| {name} | {found['medians'][name]:.1f} | {', '.join(f'{s:.1f}' for s in found['seconds'][name])} |"
            for name in COMMANDS]
    return "\n".join([
        "# Training without Rasa's training cache",
        "",
        f"Measured by `python -m bench.training_cache` (part of `make bench-training`) at {found['measured']}, "
        f"on {found['cores']} cores: a cold `rasa train --force` (NLU and dialogue, all of `data/`) in a fresh "
        "process, stock and through `python -m bot.rasa_patches train` (the Makefile's and the Docker image's), "
        f"alternately, {found['repeats']} times each.",
        "",
        "| training | median s | each run, s |",
        "|---|---:|---|",
        *rows,
        "",
        f"**Without the cache ÷ stock, same run: {found['ratio']:.2f}.** The project always trains with `--force` "
        "(the Makefile decides when from the files' times), so Rasa never reads its training cache; writing it "
        "fingerprints every graph node's output (every message's features, again after each featurizer) and "
        "copies the cacheable outputs to `.rasa/cache`. `bot/rasa_patches.py` turns that off for `train --force` "
        "only.",
        "",
        f"The two models read the development set's {found['messages']} messages the same: "
        f"{found['read_differently']} differ in intent, confidence (to 1e-9) or entities.",
        "",
    ])


def main(argv: Optional[List[str]] = None) -> int:
    """Measure, write build/training-cache.json and docs/training-cache.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    found = measure(parser.parse_args(argv).repeats)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(found, indent=2))
    DOCS.write_text(markdown(found))
    print(f"without the cache / stock: {found['ratio']:.2f}; {found['read_differently']} messages read differently")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
