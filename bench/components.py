"""Where the time and memory go: each component's share of training, loading and parsing.

Runs in processes of its own (`make eval` starts them per profiled pipeline): one trains the
pipeline with a timer around every graph node; a fresh one loads the model, noting each
node's load time and the growth of resident memory while it loads (imports included), then
parses held-out messages timing each node. Node names ("train_DIETClassifier5",
"run_SpacyTokenizer1") are folded into their component's class name.

    python -m bench.components CONFIG OUT.json [--model-out MODEL]
    python -m bench.components --load MODEL OUT.json   # the second process
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from harness.nlu_scores import gold_examples, rss_mb

PROJECT_DIR = Path(__file__).resolve().parent.parent
HELD_OUT = PROJECT_DIR / "tests" / "nlu_holdout.yml"
PARSED = 200  # held-out messages parsed for the per-component latency


def component_of(node: str) -> str:
    """ "train_DIETClassifier5" -> "DIETClassifier"; a custom component keeps its class name."""
    name = re.sub(r"^(train|run|provide|load|finetuning_validator|schema_validator)_", "", node)
    return re.sub(r"\d+$", "", name.rsplit(".", 1)[-1])


class Timers:
    """Seconds and memory growth per component, gathered by wrapping rasa's GraphNode."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = collections.defaultdict(float)
        self.memory_mb: Dict[str, float] = collections.defaultdict(float)
        self.phase = "train"

    def install(self) -> None:
        """Wrap rasa's GraphNode so every component is timed without changing the pipeline."""
        from rasa.engine.graph import GraphNode

        call: Callable[..., Any] = GraphNode.__call__
        load: Callable[..., Any] = GraphNode._load_component
        timers = self

        def timed_call(node: GraphNode, *args: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(node, *args)
            finally:
                timers.seconds[(timers.phase, component_of(node._node_name))] += time.perf_counter() - start

        def timed_load(node: GraphNode, **kwargs: Any) -> Any:
            start, before = time.perf_counter(), rss_mb()
            try:
                return load(node, **kwargs)
            finally:
                if timers.phase == "load":
                    name = component_of(node._node_name)
                    timers.seconds[("load", name)] += time.perf_counter() - start
                    timers.memory_mb[name] += rss_mb() - before

        GraphNode.__call__ = timed_call  # type: ignore[method-assign]
        GraphNode._load_component = timed_load  # type: ignore[method-assign]

    def table(self, phase: str) -> Dict[str, float]:
        """One phase's seconds per component, slowest first, for the evaluation's table."""
        return {name: round(s, 3) for (p, name), s in sorted(self.seconds.items(), key=lambda i: -i[1]) if p == phase}


def _quiet() -> None:
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def profile(config: Path, model_out: Optional[Path] = None) -> Dict[str, Any]:
    """Train here as `make train` does (no training cache); load and parse in a fresh process, so that its
    memory starts from nothing."""
    from rasa.model_training import train

    from bot import rasa_patches

    rasa_patches.install()
    rasa_patches.skip_training_cache()
    _quiet()
    timers = Timers()
    timers.install()
    scratch = Path(tempfile.mkdtemp(prefix="profile-"))
    try:
        start = time.perf_counter()
        result = train(str(PROJECT_DIR / "domain.yml"), str(config), [str(PROJECT_DIR / "data")], str(scratch),
                       force_training=True, fixed_model_name="profiled")
        train_s = time.perf_counter() - start
        out = scratch / "load.json"
        subprocess.run([sys.executable, "-m", "bench.components", "--load", str(result.model), str(out)],
                       cwd=PROJECT_DIR, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        loaded = json.loads(out.read_text())
        if model_out is not None:
            shutil.move(str(result.model), model_out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"train_s": round(train_s, 1), "train": timers.table("train"), **loaded}


def load_and_parse(model: Path) -> Dict[str, Any]:
    """Load and parse in this fresh process, so the memory growth is the model's alone."""
    before = rss_mb()
    from rasa.core.agent import Agent

    _quiet()
    timers = Timers()
    timers.install()
    timers.phase = "load"
    imported, start = rss_mb(), time.perf_counter()
    agent = Agent.load(str(model))
    load_s, loaded = time.perf_counter() - start, rss_mb()
    timers.phase = "parse"
    texts = [e["text"] for e in gold_examples(HELD_OUT)][:PARSED]

    async def parse_all() -> None:
        for text in texts:
            await agent.parse_message(text)

    asyncio.run(parse_all())
    return {"load_s": round(load_s, 1), "load": timers.table("load"), "rss_mb_python": round(before),
            "rss_mb_rasa_imported": round(imported), "rss_mb_loaded": round(loaded),
            "load_memory_mb": {k: round(v) for k, v in sorted(timers.memory_mb.items(), key=lambda i: -i[1])
                               if round(v) >= 1},
            "parse_ms_per_message": {k: round(v / len(texts) * 1000, 2) for k, v in timers.table("parse").items()},
            "messages_parsed": len(texts)}


def main(argv: Optional[List[str]] = None) -> int:
    """Run one side of the profile (training, or loading with --load), so each gets its own process."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) == 3 and args[0] == "--load":
        result, out = load_and_parse(Path(args[1])), Path(args[2])
    elif len(args) in (2, 4) and (len(args) == 2 or args[2] == "--model-out"):
        result, out = profile(Path(args[0]), Path(args[3]) if len(args) == 4 else None), Path(args[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
