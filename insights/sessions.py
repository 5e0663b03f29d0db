"""The counsellors' sign-in: signed session cookies that sign-out revokes, and the wrong-token limit.

A cookie names its school, its expiry and a random session id, with a MAC over those and the school's
token hash (so a new token signs every counsellor of that school out). Signing out revokes the
session id until the cookie would have expired anyway: the revocation is kept in Redis when REDIS_URL
is set (every replica sees it), else in this process (`make run` has one). When Redis cannot be asked,
a cookie is refused rather than trusted: signing in again works as soon as Redis is back.

Wrong tokens are counted per client address (the real one: bot.ratelimit.client_address), in Redis
when it is set, so that replicas share the count.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import defaultdict, deque
from typing import Any, Deque, Dict, Optional

from bot.keys import derived
from schools.school import School, Schools

logger = logging.getLogger(__name__)

SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
FAILURES_ALLOWED, FAILURE_WINDOW = 10, 900  # wrong tokens per address per 15 minutes
PREFIX = "careers:insights"


def _redis(environ: Dict[str, str]) -> Any:
    url = environ.get("REDIS_URL", "").strip()
    if not url:
        return None
    from redis import asyncio as redis_asyncio

    return redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


class Sessions:
    """Issues and reads the cookies; `revoke` ends one before its time."""

    def __init__(self, key: bytes, known: Schools, environ: Optional[Dict[str, str]] = None) -> None:
        self.key, self.schools = derived(key, "insights-session"), known
        self.redis = _redis(dict(os.environ if environ is None else environ))
        self._revoked: Dict[str, float] = {}  # session id -> until when (without Redis)

    def _mac(self, school: School, expires: int, session_id: str) -> str:
        message = f"{school.id}.{expires}.{session_id}.{school.token_sha256}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def issue(self, school: School, now: Optional[float] = None) -> str:
        """A new signed cookie after a right token, so the counsellor does not retype it all working day."""
        expires = int((now or time.time()) + SESSION_SECONDS)
        session_id = secrets.token_urlsafe(16)  # URL-safe: never a "."
        return f"{school.id}.{expires}.{session_id}.{self._mac(school, expires, session_id)}"

    def _parts(self, cookie: Optional[str], now: float) -> Optional[tuple[School, int, str]]:
        """(school, expiry, session id) of a genuine, unexpired cookie whose school's token is unchanged."""
        if not cookie or len(cookie) > 300 or cookie.count(".") != 3:
            return None
        school_id, expires, session_id, mac = cookie.split(".")
        school = self.schools.by_id(school_id)
        if school is None or not school.token_sha256 or not expires.isdigit() or not session_id:
            return None
        if int(expires) < now:
            return None
        if not hmac.compare_digest(mac, self._mac(school, int(expires), session_id)):
            return None
        return school, int(expires), session_id

    def school(self, cookie: Optional[str], now: Optional[float] = None) -> Optional[School]:
        """The school of a genuine cookie, not looking at revocations (see `signed_in`)."""
        found = self._parts(cookie, now or time.time())
        return found[0] if found else None

    async def signed_in(self, cookie: Optional[str], now: Optional[float] = None) -> Optional[School]:
        """The school of a genuine cookie that was not signed out."""
        now = now or time.time()
        found = self._parts(cookie, now)
        if found is None:
            return None
        school, _, session_id = found
        if self.redis is None:
            return None if self._revoked.get(session_id, 0) > now else school
        from redis.exceptions import RedisError

        try:
            revoked = await self.redis.exists(f"{PREFIX}:revoked:{session_id}")
        except (RedisError, OSError) as error:
            logger.error("insights: cannot ask Redis whether a session was signed out (%s); refusing it",
                         type(error).__name__)
            return None
        return None if revoked else school

    async def revoke(self, cookie: Optional[str], now: Optional[float] = None) -> bool:
        """Sign one session out for good; False when there was none, or when it could not be recorded."""
        now = now or time.time()
        found = self._parts(cookie, now)
        if found is None:
            return False
        _, expires, session_id = found
        if self.redis is None:
            self._revoked = {k: v for k, v in self._revoked.items() if v > now}
            self._revoked[session_id] = expires + 1
            return True
        from redis.exceptions import RedisError

        try:
            await self.redis.set(f"{PREFIX}:revoked:{session_id}", "1", ex=max(1, int(expires - now) + 1))
        except (RedisError, OSError) as error:
            logger.error("insights: a sign-out could not be recorded in Redis (%s)", type(error).__name__)
            return False
        return True


class Failures:
    """Wrong tokens per client address: at most 10 in 15 minutes, then 429 until the oldest is old."""

    def __init__(self, environ: Optional[Dict[str, str]] = None) -> None:
        self.seen: Dict[str, Deque[float]] = defaultdict(deque)
        self.redis = _redis(dict(os.environ if environ is None else environ))

    def _local_blocked(self, address: str, now: float) -> bool:
        times = self.seen[address]
        while times and times[0] < now - FAILURE_WINDOW:
            times.popleft()
        return len(times) >= FAILURES_ALLOWED

    def _local_add(self, address: str, now: float) -> None:
        self.seen[address].append(now)
        if len(self.seen) > 10_000:  # bounded memory under a spray of addresses
            self.seen.pop(next(iter(self.seen)))

    async def blocked(self, address: str, now: float) -> bool:
        """Whether this address has used up its wrong tokens, so that guessing one stays slow."""
        if self.redis is not None:
            from redis.exceptions import RedisError

            try:
                count = await self.redis.get(f"{PREFIX}:failures:{address[:64]}")
                return int(count or 0) >= FAILURES_ALLOWED
            except (RedisError, OSError, ValueError):
                pass  # counted in this process meanwhile
        return self._local_blocked(address, now)

    async def add(self, address: str, now: float) -> None:
        """One more wrong token. In Redis a fixed 15-minute window from the first one (SET NX EX, INCR)."""
        self._local_add(address, now)
        if self.redis is None:
            return
        from redis.exceptions import RedisError

        key = f"{PREFIX}:failures:{address[:64]}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.set(key, 0, ex=FAILURE_WINDOW, nx=True).incr(key).execute()
        except (RedisError, OSError) as error:
            logger.error("insights: cannot count a wrong token in Redis (%s)", type(error).__name__)
