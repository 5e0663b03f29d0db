"""The server's one secret, and what is derived from it.

INSIGHTS_SECRET (at least 32 characters; every replica needs the same one) signs the counsellors'
session cookies and keys the client tags below; without it a random one is made once and kept in
build/insights.secret (INSIGHTS_SECRET_FILE), which is enough for one machine. Each use derives its
own key, so that a value made for one purpose can never pass for another's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Mapping

PROJECT_DIR = Path(__file__).resolve().parent.parent
TAG_CHARS = 16


def secret(environ: Mapping[str, str]) -> bytes:
    """INSIGHTS_SECRET, else one made once and kept in a file (a ValueError when it is too short)."""
    given = environ.get("INSIGHTS_SECRET", "").strip()
    if given:
        if len(given) < 32:
            raise ValueError("INSIGHTS_SECRET must be at least 32 characters")
        return given.encode()
    path = Path(environ.get("INSIGHTS_SECRET_FILE") or PROJECT_DIR / "build" / "insights.secret")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    except FileExistsError:
        pass
    for _ in range(50):  # another worker may be writing it this instant
        value = path.read_text().strip()
        if value:
            return value.encode()
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty")


def derived(key: bytes, purpose: str) -> bytes:
    """A key of its own per purpose, so that a value made for one use never passes for another's."""
    return hmac.new(key, f"career-assistant:{purpose}".encode(), hashlib.sha256).digest()


@lru_cache(maxsize=1)
def _tag_key() -> bytes:
    return derived(secret(os.environ), "client-tag")


def client_tag(address: str, key: bytes | None = None) -> str:
    """A stand-in for the client's address in the store: the same address gives the same tag (so the
    insights can tell that texts came from more than one address), but the tag cannot be turned back
    into the address without the server's secret (an IPv4 address alone has only 2^32 values)."""
    mac = hmac.new(key or _tag_key(), address.encode("utf-8", "replace"), hashlib.sha256)
    return mac.hexdigest()[:TAG_CHARS]
