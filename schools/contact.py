"""A counsellor's contact: the checks on each field, and the contact as a message's metadata carries it.

The contact includes the school's next steps (`links`: local programmes, open days), each a title and
an https address, checked here for the schools file and again when a message's metadata carries them.

One set of checks for the schools file (schools/file.py) and for the action server, which takes the
contact only from the metadata that the channels filled from the server's settings (bot/input.py)
and checks it again, so that a message that did not come through them can still show nothing unsafe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

PLAIN = re.compile(r"^[^<>{}\n\r]{1,100}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
PHONE = re.compile(r"^[0-9+()\-. ]{5,32}$")
MAX_LINKS = 10
MAX_URL = 500
# The metadata keys a school's settings fill (with `school_id`); a page's own values for them are dropped.
LINKS_KEY = "counsellor_links"
METADATA_KEYS = ("school", "counsellor_name", "counsellor_email", "counsellor_phone", LINKS_KEY)


def checked(value: Any, pattern: "re.Pattern[str]") -> Optional[str]:
    """The value without its surrounding spaces when it passes the check, else None: never shown half-checked."""
    if isinstance(value, str) and pattern.match(value.strip()):
        return value.strip()
    return None


def https_url(value: Any) -> Optional[str]:
    """The address when it is a plain https:// URL with a host (no spaces, quotes, angle brackets or user
    name); else None. Only https: a next step sends a student off the chat, and never to a script."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or c in '<>"\'`\\' or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return None
    return url


@dataclass(frozen=True)
class Link:
    """One next step a school offers its students: a title, and where it is (https only)."""

    title: str
    url: str

    def as_dict(self) -> Dict[str, str]:
        """The link as a message's metadata carries it (JSON)."""
        return {"title": self.title, "url": self.url}

    @classmethod
    def checked(cls, value: Any) -> Optional["Link"]:
        """A link from a mapping {title, url} that passes both checks, else None."""
        if not isinstance(value, dict):
            return None
        title, url = checked(value.get("title"), PLAIN), https_url(value.get("url"))
        return cls(title, url) if title and url else None


def links_from(value: Any) -> Tuple[Link, ...]:
    """The links of a message's metadata that pass the checks (at most MAX_LINKS); the others are left out."""
    if not isinstance(value, list):
        return ()
    found = [link for link in (Link.checked(v) for v in value[:MAX_LINKS]) if link is not None]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Contact:
    """Whom a student may ask: the school's name, its counsellor's name, email and phone, and the school's next
    steps, each checked."""

    school: Optional[str] = None
    name: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    links: Tuple[Link, ...] = ()

    @classmethod
    def from_metadata(cls, metadata: Any) -> "Contact":
        """The contact that a message's metadata carries; a field that fails its check is left out."""
        found = metadata if isinstance(metadata, dict) else {}
        return cls(school=checked(found.get("school"), PLAIN), name=checked(found.get("counsellor_name"), PLAIN),
                   email=checked(found.get("counsellor_email"), EMAIL),
                   phone=checked(found.get("counsellor_phone"), PHONE), links=links_from(found.get(LINKS_KEY)))
