"""A school, the schools of one server, and the one place that turns a request's Origin into a school.

The channels never take a page's word for its school: they look the request's Origin up here, and
`school_metadata` writes that school's own settings into the message's metadata over whatever the page
sent. Everything downstream (the actions, the insights counts) reads the school from that metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from schools.contact import LINKS_KEY, METADATA_KEYS, Link

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(value: Any) -> Optional[str]:
    """'scheme://host[:port]' in lower case, the default port dropped; None for anything else."""
    if not isinstance(value, str) or len(value) > 300:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else "")


@dataclass(frozen=True)
class School:
    """One school's settings, as the server holds them (never as a page claims them)."""

    id: str
    name: str
    origins: Tuple[str, ...]
    counsellor_name: Optional[str] = None
    counsellor_email: Optional[str] = None
    counsellor_phone: Optional[str] = None
    token_sha256: Optional[str] = None
    timezone: str = "UTC"  # the days of the insights page are this zone's days
    links: Tuple[Link, ...] = ()  # next steps: the handoff and the summary page show them

    @property
    def zone(self) -> ZoneInfo:
        """The school's time zone, in which its insights weeks start and end."""
        return ZoneInfo(self.timezone)

    def metadata(self) -> Dict[str, Any]:
        """What the actions and the report read about the school, from the server's settings."""
        found: Dict[str, Any] = {
            "school": self.name, "school_id": self.id, "counsellor_name": self.counsellor_name,
            "counsellor_email": self.counsellor_email, "counsellor_phone": self.counsellor_phone,
            LINKS_KEY: [link.as_dict() for link in self.links]}
        return {k: v for k, v in found.items() if v}

    def token_matches(self, token: str) -> bool:
        """The insights token, compared with its stored hash in constant time."""
        if not self.token_sha256 or not isinstance(token, str) or not token:
            return False
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        return hmac.compare_digest(digest, self.token_sha256)


@dataclass
class Schools:
    """The schools and the origins they own; `configured` is False without a schools file."""

    schools: List[School]
    configured: bool
    by_origin: Dict[str, School] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_origin = {o: s for s in self.schools for o in s.origins}

    @property
    def origins(self) -> List[str]:
        """Every school's origins: the server's CORS allow-list."""
        return list(self.by_origin)

    def for_origin(self, origin: Any) -> Optional[School]:
        """The school whose page this Origin is, or None when it is no school's."""
        key = normalise_origin(origin)
        return self.by_origin.get(key) if key else None

    def allows(self, origin: Optional[str]) -> bool:
        """A request may go on: a known origin, or, without a schools file, no Origin at all (curl)."""
        if origin is None or origin == "":
            return not self.configured
        return self.for_origin(origin) is not None

    def for_request(self, origin: Optional[str]) -> Optional[School]:
        """The school of a request that `allows`: its Origin's, or, without a schools file, the local one."""
        found = self.for_origin(origin) if origin else None
        return found or (None if self.configured else self.schools[0])

    def by_id(self, school_id: str) -> Optional[School]:
        """The school with this id (a socket.io session keeps the id its connection's Origin gave)."""
        return next((s for s in self.schools if s.id == school_id), None)


def school_metadata(page: Mapping[str, Any], school: Optional[School]) -> Dict[str, Any]:
    """The page's metadata without its claims about the school, plus the school's own settings."""
    kept = {k: v for k, v in page.items() if k not in METADATA_KEYS and k != "school_id"}
    return {**kept, **(school.metadata() if school else {})}


def hash_token(token: str) -> str:
    """What goes in `insights_token_sha256` (also: `printf %s TOKEN | sha256sum`)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A counsellor's insights token: 32 random URL-safe characters (192 bits), never guessable."""
    return secrets.token_urlsafe(24)
