"""A per-sender and per-IP rate limit for the student-facing channels.

One server process (the default) counts in memory, over a sliding minute. Several processes
(SANIC_WORKERS=2, replicas) must share the counts, or each would allow the full limit: set
REDIS_URL and they count in Redis, over the same sliding minute. Only answered messages count,
so a student who keeps sending while refused is let back in a minute after their last answer
would have been, not later.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import deque
from typing import Callable, Deque, Dict, Optional, Union

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60.0
MAX_KEYS = 50_000


def client_address(forwarded_for: str, peer: Optional[str]) -> str:
    """The student's address for the per-IP limit.

    TRUST_PROXY=N (N reverse proxies in front of the server) takes the N-th address from the
    right of X-Forwarded-For: the one our own proxy saw. The entries left of it are whatever
    the client claimed, so they never count. Unset or 0: the connection's own address.
    """
    hops = int(os.environ.get("TRUST_PROXY", "0") or 0)
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if hops > 0 and entries:
        return entries[-min(hops, len(entries))][:64]
    return peer or "unknown"


class RateLimiter:
    """At most `per_sender` messages a minute from one conversation and `per_ip` from one address."""

    def __init__(self, per_sender: int, per_ip: int, clock: Callable[[], float] = time.monotonic,
                 window_seconds: float = WINDOW_SECONDS) -> None:
        self.per_sender, self.per_ip, self.clock, self.window = per_sender, per_ip, clock, window_seconds
        self._hits: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def from_env() -> Union["RateLimiter", "RedisRateLimiter"]:
        """RATE_LIMIT_PER_SENDER (default 30) and RATE_LIMIT_PER_IP (default 600: a school shares one IP);
        counted in Redis when REDIS_URL is set."""
        per_sender = int(os.environ.get("RATE_LIMIT_PER_SENDER", "30"))
        per_ip = int(os.environ.get("RATE_LIMIT_PER_IP", "600"))
        if os.environ.get("REDIS_URL"):
            return RedisRateLimiter(os.environ["REDIS_URL"], per_sender, per_ip)
        return RateLimiter(per_sender, per_ip)

    async def check(self, sender: str, ip: str) -> bool:
        """The channels' entry point, shared with RedisRateLimiter."""
        return self.allow(sender, ip)

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
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return hits

    def _forget(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]


# Both keys are trimmed to the last window, checked, and only then written, in one atomic
# step: two processes cannot both take the last free place. The clock is Redis's own, so
# replicas with drifting clocks still agree on what "the last minute" is.
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return 0
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 1
"""


class RedisRateLimiter:
    """The same limits, counted in Redis so that every server process sees every message.

    One sorted set of answer times per sender and per address, trimmed to a sliding window by
    a Lua script. If Redis cannot be reached, each process falls back to its own in-memory
    count rather than refusing students.
    """

    def __init__(self, url: str, per_sender: int, per_ip: int, prefix: str = "careers:rate",
                 window_seconds: float = WINDOW_SECONDS) -> None:
        from redis import asyncio as redis_asyncio

        self.per_sender, self.per_ip, self.prefix = per_sender, per_ip, prefix
        self.window_ms = int(window_seconds * 1000)
        self.client = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.script = self.client.register_script(SLIDING_WINDOW)
        self.local = RateLimiter(per_sender, per_ip, window_seconds=window_seconds)
        self._warned = False

    async def check(self, sender: str, ip: str) -> bool:
        from redis.exceptions import RedisError

        keys = [f"{self.prefix}:s:{sender}", f"{self.prefix}:i:{ip[:64]}"]
        try:
            allowed = await self.script(keys=keys, args=[self.window_ms, self.per_sender, self.per_ip,
                                                         uuid.uuid4().hex])
        except (RedisError, OSError) as error:
            if not self._warned:
                logger.error("Rate limit: Redis unreachable (%s); counting per process until it is back.",
                             type(error).__name__)
                self._warned = True
            return self.local.allow(sender, ip)
        self._warned = False
        return bool(allowed)
