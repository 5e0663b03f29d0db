"""`InsightsInput`: the counsellors' page at /webhooks/insights/, served by the Rasa server itself.

A counsellor signs in once with the school's token (its SHA-256 is in the schools file); the
server answers with a session cookie that is HttpOnly, SameSite=Strict and signed, which names
the school. Every page and CSV is then that school's only: the school comes from the cookie,
never from a parameter. The counts come from insights/counts.py, in a worker thread so that a
long count never holds up the students' chats on the same server.

Settings: SCHOOLS_FILE (or, for one local school, INSIGHTS_TOKEN_SHA256), INSIGHTS_MIN_STUDENTS
(5), INSIGHTS_SECRET (signs the cookies; every replica needs the same one; without it a random
one is kept in build/insights.secret), TRACKER_STORE_URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Text, Tuple
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import schools
from bot.channels import PageChannel
from bot.purge import DEFAULT_URL
from bot.ratelimit import client_address
from insights import render
from insights.counts import MAX_DAYS, gather, last_days, min_students_setting
from knowledge.query import KnowledgeBase

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PROJECT_DIR = Path(__file__).resolve().parent.parent
COOKIE = "insights_session"
SESSION_SECONDS = 8 * 3600  # a working day; then sign in again
DEFAULT_DAYS = 30
FAILURES_ALLOWED, FAILURE_WINDOW = 10, 900.0  # wrong tokens per address per 15 minutes
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make Chromium send `Origin: null` on the forms
    "X-Frame-Options": "DENY",
}
WRONG_TOKEN = "That token is not right. Check it, or ask your IT team for a new one."
TOO_MANY = "Too many wrong tokens from this network. Please wait 15 minutes and try again."
NO_TOKENS = ("No school on this server has an insights token yet. Ask your IT team to add one "
             "(python -m bot.schools --new-token).")


def secret(environ: Dict[str, str]) -> bytes:
    """The key that signs session cookies: INSIGHTS_SECRET, else one made once and kept in build/."""
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


class Sessions:
    """Signed cookies: school id, expiry, and a MAC that also covers the token's hash, so a new
    token signs every counsellor of that school out."""

    def __init__(self, key: bytes, known: schools.Schools) -> None:
        self.key, self.schools = key, known

    def _mac(self, school: schools.School, expires: int) -> str:
        message = f"{school.id}.{expires}.{school.token_sha256}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def issue(self, school: schools.School, now: Optional[float] = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        return f"{school.id}.{expires}.{self._mac(school, expires)}"

    def school(self, cookie: Optional[str], now: Optional[float] = None) -> Optional[schools.School]:
        """The school a cookie was issued for, if it is genuine, unexpired and its token unchanged."""
        if not cookie or len(cookie) > 200 or cookie.count(".") != 2:
            return None
        school_id, expires, mac = cookie.split(".")
        school = self.schools.by_id(school_id)
        if school is None or not school.token_sha256 or not expires.isdigit():
            return None
        if int(expires) < (now or time.time()):
            return None
        return school if hmac.compare_digest(mac, self._mac(school, int(expires))) else None


class Failures:
    """Wrong tokens per client address, in this process: slows guessing to 10 tries per 15 minutes."""

    def __init__(self) -> None:
        self.seen: Dict[str, Deque[float]] = defaultdict(deque)

    def blocked(self, address: str, now: float) -> bool:
        times = self.seen[address]
        while times and times[0] < now - FAILURE_WINDOW:
            times.popleft()
        return len(times) >= FAILURES_ALLOWED

    def add(self, address: str, now: float) -> None:
        self.seen[address].append(now)
        if len(self.seen) > 10_000:  # bounded memory under a spray of addresses
            self.seen.pop(next(iter(self.seen)))


def parse_range(args: Dict[str, Any], zone: Any) -> Tuple[dt.date, dt.date, Optional[str]]:
    """The dates asked for (from, to), else the last 30 days, with a sentence saying what was wrong."""
    default = last_days(DEFAULT_DAYS, zone)
    start_text, end_text = (args.get(k, [""])[0] for k in ("from", "to"))
    if not start_text and not end_text:
        return (*default, None)
    try:
        start, end = dt.date.fromisoformat(start_text[:10]), dt.date.fromisoformat(end_text[:10])
    except ValueError:
        return (*default, "Dates must look like 2026-11-30. Showing the last 30 days instead.")
    if end < start:
        return (*default, "The first day is after the last one. Showing the last 30 days instead.")
    if (end - start).days >= MAX_DAYS:
        return (*default, f"Choose at most {MAX_DAYS} days. Showing the last 30 days instead.")
    return start, end, None


def _same_origin(request: Request) -> bool:
    """A form post from this server's own page (or from a client that sends no Origin, like curl)."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == (request.host or "").lower()


