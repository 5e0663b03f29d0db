"""The schools file: read, validated and turned into `Schools`; the only parser of it.

A district runs one assistant for many schools. `SCHOOLS_FILE` names a YAML file that lists,
for each school, its name, the origins of its pages, its counsellor's contact, the SHA-256
hash of its insights token and its next steps (`links`: title and https address each; see
`schools.example.yml`). A wrong file stops the server at start-up
with an error that names the file, the school and the field.

Without a schools file the server keeps working for local pages: the origins allowed are
`CORS_ORIGINS` (what `make run` sets), and the contact is `SCHOOL_NAME` / `COUNSELLOR_*`. Only the
Rasa server reads those: the channels put the contact into each message's metadata.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from schools.contact import EMAIL, MAX_LINKS, PHONE, PLAIN, Link, checked, https_url
from schools.school import School, Schools, normalise_origin

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")


class SchoolsError(ValueError):
    """The schools file is missing or wrong: says which file, which school and what."""

    def __init__(self, path: str, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}")


def _zone(path: str, where: str, value: Any) -> str:
    """A time zone name that ZoneInfo knows (UTC when unset); never a path into the zone files."""
    if value is None:
        return "UTC"
    try:
        if not isinstance(value, str) or not ZONE_NAME.match(value):
            raise ValueError
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise SchoolsError(path, where, f"`timezone` `{str(value)[:60]}` is not a time zone name "
                                        "(like Europe/London or America/Chicago)") from None
    return value


def _links(path: str, where: str, value: Any) -> Tuple[Link, ...]:
    """The school's next steps: a list of {title, url}, https only; an error names the link and what is wrong."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SchoolsError(path, where, "`links` must be a list of {title, url}")
    if len(value) > MAX_LINKS:
        raise SchoolsError(path, where, f"`links` has {len(value)} links: at most {MAX_LINKS}")
    found: List[Link] = []
    for index, entry in enumerate(value):
        at = f"{where} link {index + 1}"
        if not isinstance(entry, dict) or set(entry) - {"title", "url"}:
            raise SchoolsError(path, at, "must be a mapping with `title` and `url` only")
        title = _text(path, at, entry, "title", PLAIN, required=True)
        url = entry.get("url")
        if https_url(url) is None:
            need = "is required" if url is None else f"`{str(url)[:80]}` is not an https:// address"
            raise SchoolsError(path, at, f"`url` {need} (https only, with a host, no spaces)")
        assert title is not None
        found.append(Link(title, https_url(url) or ""))
    return tuple(found)


def _text(path: str, where: str, entry: Mapping[str, Any], key: str, pattern: "re.Pattern[str]",
          required: bool = False) -> Optional[str]:
    """One field, checked: None when optional and unset, else the stripped value or an error naming it."""
    value = entry.get(key)
    if value is None and not required:
        return None
    found = checked(value, pattern)
    if found is None:
        need = "is required" if value is None else f"`{str(value)[:60]}` is not valid"
        raise SchoolsError(path, where, f"`{key}` {need}")
    return found


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
            links=_links(path, where, entry.get("links")),
        ))
    return Schools(schools, configured=True)


def load(path: Path) -> Schools:
    """Read and validate a schools file; an unreadable or invalid one is a SchoolsError, never a traceback."""
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

    def setting(key: str, pattern: "re.Pattern[str]") -> Optional[str]:
        """A setting checked like the file's field; a wrong one is left out, not shown."""
        return checked(environ.get(key, ""), pattern)

    token = environ.get("INSIGHTS_TOKEN_SHA256", "").strip().lower()
    try:
        zone = _zone("environment", "SCHOOL_TIMEZONE", environ.get("SCHOOL_TIMEZONE") or None)
    except SchoolsError:
        zone = "UTC"
    school = School(id="local", name=setting("SCHOOL_NAME", PLAIN) or "", origins=tuple(dict.fromkeys(origins)),
                    counsellor_name=setting("COUNSELLOR_NAME", PLAIN),
                    counsellor_email=setting("COUNSELLOR_EMAIL", EMAIL),
                    counsellor_phone=setting("COUNSELLOR_PHONE", PHONE),
                    token_sha256=token if SHA256.match(token) else None, timezone=zone)
    return Schools([school], configured=False)


def from_env(environ: Optional[Mapping[str, str]] = None) -> Schools:
    """The schools of this server: SCHOOLS_FILE when set (an error stops start-up), else local()."""
    environ = os.environ if environ is None else environ
    path = environ.get("SCHOOLS_FILE", "").strip()
    return load(Path(path)) if path else local(environ)
