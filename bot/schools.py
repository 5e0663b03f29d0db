"""Which school a request comes from: worked out from its `Origin`, never from what the page claims.

A district runs one assistant for many schools. `SCHOOLS_FILE` names a YAML file that lists,
for each school, its name, the origins of its pages, its counsellor's contact and the SHA-256
hash of its insights token (see `schools.example.yml`). The channels look the request's Origin
up here: a known origin gives the school (its name and contact go into the message's metadata,
whatever the page sent), an unknown one is refused on every channel and nothing is stored.

Without a schools file the server keeps working for local pages: the origins allowed are
`CORS_ORIGINS` (what `make run` sets), and the contact is `SCHOOL_NAME` / `COUNSELLOR_*`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PLAIN = re.compile(r"^[^<>{}\n\r]{1,100}$")
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
PHONE = re.compile(r"^[0-9+()\-. ]{5,32}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_PORTS = {"http": 80, "https": 443}
# The metadata keys a school's settings fill; a page's own values for them are dropped.
SCHOOL_KEYS = ("school", "counsellor_name", "counsellor_email", "counsellor_phone")


class SchoolsError(ValueError):
    """The schools file is missing or wrong: says which file, which school and what."""

    def __init__(self, path: str, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}")


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
    id: str
    name: str
    origins: Tuple[str, ...]
    counsellor_name: Optional[str] = None
    counsellor_email: Optional[str] = None
    counsellor_phone: Optional[str] = None
    token_sha256: Optional[str] = None
    timezone: str = "UTC"  # the days of the insights page are this zone's days

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def metadata(self) -> Dict[str, str]:
        """What the actions and the report read about the school, from the server's settings."""
        found = {"school": self.name, "school_id": self.id, "counsellor_name": self.counsellor_name,
                 "counsellor_email": self.counsellor_email, "counsellor_phone": self.counsellor_phone}
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

    def by_id(self, school_id: str) -> Optional[School]:
        return next((s for s in self.schools if s.id == school_id), None)


def _zone(path: str, where: str, value: Any) -> str:
    if value is None:
        return "UTC"
    try:
        if not isinstance(value, str) or not re.match(r"^[A-Za-z0-9_+\-/]{1,64}$", value):
            raise ValueError
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise SchoolsError(path, where, f"`timezone` `{str(value)[:60]}` is not a time zone name "
                                        "(like Europe/London or America/Chicago)") from None
    return value


def _text(path: str, where: str, entry: Mapping[str, Any], key: str, pattern: "re.Pattern[str]",
          required: bool = False) -> Optional[str]:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not pattern.match(value.strip()):
        need = "is required" if value is None else f"`{str(value)[:60]}` is not valid"
        raise SchoolsError(path, where, f"`{key}` {need}")
    return value.strip()


def parse(data: Any, path: str = "schools.yml") -> Schools:
    """Validate a parsed schools file; every error names the school and the field."""
    if not isinstance(data, dict) or not isinstance(data.get("schools"), list) or not data["schools"]:
        raise SchoolsError(path, "-", "needs a non-empty `schools:` list")
    schools: List[School] = []
    owner: Dict[str, str] = {}
    for index, entry in enumerate(data["schools"]):
        where = f"school {index + 1}"
        if not isinstance(entry, dict):
            raise SchoolsError(path, where, "must be a mapping")
        school_id = _text(path, where, entry, "id", ID, required=True)
        assert school_id is not None
        where = f"school {school_id}"
        if any(s.id == school_id for s in schools):
            raise SchoolsError(path, where, "duplicate id")
        name = _text(path, where, entry, "name", PLAIN, required=True)
        origins = entry.get("origins")
        if not isinstance(origins, list) or not origins:
            raise SchoolsError(path, where, "`origins` must list the origins of the school's pages")
        normalised = []
        for origin in origins:
            key = normalise_origin(origin)
            if key is None:
                raise SchoolsError(path, where, f"origin `{str(origin)[:80]}` is not scheme://host[:port] "
                                                "(http or https, no path)")
            if key in owner and owner[key] != school_id:
                raise SchoolsError(path, where, f"origin `{key}` is also an origin of `{owner[key]}`")
            owner[key] = school_id
            normalised.append(key)
        counsellor = entry.get("counsellor") or {}
        if not isinstance(counsellor, dict):
            raise SchoolsError(path, where, "`counsellor` must be a mapping (name, email, phone)")
        token = entry.get("insights_token_sha256")
        if token is not None and not (isinstance(token, str) and SHA256.match(token.strip().lower())):
            raise SchoolsError(path, where, "`insights_token_sha256` must be 64 hex digits (sha256sum of the token)")
        assert name is not None
        schools.append(School(
            id=school_id, name=name, origins=tuple(dict.fromkeys(normalised)),
            counsellor_name=_text(path, f"{where} counsellor", counsellor, "name", PLAIN),
            counsellor_email=_text(path, f"{where} counsellor", counsellor, "email", EMAIL),
            counsellor_phone=_text(path, f"{where} counsellor", counsellor, "phone", PHONE),
            token_sha256=token.strip().lower() if isinstance(token, str) else None,
            timezone=_zone(path, where, entry.get("timezone")),
        ))
    return Schools(schools, configured=True)