class InsightsInput(PageChannel):
    """The page, its stylesheet and its CSV; it takes no chat messages."""

    @classmethod
    def name(cls) -> Text:
        return "insights"

    def __init__(self) -> None:
        environ = dict(os.environ)
        self.schools = schools.from_env(environ)  # a wrong file or setting stops the server with its reason
        self.min_students = min_students_setting(environ)
        self.sessions = Sessions(secret(environ), self.schools)
        self.url = environ.get("TRACKER_STORE_URL") or DEFAULT_URL
        self.failures = Failures()
        self.kb: Optional[KnowledgeBase] = None

    def _html(self, body: str, status: int = 200) -> HTTPResponse:
        return response.html(body, status=status, headers=dict(HEADERS))

    def _set_cookie(self, result: HTTPResponse, value: str, secure: bool = False) -> None:
        result.cookies[COOKIE] = value
        morsel = result.cookies[COOKIE]
        morsel["httponly"] = True
        morsel["samesite"] = "Strict"
        morsel["path"] = "/webhooks/insights"
        morsel["max-age"] = SESSION_SECONDS if value else 0
        if secure:
            morsel["secure"] = True

    async def _counts(self, school: schools.School, start: dt.date, end: dt.date) -> Dict[str, Any]:
        if self.kb is None:
            self.kb = KnowledgeBase()
        work = functools.partial(gather, self.url, start, end, school_id=school.id, school_name=school.name,
                                 zone=school.zone, min_students=self.min_students, kb=self.kb)
        found = await asyncio.get_running_loop().run_in_executor(None, work)
        return found.as_dict()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (page or sign-in), POST sign-in and sign-out, GET export.csv and the stylesheet."""
        page = Blueprint("insights_page", __name__)

        def signed_in(request: Request) -> Optional[schools.School]:
            return self.sessions.school(request.cookies.get(COOKIE))

        @page.route("/", methods=["GET"], strict_slashes=False)
        async def home(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # relative links need the slash
                return response.redirect(request.path.rsplit("/", 1)[-1] + "/", status=301)
            school = signed_in(request)
            if school is None:
                no_tokens = not any(s.token_sha256 for s in self.schools.schools)
                return self._html(render.sign_in(NO_TOKENS if no_tokens else None))
            start, end, problem = parse_range(parse_qs(request.query_string), school.zone)
            try:
                data = await self._counts(school, start, end)
            except sa.exc.SQLAlchemyError:
                logger.exception("insights: cannot read the conversation store")
                return self._html(render.sign_in("The conversation store cannot be read right now. "
                                                 "Please try again in a few minutes."), status=503)
            return self._html(render.page(data, school.name, problem))

        @page.route("/sign-in", methods=["POST"])
        async def sign_in(request: Request) -> HTTPResponse:
            if not _same_origin(request):
                return response.text("Sign in from the insights page itself.", status=403, headers=HEADERS)
            now, address = time.time(), client_address(request.headers.get("x-forwarded-for", ""), request.ip)
            if self.failures.blocked(address, now):
                return self._html(render.sign_in(TOO_MANY), status=429)
            token = (request.form.get("token") or "").strip() if request.form else ""
            school = next((s for s in self.schools.schools if s.token_matches(token)), None) if token else None
            if school is None:
                self.failures.add(address, now)
                return self._html(render.sign_in(WRONG_TOKEN), status=401)
            result = response.redirect("./", status=303, headers=dict(HEADERS))
            secure = request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
            self._set_cookie(result, self.sessions.issue(school), secure=secure)
            logger.info("insights: a counsellor of %s signed in", school.id)
            return result

        @page.route("/sign-out", methods=["POST"])
        async def sign_out(request: Request) -> HTTPResponse:
            if not _same_origin(request):
                return response.text("Sign out from the insights page itself.", status=403, headers=HEADERS)
            result = response.redirect("./", status=303, headers=dict(HEADERS))
            self._set_cookie(result, "")
            return result

        @page.route("/export.csv", methods=["GET"])
        async def export(request: Request) -> HTTPResponse:
            school = signed_in(request)
            if school is None:
                return response.text("Sign in first.", status=401, headers=HEADERS)
            start, end, _ = parse_range(parse_qs(request.query_string), school.zone)
            data = await self._counts(school, start, end)
            name = f"questions-{school.id}-{start.isoformat()}-{end.isoformat()}.csv"
            return response.text(render.as_csv(data), headers={
                **HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
                content_type="text/csv; charset=utf-8")

        @page.route(f"/{render.STYLESHEET}", methods=["GET"])
        async def stylesheet(_: Request) -> HTTPResponse:
            body = (STATIC / render.STYLESHEET).read_bytes()
            return HTTPResponse(body=body, headers={"Cache-Control": "public, max-age=300",
                                                    "X-Content-Type-Options": "nosniff"},
                                content_type="text/css; charset=utf-8")

        return page


def check(environ: Dict[str, str]) -> Optional[str]:
    """What stops the page from starting, in one sentence (scripts/serve.sh asks before starting)."""
    try:
        schools.from_env(environ)
        min_students_setting(environ)
        if environ.get("INSIGHTS_SECRET", "").strip() and len(environ["INSIGHTS_SECRET"].strip()) < 32:
            return "INSIGHTS_SECRET must be at least 32 characters"
    except (schools.SchoolsError, ValueError) as error:
        return str(error)
    return None


if __name__ == "__main__":
    import sys

    problem = check(dict(os.environ))
    if problem:
        print(f"insights page: {problem}", file=sys.stderr)
    raise SystemExit(1 if problem else 0)
