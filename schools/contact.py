"""A counsellor's contact: the checks on each field, and the contact as a message's metadata carries it.

One set of checks for the schools file (schools/file.py) and for the action server, which takes the
contact only from the metadata that the channels filled from the server's settings (bot/input.py)
and checks it again, so that a message that did not come through them can still show nothing unsafe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

PLAIN = re.compile(r"^[^<>{}\n\r]{1,100}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
PHONE = re.compile(r"^[0-9+()\-. ]{5,32}$")
# The metadata keys a school's settings fill (with `school_id`); a page's own values for them are dropped.
METADATA_KEYS = ("school", "counsellor_name", "counsellor_email", "counsellor_phone")


def checked(value: Any, pattern: "re.Pattern[str]") -> Optional[str]:
    """The value without its surrounding spaces when it passes the check, else None: never shown half-checked."""
    if isinstance(value, str) and pattern.match(value.strip()):
        return value.strip()
    return None


@dataclass(frozen=True)
class Contact:
    """Whom a student may ask: the school's name and its counsellor's name, email and phone, each checked."""

    school: Optional[str] = None
    name: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None

    @classmethod
    def from_metadata(cls, metadata: Any) -> "Contact":
        """The contact that a message's metadata carries; a field that fails its check is left out."""
        found = metadata if isinstance(metadata, dict) else {}
        return cls(school=checked(found.get("school"), PLAIN), name=checked(found.get("counsellor_name"), PLAIN),
                   email=checked(found.get("counsellor_email"), EMAIL),
                   phone=checked(found.get("counsellor_phone"), PHONE))
