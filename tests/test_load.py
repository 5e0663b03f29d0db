"""A whole class at once: 50 students, each in their own multi-turn conversation, on loopback.

Every reply must belong to its own conversation (no slot cross-talk), nothing may fail,
and every turn must be in the tracker store afterwards.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import aiohttp
import pytest

from tests.conftest import PROJECT_DIR, Assistant

pytestmark = pytest.mark.e2e
STUDENTS = 50
# Each student picks one job; the follow-ups name no job, so the answer shows whose context was used.
JOBS: List[Tuple[str, str, str, str]] = [
    # first question, licence answer, salary answer, follow-up job for "what about ...?"
    ("what does a sonographer do", "only a few states", "$65,860", "nuclear medicine"),
    ("what does an x-ray tech do", "most states", "$54,620", "sonographers"),
    ("what does a nuclear medicine technologist do", "some states", "$70,180", "rad techs"),
]
FOLLOW_UP_SALARY = {"nuclear medicine": "$70,180", "sonographers": "$65,860", "rad techs": "$54,620"}


async def conversation(session: aiohttp.ClientSession, url: str, index: int) -> Dict[str, Any]:
    first, licence, salary, other = JOBS[index % len(JOBS)]
    sender = f"class-{index}-{uuid.uuid4().hex[:6]}"
    turns = [("hi", "medical imaging"), (first, "Source:"), ("do they need a license", licence),
             ("how much do they earn", salary), (f"what about {other}?", FOLLOW_UP_SALARY[other]),
             ("thanks", "welcome")]
    result: Dict[str, Any] = {"sender": sender, "errors": [], "latencies": []}
    for text, expected in turns:
        start = time.perf_counter()
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=120)) as response:
                body = await response.json()
                reply = " ".join(m.get("text", "") for m in body)
                if response.status != 200 or expected not in reply or any(m.get("recipient_id") != sender
                                                                          for m in body):
                    result["errors"].append((text, response.status, reply[:120]))
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            result["errors"].append((text, type(error).__name__, ""))
        result["latencies"].append(time.perf_counter() - start)
    result["turns"] = len(turns)
    return result


async def run_class(url: str) -> List[Dict[str, Any]]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=STUDENTS)) as session:
        return await asyncio.gather(*(conversation(session, url, i) for i in range(STUDENTS)))


def test_fifty_students_at_once(assistant: Assistant) -> None:
    start = time.perf_counter()
    results = asyncio.run(run_class(assistant.url))
    elapsed = time.perf_counter() - start
    errors = [(r["sender"], e) for r in results for e in r["errors"]]
    latencies = sorted(t for r in results for t in r["latencies"])
    with sqlite3.connect(assistant.tracker_db) as db:
        stored = {r["sender"]: db.execute("select count(*) from events where sender_id = ? and type_name = 'user'",
                                          (r["sender"],)).fetchone()[0] for r in results}
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
