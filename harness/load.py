"""A whole class at once: 50 students, each in their own multi-turn conversation, over REST."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Dict, List, Tuple

import aiohttp

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
    """One student's six turns, each checked for the words of the right answer: the follow-ups need context."""
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
    """All the students at once, as a class would arrive, for the load tests."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=STUDENTS)) as session:
        return await asyncio.gather(*(conversation(session, url, i) for i in range(STUDENTS)))
