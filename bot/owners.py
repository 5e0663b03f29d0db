"""Which socket.io connection holds each conversation: a session belongs to its first connection.

Rasa's socket.io channel lets any connection that names a session id (`session_request`) join that
session's room, and so read every later reply to that student. Here a connection claims the session
id instead; while another live connection holds it, a claim fails and the channel starts a new
session for the newcomer. A connection releases its claims when it closes.

Claims are kept in Redis when REDIS_URL is set, so that a second connection on another replica is
refused too, else in this process (`make run` has one). A claim in Redis lives CLAIM_SECONDS after
the holder's last message, so that a replica that died holding claims frees them by itself. When
Redis cannot be asked, a claim is refused: a new session is the safe answer.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from typing import Any, Dict, Mapping, Optional

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 600
PREFIX = "careers:sio-owner"

# Take the claim when it is free or already ours; refresh it either way.
CLAIM = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
"""
# Release only our own claim (the key may have passed to another connection after it expired).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Owners:
    """claim / refresh / release of session ids by connection; `holder` names one connection."""

    def __init__(self, environ: Optional[Mapping[str, str]] = None) -> None:
        environ = os.environ if environ is None else environ
        self.instance = uuid.uuid4().hex[:12]  # this process: two replicas' socket ids may coincide
        self._local: Dict[str, str] = {}
        self._lock = threading.Lock()
        self.redis: Any = None
        url = environ.get("REDIS_URL", "").strip()
        if url:
            from redis import asyncio as redis_asyncio

            self.redis = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            self._claim = self.redis.register_script(CLAIM)
            self._release = self.redis.register_script(RELEASE)

    def holder(self, sid: str) -> str:
        """A connection's name across replicas: its socket id alone may be another process's too."""
        return f"{self.instance}:{sid}"

    async def claim(self, session_id: str, sid: str) -> bool:
        """True when this connection now holds the session (it was free, or already this one's)."""
        me = self.holder(sid)
        if self.redis is None:
            with self._lock:
                if self._local.setdefault(session_id, me) != me:
                    return False
            return True
        from redis.exceptions import RedisError

        try:
            return bool(await self._claim(keys=[f"{PREFIX}:{session_id}"], args=[me, CLAIM_SECONDS]))
        except (RedisError, OSError) as error:
            logger.error("socketio: cannot ask Redis who holds a session (%s); starting a new one",
                         type(error).__name__)
            return False

    async def holds(self, session_id: str, sid: str) -> bool:
        """Still this connection's (and, in Redis, kept alive for another CLAIM_SECONDS)."""
        if self.redis is None:
            return self._local.get(session_id) == self.holder(sid)
        return await self.claim(session_id, sid)

    async def release(self, session_id: str, sid: str) -> None:
        """Give the session up (its connection closed or left it), so that another connection may resume it."""
        me = self.holder(sid)
        if self.redis is None:
            with self._lock:
                if self._local.get(session_id) == me:
                    del self._local[session_id]
            return
        from redis.exceptions import RedisError

        try:
            await self._release(keys=[f"{PREFIX}:{session_id}"], args=[me])
        except (RedisError, OSError):
            pass  # it expires by itself
