"""`InsightsInput`: the counsellors' page at /webhooks/insights/, served by the Rasa server itself.

A counsellor signs in once with the school's token (its SHA-256 is in the schools file); the
server answers with a session cookie that is HttpOnly, SameSite=Strict, signed and, over HTTPS,
`__Host-` prefixed (insights/sessions.py), which names the school; signing out revokes it. Every
page and CSV is then that school's only: the school comes from the cookie, never from a parameter.
No response here carries an Access-Control-* header: no other page may read it with the cookie.
The counts come from insights/counts.py (finished weeks only, rounded, K-anonymous), in a worker
thread so that a long count never holds up the students' chats on the same server.

Settings: SCHOOLS_FILE (or, for one local school, INSIGHTS_TOKEN_SHA256), INSIGHTS_MIN_STUDENTS
(5), INSIGHTS_SECRET (bot/keys.py: signs the cookies; every replica needs the same one), REDIS_URL
(sign-outs and wrong tokens shared by the replicas), TRACKER_STORE_URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple
from urllib.parse import parse_qs

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import PageChannel
from bot.keys import secret
from bot.ratelimit import request_address
from insights import render
from insights.counts import TREND_WEEKS, Week, latest_week, min_students_setting, page_data
from insights.sessions import SESSION_SECONDS, Failures, Sessions
from knowledge.query import KnowledgeBase
from schools.file import SchoolsError, from_env
from schools.school import School, normalise_origin
from store.url import tracker_url

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
# Over HTTPS the cookie is `__Host-` prefixed: Secure, Path=/, no Domain, so no other host of the site
# (a school's page on ridgeview.district.example) can set or shadow it. Plain HTTP (make run on
# localhost) cannot keep such a cookie, so it gets the plain name there, and that name is never
# read over HTTPS.
COOKIE, SECURE_COOKIE = "insights_session", "__Host-insights_session"
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
             "(python -m schools --new-token).")


def parse_week(args: Dict[str, Any], zone: Any, today: Optional[dt.date] = None) -> Tuple[Week, Optional[str]]:
    """The finished week asked for (`?week=2026-W47`), else the latest finished one, with a sentence
    saying why. Never chosen dates: two overlapping ranges, subtracted, would single out a student."""
    latest = latest_week(zone, today)
    text = (args.get("week") or [""])[0]
    if not text:
        if any(args.get(k) for k in ("from", "to")):
            return latest, ("The page counts whole weeks, Monday to Sunday, not chosen dates. "
                            "Showing the latest finished week.")
        return latest, None
    week = Week.parse(text[:20])
    if week is None:
        return latest, "Weeks look like 2026-W47 (the year, W, the week's number). Showing the latest finished week."
    if not week.finished(zone, today):
        appears = week.monday + dt.timedelta(days=7)
        return latest, (f"Week {week.number} of {week.year} is not over yet: its figures appear on "
                        f"{appears:%A} {appears.day} {appears:%B %Y}. Showing the latest finished week.")
    return week, None


def _secure(request: Request) -> bool:
    """HTTPS, here or at the proxy in front (X-Forwarded-Proto counts only with TRUST_PROXY set)."""
    if request.scheme == "https":
        return True
    trusted = (os.environ.get("TRUST_PROXY", "0") or "0").strip() not in ("", "0")
    return trusted and request.headers.get("x-forwarded-proto", "").split(",")[-1].strip() == "https"


def _same_origin(request: Request) -> bool:
    """A form post from this server's own page, under the host name the browser used (nginx passes it
    on as Host), or from a client that sends no Origin, like curl. Sec-Fetch-Site, where a browser
    sends it, must say so too."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin:
        return True
    scheme = "https" if _secure(request) else "http"
    here = normalise_origin(f"{scheme}://{request.headers.get('host', '')}")
    return here is not None and normalise_origin(origin) == here


def _no_cors(result: HTTPResponse) -> None:
    """No Access-Control-* header on any insights response, whatever runs in front or around: a page of
    a school on the same site must never read another school's counts with the counsellor's cookie."""
    for name in [h for h in result.headers if h.lower().startswith("access-control-")]:
        del result.headers[name]


