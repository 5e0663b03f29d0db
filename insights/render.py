"""The insights page and its CSV, from the counts' `as_dict()`: HTML with no script at all.

Every text from the store or the settings is escaped; the page loads one stylesheet from the same
server, and its plots are inline SVG (insights/plots.py), so the CSP allows no script whatsoever.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import escape
from typing import Any, Dict, List, Optional

from insights import plots

STYLESHEET = "insights.css"


def _page(title: str, body: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"{STYLESHEET}\">"
            f"</head><body>{body}</body></html>\n")


def sign_in(error: Optional[str] = None) -> str:
    """The sign-in form: one field, the school's token; an error is announced and tied to the field."""
    described = ' aria-describedby="token-error" aria-invalid="true"' if error else ' aria-describedby="token-help"'
    problem = f'<p id="token-error" class="error" role="alert">{escape(error)}</p>' if error else ""
    return _page("Sign in: students' questions", (
        '<main class="narrow"><h1>What your students ask</h1>'
        "<p>Sign in with your school's insights token. Your district's IT team gave it to you once.</p>"
        f'{problem}<form method="post" action="sign-in">'
        '<label for="token">Insights token</label>'
        f'<input id="token" name="token" type="password" autocomplete="current-password" required '
        f'maxlength="200"{described}>'
        '<p id="token-help" class="help">Lost it? Ask IT for a new one: the old one then stops working.</p>'
        '<button type="submit">Sign in</button></form></main>'))


def _n(value: Optional[int], hidden: str) -> str:
    return f'<span class="hidden-value">{escape(hidden)}</span>' if value is None else f"{value:,}"


