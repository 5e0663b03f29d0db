"""A class of students chatting at once, who ask again when politely told to: for the cluster's tests
and the benchmark.

Each student holds one conversation whose follow-ups name no job, so a right answer proves that
the context survived whatever happened to the servers in between. A turn ends as one of:
- answered: HTTP 200 and the words the right answer must contain;
- polite: a reply that asks to try again or wait (then the student waits and asks again);
- wrong: an answer without the expected words (context lost);
- error: no reply a student could read (a reset, a time-out, a 5xx without the polite text).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import aiohttp

from harness.load import FOLLOW_UP_SALARY, JOBS

POLITE = ("try again", "please wait", "wait a few seconds", "busy for a moment")


def script(index: int, turns: int = 4) -> List[Tuple[str, str]]:
    """(message, words the answer must contain), the first `turns` of one student's conversation."""
    first, licence, salary, other = JOBS[index % len(JOBS)]
    return [(first, "Source:"), ("do they need a license", licence), ("how much do they earn", salary),
            (f"what about {other}?", FOLLOW_UP_SALARY[other]), ("thanks", "welcome")][:turns]


@dataclass
class Student:
    sender: str
    outcomes: List[str] = field(default_factory=list)  # one per attempt
    answered: int = 0  # turns answered (each stored once in the tracker store)
    gave_up: int = 0  # turns still unanswered after every retry
    latencies: List[float] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


async def ask(session: aiohttp.ClientSession, url: str, sender: str, text: str, expected: str,
              context: Optional[ssl.SSLContext], message_id: Optional[str] = None,
              retry: bool = False) -> Tuple[str, str]:
    """One attempt: (outcome, what was seen). A retry sends the first try's `message_id` again, so that
    a turn answered and stored before its answer was lost is not stored twice (bot/input.py)."""
    body = {"sender": sender, "message": text, **({"message_id": message_id, "retry": retry} if message_id else {})}
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json=body,
                                ssl=context, timeout=aiohttp.ClientTimeout(total=90)) as response:
            raw = await response.text()
            try:
                body = await response.json(content_type=None)
                reply = " ".join(str(m.get("text", "")) for m in body if isinstance(m, dict))
            except ValueError:
                reply = raw
            if any(p in reply.lower() for p in POLITE):
                return "polite", f"{response.status} {reply[:80]}"
            if response.status == 200 and expected in reply:
                return "answered", ""
            if response.status == 200:
                return "wrong", reply[:120]
            return "error", f"{response.status} {raw[:120]}"
    except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as error:
        return "error", type(error).__name__


async def student(session: aiohttp.ClientSession, url: str, index: int, prefix: str, turns: int,
                  context: Optional[ssl.SSLContext], think: float, retries: int, retry_wait: float) -> Student:
    """One student's conversation; a turn not answered is asked again, a bounded number of times."""
    found = Student(f"{prefix}-{index}")
    for number, (text, expected) in enumerate(script(index, turns)):
        message_id = f"{found.sender}-{number}"
        for attempt in range(retries + 1):
            start = time.perf_counter()
            outcome, seen = await ask(session, url, found.sender, text, expected, context, message_id, attempt > 0)
            found.latencies.append(time.perf_counter() - start)
            found.outcomes.append(outcome)
            if outcome == "answered":
                found.answered += 1
                break
            if outcome in ("wrong", "error"):
                found.problems.append(f"{text!r}: {outcome} {seen}")
            await asyncio.sleep(retry_wait)
        else:
            found.gave_up += 1
        await asyncio.sleep(think)
    return found


@dataclass
class ClassResult:
    students: List[Student]
    seconds: float

    @property
    def outcomes(self) -> Counter:
        """How every attempt ended, counted, so a test can assert on errors and lost context."""
        return Counter(o for s in self.students for o in s.outcomes)

    @property
    def answered(self) -> int:
        """Turns answered in the whole class: each must be stored exactly once."""
        return sum(s.answered for s in self.students)

    def summary(self) -> Dict[str, object]:
        """The figures the tests print and the benchmarks record, with at most ten problems."""
        latencies = sorted(t for s in self.students for t in s.latencies)
        return {"students": len(self.students), "answered_turns": self.answered,
                "attempts": dict(self.outcomes), "gave_up": sum(s.gave_up for s in self.students),
                "seconds": round(self.seconds, 1),
                "turns_per_second": round(self.answered / self.seconds, 2) if self.seconds else None,
                "p50_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
                "max_s": round(latencies[-1], 2) if latencies else None,
                "problems": [p for s in self.students for p in s.problems][:10]}


async def run_class(url: str, students: int, turns: int = 4, context: Optional[ssl.SSLContext] = None,
                    think: float = 0.3, retries: int = 6, retry_wait: float = 2.0,
                    prefix: Optional[str] = None) -> ClassResult:
    """The whole class at once on one connection pool, so load arrives as it would from a classroom."""
    prefix = prefix or f"class-{uuid.uuid4().hex[:6]}"
    start = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=students)
    async with aiohttp.ClientSession(connector=connector) as session:
        found = await asyncio.gather(*(student(session, url, i, prefix, turns, context, think, retries, retry_wait)
                                       for i in range(students)))
    return ClassResult(list(found), time.perf_counter() - start)
