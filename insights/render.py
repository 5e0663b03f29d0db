"""The insights page and its CSV, from the counts' `as_dict()` for one finished week: HTML with no script.

Every text from the store or the settings is escaped; the page loads one stylesheet from the same
server, and its plots are inline SVG (insights/plots.py), so the CSP allows no script whatsoever.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html import escape
from typing import Any, Dict, List, Optional, Sequence

from insights import plots
from insights.counts import Week

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


def hidden_text(data: Dict[str, Any]) -> str:
    """What a hidden number says: the same words for none and for a few."""
    k = data["min_students"]
    return f"fewer than {k}" if k > 1 else "none"


def _table(caption: str, rows: List[Dict[str, Any]], hidden: str, first: str,
           columns: Sequence[str] = ("conversations", "messages")) -> str:
    if not rows:
        return f"<p>{escape(caption)}: none this week.</p>"
    body = "".join(f"<tr><th scope=\"row\">{escape(str(r['name']))}</th>"
                   + "".join(f"<td>{_n(r[c], hidden)}</td>" for c in columns) + "</tr>" for r in rows)
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    return (f'<div class="table-wrap"><table><caption>{escape(caption)}</caption><thead><tr><th scope="col">'
            f"{escape(first)}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def other_jobs() -> Dict[str, Any]:
    """The line under the jobs, always there, so that the list's length tells nothing of the others."""
    return {"name": "every other job", "key": None, "conversations": None, "messages": None}


def _short(week: Week) -> str:
    """`16 Nov to 22 Nov 2026`: a week in a table row."""
    return f"{week.monday.day} {week.monday:%b} to {week.sunday.day} {week.sunday:%b %Y}"


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _week_choices(data: Dict[str, Any], many: int = 52) -> str:
    """The finished weeks a counsellor may pick (the last year's), newest first; the shown one selected."""
    latest = Week.parse(data.get("latest_week") or "") or Week.parse(data["week"])
    chosen = Week.parse(data["week"])
    weeks = [latest.shift(-n) for n in range(many)] if latest else []
    if chosen and chosen not in weeks:
        weeks.append(chosen)
    return "".join(f'<option value="{w.label}"{" selected" if w == chosen else ""}>'
                   f"{escape(w.describe()[:1].upper() + w.describe()[1:])}</option>" for w in weeks)