class InsightsInput(PageChannel):
    """The page, its stylesheet and its CSV; it takes no chat messages."""

    @classmethod
    def name(cls) -> Text:
        """The URL prefix: the counsellors' page is at /webhooks/insights/."""
        return "insights"

    def __init__(self) -> None:
        environ = dict(os.environ)
        self.schools = from_env(environ)  # a wrong file or setting stops the server with its reason
        self.min_students = min_students_setting(environ)
        self.sessions = Sessions(secret(environ), self.schools, environ)
        self.url = tracker_url(environ)
        self.failures = Failures(environ)
        self.kb: Optional[KnowledgeBase] = None

    def _html(self, body: str, status: int = 200) -> HTTPResponse:
        return response.html(body, status=status, headers=dict(HEADERS))

    def _set_cookie(self, result: HTTPResponse, value: str, secure: bool = False) -> None:
        name = SECURE_COOKIE if secure else COOKIE
        result.cookies[name] = value
        morsel = result.cookies[name]
        morsel["httponly"] = True
        morsel["samesite"] = "Strict"
        morsel["path"] = "/" if secure else "/webhooks/insights"  # `__Host-` requires Path=/
        morsel["max-age"] = SESSION_SECONDS if value else 0
        if secure:
            morsel["secure"] = True

    async def _counts(self, school: School, week: Week, trend: bool = True) -> Dict[str, Any]:
        """One finished week of the school (and its 12 weeks' trend), counted in a worker thread."""
        if self.kb is None:
            self.kb = KnowledgeBase()
        work = functools.partial(page_data, self.url, week, school_id=school.id, school_name=school.name,
                                 zone=school.zone, min_students=self.min_students, kb=self.kb,
                                 trend_weeks=TREND_WEEKS if trend else 0)
        return await asyncio.get_running_loop().run_in_executor(None, work)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """GET / (page or sign-in), POST sign-in and sign-out, GET export.csv and the stylesheet."""
        page = Blueprint("insights_page", __name__)

        def cookie(request: Request) -> Optional[str]:
            return request.cookies.get(SECURE_COOKIE if _secure(request) else COOKIE)

        async def signed_in(request: Request) -> Optional[School]:
            return await self.sessions.signed_in(cookie(request))

        @page.middleware("response")
        async def no_cors(request: Request, result: HTTPResponse) -> None:
            _no_cors(result)

        @page.route("/", methods=["GET"], strict_slashes=False)
        async def home(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # relative links need the slash
                return response.redirect(request.path.rsplit("/", 1)[-1] + "/", status=301)
            school = await signed_in(request)
            if school is None:
                no_tokens = not any(s.token_sha256 for s in self.schools.schools)
                return self._html(render.sign_in(NO_TOKENS if no_tokens else None))
            week, problem = parse_week(parse_qs(request.query_string), school.zone)
            try:
                data = await self._counts(school, week)
            except sa.exc.SQLAlchemyError:
                logger.exception("insights: cannot read the conversation store")
                return self._html(render.sign_in("The conversation store cannot be read right now. "
                                                 "Please try again in a few minutes."), status=503)
            return self._html(render.page(data, school.name, problem))

        @page.route("/sign-in", methods=["POST"])
        async def sign_in(request: Request) -> HTTPResponse:
            if not _same_origin(request):
                return response.text("Sign in from the insights page itself.", status=403, headers=HEADERS)
            now, address = time.time(), request_address(request)
            if await self.failures.blocked(address, now):
                return self._html(render.sign_in(TOO_MANY), status=429)
            token = (request.form.get("token") or "").strip() if request.form else ""
            school = next((s for s in self.schools.schools if s.token_matches(token)), None) if token else None
            if school is None:
                await self.failures.add(address, now)
                return self._html(render.sign_in(WRONG_TOKEN), status=401)
            result = response.redirect("./", status=303, headers=dict(HEADERS))
            self._set_cookie(result, self.sessions.issue(school), secure=_secure(request))
            logger.info("insights: a counsellor of %s signed in", school.id)
            return result

        @page.route("/sign-out", methods=["POST"])
        async def sign_out(request: Request) -> HTTPResponse:
            if not _same_origin(request):
                return response.text("Sign out from the insights page itself.", status=403, headers=HEADERS)
            if not await self.sessions.revoke(cookie(request)) and cookie(request):
                logger.error("insights: a sign-out was not recorded; the old cookie works until it expires")
            result = response.redirect("./", status=303, headers=dict(HEADERS))
            self._set_cookie(result, "", secure=_secure(request))
            return result

        @page.route("/export.csv", methods=["GET"])
        async def export(request: Request) -> HTTPResponse:
            school = await signed_in(request)
            if school is None:
                return response.text("Sign in first.", status=401, headers=HEADERS)
            week, _ = parse_week(parse_qs(request.query_string), school.zone)
            data = await self._counts(school, week, trend=False)  # the CSV is the one week
            name = f"questions-{school.id}-{week.label}.csv"
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
        from_env(environ)
        min_students_setting(environ)
        if environ.get("INSIGHTS_SECRET", "").strip() and len(environ["INSIGHTS_SECRET"].strip()) < 32:
            return "INSIGHTS_SECRET must be at least 32 characters"
    except (SchoolsError, ValueError) as error:
        return str(error)
    return None


if __name__ == "__main__":
    import sys

    problem = check(dict(os.environ))
    if problem:
        print(f"insights page: {problem}", file=sys.stderr)
    raise SystemExit(1 if problem else 0)
