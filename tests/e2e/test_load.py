"""A whole class at once: 50 students, each in their own multi-turn conversation, on loopback.

Every reply must belong to its own conversation (no slot cross-talk), nothing may fail,
and every turn must be in the tracker store afterwards.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from harness.assistant import Assistant
from harness.load import STUDENTS, run_class
from harness.servers import PROJECT_DIR
from store.events import count_events

pytestmark = pytest.mark.e2e


def test_fifty_students_at_once(assistant: Assistant) -> None:
    start = time.perf_counter()
    results = asyncio.run(run_class(assistant.url))
    elapsed = time.perf_counter() - start
    errors = [(r["sender"], e) for r in results for e in r["errors"]]
    latencies = sorted(t for r in results for t in r["latencies"])
    stored = {r["sender"]: count_events(assistant.tracker_url, r["sender"], "user") for r in results}
    lost = {sender: count for sender, count in stored.items() if count != 6}
    summary = {"students": STUDENTS, "messages": sum(r["turns"] for r in results), "errors": len(errors),
               "seconds": round(elapsed, 1), "p50_ms": round(latencies[len(latencies) // 2] * 1000),
               "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000),
               "conversations_with_lost_turns": len(lost)}
    out = PROJECT_DIR / "build" / "load-test.json"
    out.parent.mkdir(exist_ok=True)
    Path(out).write_text(json.dumps(summary, indent=2))
    print(summary)
    assert not errors, errors[:5]
    assert not lost, lost