def page(data: Dict[str, Any], school: str, error: Optional[str] = None) -> str:
    """The page of one school for one finished week."""
    k = data["min_students"]
    hidden = hidden_text(data)
    nu, hand = data["not_understood"], data["handoffs"]
    period = data.get("period") or f"{data['from']} to {data['to']}"
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    export = f"export.csv?week={escape(data['week'])}"
    rounded = (f"Shown numbers are rounded to the nearest {data['rounded_to']}, so 5, 6 and 7 all show as 5."
               if data["rounded_to"] > 1 else "Numbers are exact.")
    running = data.get("this_week")
    when = (f" This week ({escape(running['period'])}) is not counted yet: its figures appear on "
            f"{escape(_day(running['appears']))}, once it is over." if running else "")
    trend = data.get("trend") or []
    parts = [
        '<header><p class="school">', escape(school), '</p><form method="post" action="sign-out">'
        '<button type="submit" class="quiet">Sign out</button></form></header>',
        f"<main><h1>What your students asked in {escape(period)}</h1>", problem,
        '<form method="get" action="./" class="range"><div><label for="week">Week</label>'
        f'<select id="week" name="week" aria-describedby="week-note">{_week_choices(data)}</select></div>'
        '<button type="submit">Show</button></form>',
        f'<p class="help" id="week-note">Counts are made per week, Monday to Sunday, once the week is over.{when}</p>',
        f'<p class="privacy" id="privacy">Privacy: only conversations with at least two messages are counted. '
        f"A number is shown only when at least <strong>{k}</strong> different conversations are behind it; "
        f"otherwise it says “{escape(hidden)}”, the same whether there were none or a few. {rounded} "
        "The page never shows who asked or on which day, and shows a message's words only when the assistant "
        f"did not understand it, with personal details masked, and when at least {k} conversations from at "
        "least two different internet connections typed it.</p>",
        '<section aria-labelledby="h-summary"><h2 id="h-summary">In short</h2><ul class="summary">',
        f"<li><strong>{_n(data['conversations'], hidden)}</strong> conversations</li>",
        f"<li><strong>{_n(data['messages'], hidden)}</strong> questions</li>",
        f"<li><strong>{_n(hand['conversations'], hidden)}</strong> asked to talk to you</li>",
        f"<li><strong>{_n(nu['messages'], hidden)}</strong> messages not understood</li></ul></section>",
    ]
    if trend:
        weeks = [(Week.parse(r["week"]) or Week.of(dt.date.fromisoformat(r["from"])), r) for r in trend]
        parts += [
            f'<section aria-labelledby="h-weeks"><h2 id="h-weeks">Conversations per week, the {len(trend)} '
            "weeks up to this one</h2>",
            plots.weeks_chart("plot-weeks", f"Conversations per week, the {len(trend)} weeks up to {data['week']}",
                              [(f"{w.monday.day} {w.monday:%b}", r["conversations"]) for w, r in weeks], hidden),
            _table("Conversations per week", [{**r, "name": _short(w)} for w, r in weeks], hidden, "week",
                   ("conversations",)),
            "</section>"]
    jobs = data["jobs"] + [other_jobs()]
    parts += [
        '<section aria-labelledby="h-topics"><h2 id="h-topics">What they asked about</h2>',
        plots.bars_chart("plot-topics", "Conversations per topic", [(r["name"], r["conversations"])
                                                                    for r in data["topics"]], hidden),
        _table("Topics", data["topics"], hidden, "topic"), "</section>",
        '<section aria-labelledby="h-jobs"><h2 id="h-jobs">Which jobs</h2>',
        f"<p>The jobs that came up in at least {k} conversations; every other job came up in fewer.</p>"
        if k > 1 else "",
        plots.bars_chart("plot-jobs", "Conversations per job", [(r["name"], r["conversations"])
                                                                for r in data["jobs"]], hidden)
        if data["jobs"] else "",
        _table("Jobs", jobs, hidden, "job"), "</section>",
        '<section aria-labelledby="h-languages"><h2 id="h-languages">In which language</h2>'
        "<p>The language of each conversation when the question was asked: the assistant answers in "
        "English or Spanish, following the student.</p>",
        _table("Questions by language", data["languages"], hidden, "language"), "</section>",
        '<section aria-labelledby="h-silent"><h2 id="h-silent">What the sources could not answer</h2>'
        "<p>A chance to follow up in person: the assistant said its sources do not cover these.</p>",
        _table("Questions the sources could not answer", data["sources_silent"], hidden, "topic"),
        _table("Answered only for the wider group of jobs", data["answered_for_wider_group"], hidden, "topic"),
        "</section>",
        '<section aria-labelledby="h-not"><h2 id="h-not">Messages the assistant did not understand</h2>'
        f"<p>{_n(nu['messages'], hidden)} messages in {_n(nu['conversations'], hidden)} conversations. "
        f"Below, the ones typed in at least {k} conversations from at least two different internet "
        "connections, masked and grouped.</p>",
        _table("Not understood, grouped", nu["groups"], hidden, "message (masked)") if nu["groups"]
        else f"<p>No message this week was typed in at least {k} such conversations.</p>",
        "</section>",
        '<section aria-labelledby="h-export"><h2 id="h-export">Download</h2>'
        f'<p><a href="{export}" download>The same counts as a CSV file</a> (for a spreadsheet).</p></section>',
        "</main>",
    ]
    return _page(f"What students asked: {school}", "".join(parts))


def as_csv(data: Dict[str, Any]) -> str:
    """The page's counts for its week as CSV: the same rows, hidden numbers written as on the page."""
    hidden = hidden_text(data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "item", "conversations", "messages"])

    def n(value: Optional[int]) -> str:
        return hidden if value is None else str(value)

    rounded = f"; the others are rounded to the nearest {data['rounded_to']}" if data["rounded_to"] > 1 else ""
    writer.writerow(["note", f"one week, Monday to Sunday; conversations with at least two messages; a number "
                     f"from fewer than {data['min_students']} conversations is written '{hidden}'{rounded}", "", ""])
    writer.writerow(["total", f"{data['week']} ({data['from']} to {data['to']})", n(data["conversations"]),
                     n(data["messages"])])
    for key, section in (("topics", "topic"), ("jobs", "job"), ("languages", "language"),
                         ("sources_silent", "sources silent"),
                         ("answered_for_wider_group", "answered for wider group")):
        for r in data[key] + ([other_jobs()] if key == "jobs" else []):
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
