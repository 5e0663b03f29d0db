"""A per-sender and per-IP rate limit for the student-facing channels, and who the client is.

Two budgets: messages (per conversation and per address, over a sliding minute) and different
conversations per address (over a sliding hour). A client that makes up a new sender id for each
message dodges the first; the second stops it, and with it the making of conversations in bulk
(padding the counsellors' counts, bot spam).

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
from typing import Any, Callable, Deque, Dict, Optional, Union

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60.0
CONVERSATION_WINDOW_SECONDS = 3600.0
MAX_KEYS = 50_000
TOO_FAST, TOO_MANY_CONVERSATIONS = "too_fast", "too_many_conversations"


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


def request_address(request: Any) -> str:
    """The client of a Sanic request: REST's, and socket.io's through `environ["sanic.request"]`
    (python-engineio's Sanic driver writes REMOTE_ADDR=127.0.0.1 for every client)."""
    if request is None:
        return "unknown"
    return client_address(request.headers.get("x-forwarded-for", ""), request.ip)


def _setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw[:20]!r}")
    return int(raw)


class RateLimiter:
    """At most `per_sender` messages a minute from one conversation and `per_ip` from one address, and
    at most `conversations_per_ip` different conversations from one address in an hour."""

    def __init__(self, per_sender: int, per_ip: int, clock: Callable[[], float] = time.monotonic,
                 window_seconds: float = WINDOW_SECONDS, conversations_per_ip: int = 1_000_000,
                 conversation_window: float = CONVERSATION_WINDOW_SECONDS) -> None:
        self.per_sender, self.per_ip, self.clock, self.window = per_sender, per_ip, clock, window_seconds
        self.conversations_per_ip, self.conversation_window = conversations_per_ip, conversation_window
        self._hits: Dict[str, Deque[float]] = {}
        self._seen: Dict[str, Dict[str, float]] = {}  # address -> conversation -> when it last spoke
        self._lock = threading.Lock()

    @staticmethod
    def from_env() -> Union["RateLimiter", "RedisRateLimiter"]:
        """RATE_LIMIT_PER_SENDER (default 30) and RATE_LIMIT_PER_IP (default 600: a school shares one IP)
        a minute; RATE_LIMIT_CONVERSATIONS_PER_IP (default 300) an hour; counted in Redis when REDIS_URL
        is set."""
        per_sender = _setting("RATE_LIMIT_PER_SENDER", 30)
        per_ip = _setting("RATE_LIMIT_PER_IP", 600)
        conversations = _setting("RATE_LIMIT_CONVERSATIONS_PER_IP", 300)
        if os.environ.get("REDIS_URL"):
            return RedisRateLimiter(os.environ["REDIS_URL"], per_sender, per_ip, conversations_per_ip=conversations)
        return RateLimiter(per_sender, per_ip, conversations_per_ip=conversations)

    async def verdict(self, sender: str, ip: str) -> Optional[str]:
        """The channels' entry point, shared with RedisRateLimiter: None, or why the message is refused."""
        return self.refusal(sender, ip)

    async def check(self, sender: str, ip: str) -> bool:
        """The verdict as a yes or no, as RedisRateLimiter.check gives it, so that either limiter fits a caller."""
        return await self.verdict(sender, ip) is None

    def allow(self, sender: str, ip: str) -> bool:
        """The same yes or no without awaiting, for synchronous callers (the unit tests count with it)."""
        return self.refusal(sender, ip) is None

    def refusal(self, sender: str, ip: str) -> Optional[str]:
        """Count the message if it may go on, else say which budget refuses it (TOO_FAST first)."""
        now = self.clock()
        with self._lock:
            if len(self._hits) + len(self._seen) > MAX_KEYS:
                self._forget(now)
            sender_hits, ip_hits = self._window(f"s:{sender}", now), self._window(f"i:{ip}", now)
            if len(sender_hits) >= self.per_sender or len(ip_hits) >= self.per_ip:
                return TOO_FAST
            seen = self._seen.setdefault(ip, {})
            for old in [s for s, t in seen.items() if now - t >= self.conversation_window]:
                del seen[old]
            if sender not in seen and len(seen) >= self.conversations_per_ip:
                return TOO_MANY_CONVERSATIONS
            seen[sender] = now
            sender_hits.append(now)
            ip_hits.append(now)
            return None

    def _window(self, key: str, now: float) -> Deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return hits

    def _forget(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]
        for ip in [k for k, v in self._seen.items() if not v or now - max(v.values()) >= self.conversation_window]:
            del self._seen[ip]


# Every key is trimmed to its window, checked, and only then written, in one atomic step: two
# processes cannot both take the last free place. The clock is Redis's own, so replicas with
# drifting clocks still agree on what "the last minute" is. KEYS: the sender's and the address's
# messages, the address's conversations (members: sender ids, scores: when each last spoke).
# Returns 1 (answer), 0 (too fast) or 2 (too many conversations from the address).
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local conversation_window = tonumber(ARGV[5])
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - conversation_window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return 0
end
if not redis.call('ZSCORE', KEYS[3], ARGV[7]) and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then
  return 2
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[i], window)
end
redis.call('ZADD', KEYS[3], now, ARGV[7])
redis.call('PEXPIRE', KEYS[3], conversation_window)
return 1
"""


class RedisRateLimiter:
    """The same limits, counted in Redis so that every server process sees every message.

    One sorted set of answer times per sender and per address, trimmed to a sliding window by
    a Lua script. If Redis cannot be reached, each process falls back to its own in-memory
    count rather than refusing students.
    """

    def __init__(self, url: str, per_sender: int, per_ip: int, prefix: str = "careers:rate",
                 window_seconds: float = WINDOW_SECONDS, conversations_per_ip: int = 1_000_000,
                 conversation_window: float = CONVERSATION_WINDOW_SECONDS) -> None:
        from redis import asyncio as redis_asyncio

        self.per_sender, self.per_ip, self.prefix = per_sender, per_ip, prefix
        self.conversations_per_ip = conversations_per_ip
        self.window_ms, self.conversation_window_ms = int(window_seconds * 1000), int(conversation_window * 1000)
        self.client = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.script = self.client.register_script(SLIDING_WINDOW)
        self.local = RateLimiter(per_sender, per_ip, window_seconds=window_seconds,
                                 conversations_per_ip=conversations_per_ip, conversation_window=conversation_window)
        self._warned = False

    async def check(self, sender: str, ip: str) -> bool:
        """The verdict as a yes or no, for callers that need not say why (harness/ratelimit.py's class)."""
        return await self.verdict(sender, ip) is None

    async def verdict(self, sender: str, ip: str) -> Optional[str]:
        """RateLimiter's verdict counted across every process, or in this one while Redis is away."""
        from redis.exceptions import RedisError

        keys = [f"{self.prefix}:s:{sender}", f"{self.prefix}:i:{ip[:64]}", f"{self.prefix}:c:{ip[:64]}"]
        try:
            found = await self.script(keys=keys, args=[self.window_ms, self.per_sender, self.per_ip, uuid.uuid4().hex,
                                                       self.conversation_window_ms, self.conversations_per_ip,
                                                       sender])
        except (RedisError, OSError) as error:
            if not self._warned:
                logger.error("Rate limit: Redis unreachable (%s); counting per process until it is back.",
                             type(error).__name__)
                self._warned = True
            return self.local.refusal(sender, ip)
        self._warned = False
        return {1: None, 0: TOO_FAST, 2: TOO_MANY_CONVERSATIONS}.get(int(found), TOO_FAST)