def load(path: Path) -> Schools:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchoolsError(str(path), "-", f"cannot be read ({error.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SchoolsError(str(path), "-", f"not valid YAML ({str(error).splitlines()[0]})") from None
    return parse(data, str(path))


def local(environ: Mapping[str, str]) -> Schools:
    """No schools file: one local 'school' whose origins are CORS_ORIGINS, contact from the environment."""
    origins = [o for o in (normalise_origin(w) for w in environ.get("CORS_ORIGINS", "").split()) if o]

    def clean(key: str, pattern: "re.Pattern[str]") -> Optional[str]:
        value = environ.get(key, "").strip()
        return value if value and pattern.match(value) else None

    token = environ.get("INSIGHTS_TOKEN_SHA256", "").strip().lower()
    try:
        zone = _zone("environment", "SCHOOL_TIMEZONE", environ.get("SCHOOL_TIMEZONE") or None)
    except SchoolsError:
        zone = "UTC"
    school = School(id="local", name=clean("SCHOOL_NAME", PLAIN) or "", origins=tuple(dict.fromkeys(origins)),
                    counsellor_name=clean("COUNSELLOR_NAME", PLAIN), counsellor_email=clean("COUNSELLOR_EMAIL", EMAIL),
                    counsellor_phone=clean("COUNSELLOR_PHONE", PHONE),
                    token_sha256=token if SHA256.match(token) else None, timezone=zone)
    return Schools([school], configured=False)


def from_env(environ: Optional[Mapping[str, str]] = None) -> Schools:
    """The schools of this server: SCHOOLS_FILE when set (an error stops start-up), else local()."""
    environ = os.environ if environ is None else environ
    path = environ.get("SCHOOLS_FILE", "").strip()
    return load(Path(path)) if path else local(environ)


def school_metadata(page: Mapping[str, Any], school: Optional[School]) -> Dict[str, Any]:
    """The page's metadata without its claims about the school, plus the school's own settings."""
    kept = {k: v for k, v in page.items() if k not in SCHOOL_KEYS and k != "school_id"}
    return {**kept, **(school.metadata() if school else {})}


def hash_token(token: str) -> str:
    """What goes in `insights_token_sha256` (also: `printf %s TOKEN | sha256sum`)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A counsellor's insights token: 32 random URL-safe characters (192 bits), never guessable."""
    return secrets.token_urlsafe(24)


def main(argv: Optional[List[str]] = None) -> int:
    """`python -m bot.schools [FILE]`: check a schools file (default: SCHOOLS_FILE) and list its schools;
    `--hash TOKEN`: the hash to put in `insights_token_sha256`; `--new-token`: a new token and its hash;
    `--origins FILE`: every school's origins."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--new-token"]:
        token = new_token()
        print(f"token (give it to the counsellor, once): {token}\ninsights_token_sha256: {hash_token(token)}")
        return 0
    if args[:1] == ["--hash"] and len(args) == 2:
        print(hash_token(args[1]))
        return 0
    if args[:1] == ["--origins"] and len(args) == 2:  # for the server's CORS headers (scripts/serve.sh)
        try:
            print(" ".join(load(Path(args[1])).origins))
        except SchoolsError as error:
            print(f"schools file: {error}", file=sys.stderr)
            return 1
        return 0
    try:
        found = load(Path(args[0])) if args else from_env()
    except SchoolsError as error:
        print(f"schools file: {error}", file=sys.stderr)
        return 1
    if not found.configured:
        print("no SCHOOLS_FILE: pages on CORS_ORIGINS only: " + (" ".join(found.origins) or "(none)"))
    for school in found.schools if found.configured else []:
        print(f"{school.id}: {school.name} <- {' '.join(school.origins)}"
              + ("" if school.token_sha256 else " (no insights token)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