def _table(caption: str, rows: List[Dict[str, Any]], hidden: str, first: str) -> str:
    if not rows:
        return f"<p>{escape(caption)}: none in this period.</p>"
    body = "".join(f"<tr><th scope=\"row\">{escape(str(r['name']))}</th><td>{_n(r['conversations'], hidden)}</td>"
                   f"<td>{_n(r['messages'], hidden)}</td></tr>" for r in rows)
    return (f'<div class="table-wrap"><table><caption>{escape(caption)}</caption><thead><tr><th scope="col">'
            f'{escape(first)}</th><th scope="col">conversations</th><th scope="col">messages</th></tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def page(data: Dict[str, Any], school: str, error: Optional[str] = None) -> str:
    """The page of one school for one date range."""
    k = data["min_students"]
    hidden = f"fewer than {k}"
    days = [(dt.date.fromisoformat(d["day"]), d["conversations"], d["messages"]) for d in data["days"]]
    nu, hand = data["not_understood"], data["handoffs"]
    period = f"{data['from']} to {data['to']}"
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    export = f"export.csv?from={data['from']}&amp;to={data['to']}"
    parts = [
        '<header><p class="school">', escape(school), '</p><form method="post" action="sign-out">'
        '<button type="submit" class="quiet">Sign out</button></form></header>',
        f"<main><h1>What your students asked, {escape(period)}</h1>", problem,
        '<form method="get" action="./" class="range"><div><label for="from">From</label>'
        f'<input id="from" name="from" type="date" value="{data["from"]}" required></div>'
        f'<div><label for="to">To</label><input id="to" name="to" type="date" value="{data["to"]}" required></div>'
        '<button type="submit">Show</button></form>',
        f'<p class="privacy" id="privacy">Privacy: a number is shown only when at least <strong>{k}</strong> '
        f"different students are behind it; otherwise it says “{escape(hidden)}”. The page never shows who asked "
        "or when in the day, and shows a message's words only when it was not understood, with personal "
        "details masked, and typed by enough students.</p>",
        '<section aria-labelledby="h-summary"><h2 id="h-summary">In short</h2><ul class="summary">',
        f"<li><strong>{_n(data['conversations'], hidden)}</strong> conversations</li>",
        f"<li><strong>{_n(data['messages'], hidden)}</strong> questions</li>",
        f"<li><strong>{_n(hand['conversations'], hidden)}</strong> asked to talk to you</li>",
        f"<li><strong>{_n(nu['messages'], hidden)}</strong> messages not understood</li></ul></section>",
        '<section aria-labelledby="h-days"><h2 id="h-days">Conversations and questions per day</h2>',
        plots.days_chart("plot-days", f"Conversations and questions per day, {period}", days, hidden) if days
        else "<p>No conversations in this period.</p>",
        _table("Per day", [{"name": d["day"], **d} for d in data["days"]], hidden, "day") if days else "",
        "</section>",
        '<section aria-labelledby="h-topics"><h2 id="h-topics">What they asked about</h2>',
        plots.bars_chart("plot-topics", "Conversations per topic", [(r["name"], r["conversations"])
                                                                    for r in data["topics"]], hidden)
        if data["topics"] else "",
        _table("Topics", data["topics"], hidden, "topic"), "</section>",
        '<section aria-labelledby="h-jobs"><h2 id="h-jobs">Which jobs</h2>',
        plots.bars_chart("plot-jobs", "Conversations per job", [(r["name"], r["conversations"])
                                                                for r in data["jobs"]], hidden)
        if data["jobs"] else "",
        _table("Jobs", data["jobs"], hidden, "job"), "</section>",
        '<section aria-labelledby="h-silent"><h2 id="h-silent">What the sources could not answer</h2>'
        "<p>A chance to follow up in person: the assistant said its sources do not cover these.</p>",
        _table("Questions the sources could not answer", data["sources_silent"], hidden, "topic"),
        _table("Answered only for the wider group of jobs", data["answered_for_wider_group"], hidden, "topic"),
        "</section>",
        '<section aria-labelledby="h-not"><h2 id="h-not">Messages the assistant did not understand</h2>'
        f"<p>{_n(nu['messages'], hidden)} messages in {_n(nu['conversations'], hidden)} conversations. "
        f"Below, the ones that at least {k} different students typed, masked and grouped.</p>",
        _table("Not understood, grouped", nu["groups"], hidden, "message (masked)"), "</section>",
        '<section aria-labelledby="h-export"><h2 id="h-export">Download</h2>'
        f'<p><a href="{export}" download>The same counts as a CSV file</a> (for a spreadsheet).</p></section>',
        "</main>",
    ]
    return _page(f"What students asked: {school}", "".join(parts))


def as_csv(data: Dict[str, Any]) -> str:
    """The page's counts as CSV: one row per shown group, hidden numbers written as "fewer than K"."""
    hidden = f"fewer than {data['min_students']}"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "item", "conversations", "messages"])

    def n(value: Optional[int]) -> str:
        return hidden if value is None else str(value)

    writer.writerow(["note", f"numbers from fewer than {data['min_students']} students are hidden",
                     "", ""])
    writer.writerow(["total", f"{data['from']} to {data['to']}", n(data["conversations"]), n(data["messages"])])
    for d in data["days"]:
        writer.writerow(["day", d["day"], n(d["conversations"]), n(d["messages"])])
    for key, section in (("topics", "topic"), ("jobs", "job"), ("sources_silent", "sources silent"),
                         ("answered_for_wider_group", "answered for wider group")):
        for r in data[key]:
            writer.writerow([section, _cell(str(r["name"])), n(r["conversations"]), n(r["messages"])])
    nu = data["not_understood"]
    writer.writerow(["not understood", "all", n(nu["conversations"]), n(nu["messages"])])
    for r in nu["groups"]:
        writer.writerow(["not understood", _cell(str(r["name"])), n(r["conversations"]), n(r["messages"])])
    writer.writerow(["asked for the counsellor", "all", n(data["handoffs"]["conversations"]),
                     n(data["handoffs"]["messages"])])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet must not run a student's words as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
