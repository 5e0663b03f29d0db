"""A class behind one address, sending through the rate limiters of two server processes on one Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import List

from bot.ratelimit import RedisRateLimiter


def class_behind_one_address(url: str, per_ip: int, window: float, windows: float,
                             students: int = 20) -> List[float]:
    """Send times of the answered messages of `students` senders, one address, two processes' limiters."""
    first, second = [RedisRateLimiter(url, 1000, per_ip, prefix=f"class:{uuid.uuid4().hex}", window_seconds=window)
                     for _ in range(2)]
    second.prefix = first.prefix

    async def run() -> List[float]:
        answered: List[float] = []
        stop = time.monotonic() + windows * window

        async def student(n: int) -> None:
            limiter = (first, second)[n % 2]
            while time.monotonic() < stop:
                sent = time.monotonic()
                if await limiter.check(f"s{n}", "198.51.100.9"):
                    answered.append(sent)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(student(n) for n in range(students)))
        return sorted(answered)

    return asyncio.run(run())
