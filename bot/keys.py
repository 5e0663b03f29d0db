"""The server's one secret, and what is derived from it.

INSIGHTS_SECRET (at least 32 characters; every replica needs the same one) signs the counsellors'
session cookies and keys the client tags below; without it a random one is made once and kept in
build/insights.secret (INSIGHTS_SECRET_FILE), which is enough for one machine. Each use derives its
own key, so that a value made for one purpose can never pass for another's.

A conversation's summary key (the student's summary page, bot/summary.py) is its sender id and an
expiry, signed: it opens that one conversation's summary until it expires, and nothing else. It is
never stored: the server checks the signature, so every replica with the same secret accepts it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
TAG_CHARS = 16
SUMMARY_KEY_SECONDS = 8 * 3600  # a school day: a key left in a shared computer's history soon stops working
MAX_SUMMARY_KEY_CHARS = 400
WRONG, EXPIRED = "wrong", "expired"


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


@lru_cache(maxsize=1)
def _summary_key() -> bytes:
    return derived(secret(os.environ), "summary-key")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _summary_mac(body: str, key: Optional[bytes]) -> str:
    return _b64(hmac.new(key or _summary_key(), f"summary:{body}".encode(), hashlib.sha256).digest())


def summary_key(sender: str, now: Optional[float] = None, key: Optional[bytes] = None,
                seconds: int = SUMMARY_KEY_SECONDS) -> Tuple[str, int]:
    """(key, expiry in epoch seconds) for one conversation's summary: signed, so that only the server can make
    one, and a sender id alone (which the REST channel takes from anyone) never opens a conversation."""
    expires = int(time.time() if now is None else now) + seconds
    body = f"{_b64(sender.encode())}.{expires}"
    return f"{body}.{_summary_mac(body, key)}", expires


def summary_sender(token: Any, now: Optional[float] = None,
                   key: Optional[bytes] = None) -> Tuple[Optional[str], Optional[str]]:
    """(sender id, None) for a key this server signed that has not expired, else (None, WRONG or EXPIRED).
    The signature is checked first, so "expired" is said only of a key that was once good."""
    if not isinstance(token, str) or len(token) > MAX_SUMMARY_KEY_CHARS or token.count(".") != 2:
        return None, WRONG
    encoded, expires, mac = token.split(".")
    if not hmac.compare_digest(_summary_mac(f"{encoded}.{expires}", key).encode(), mac.encode()):
        return None, WRONG
    try:
        sender = _unb64(encoded).decode("utf-8")
        expiry = int(expires)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None, WRONG
    if expiry <= (time.time() if now is None else now):
        return None, EXPIRED
    return sender, None
