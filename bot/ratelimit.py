"""A per-sender and per-IP sliding-window rate limit for the student-facing channels.

In memory, per server process: with several processes behind a load balancer each keeps its
own counts, so set the limits per process (or limit at the reverse proxy as well).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import Callable, Deque, Dict

WINDOW_SECONDS = 60.0
MAX_KEYS = 50_000


class RateLimiter:
    """At most `per_sender` messages a minute from one conversation and `per_ip` from one address."""

    def __init__(self, per_sender: int, per_ip: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_sender, self.per_ip, self.clock = per_sender, per_ip, clock
        self._hits: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> "RateLimiter":
        """RATE_LIMIT_PER_SENDER (default 30) and RATE_LIMIT_PER_IP (default 600: a school shares one IP)."""
        return cls(int(os.environ.get("RATE_LIMIT_PER_SENDER", "30")), int(os.environ.get("RATE_LIMIT_PER_IP", "600")))

    def allow(self, sender: str, ip: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._hits) > MAX_KEYS:
                self._forget(now)
            sender_hits, ip_hits = self._window(f"s:{sender}", now), self._window(f"i:{ip}", now)
            if len(sender_hits) >= self.per_sender or len(ip_hits) >= self.per_ip:
                return False
            sender_hits.append(now)
            ip_hits.append(now)
            return True

    def _window(self, key: str, now: float) -> Deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= WINDOW_SECONDS:
            hits.popleft()
        return hits

    def _forget(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= WINDOW_SECONDS]:
            del self._hits[key]
