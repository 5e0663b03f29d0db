"""`make report`: what students asked, as Markdown or JSON, from the same counts as the insights page.

`make report REPORT_WEEKS=4 SCHOOL=hillside` reads the tracker store and prints a short summary
for one school (its id or name) or for all, for each of the last finished weeks separately (the
page's periods: whole ISO weeks, Monday to Sunday in the school's time zone, never overlapping,
never the running week). It counts; it never shows who asked. Like the page, it counts only
conversations with at least two messages, shows a number only when at least INSIGHTS_MIN_STUDENTS
(5) different conversations are behind it, and rounds it to 5; a maintainer who holds the database
anyway may pass `--min-students 1`: every number exact (never give that output to a school).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa

from insights.counts import UTC, Insights, Week, gather, latest_week, min_students_setting, weeks_up_to
from knowledge.query import KnowledgeBase, KnowledgeBaseMissing
from schools.file import SchoolsError, from_env
from schools.school import School, Schools
from store.url import tracker_url


def school_of(name_or_id: Optional[str]) -> Tuple[Optional[School], Any]:
    """A school of the schools file by id or name, and the time zone its weeks are counted in (for
    all schools, or a school known only by the name stored with its messages: the first school's)."""
    try:
        known = from_env()
    except SchoolsError:
        known = Schools([], configured=False)
    wanted = (name_or_id or "").strip().casefold()
    school = next((s for s in known.schools if known.configured and wanted in (s.id, s.name.casefold())), None)
    return school, school.zone if school else known.schools[0].zone if known.schools else UTC


def for_school(name_or_id: Optional[str], url: str, week: Week, min_students: int,
               kb: Optional[KnowledgeBase] = None) -> Insights:
    """One finished week of a school of the schools file by id or name (its tagged messages, its time
    zone); else by the name stored with each message (a server without a schools file); None: every school."""
    school, zone = school_of(name_or_id)
    if school is not None:
        return gather(url, week, school_id=school.id, school_name=school.name, zone=zone,
                      min_students=min_students, kb=kb)
    return gather(url, week, school_name=name_or_id or None, zone=zone, min_students=min_students, kb=kb)


def markdown(data: Dict[str, Any]) -> str:
    """One week's counts as a counsellor reads them; hidden numbers say so, in the page's words."""
    k = data["min_students"]
    hidden = f"fewer than {k}" if k > 1 else "none"

    def n(value: Optional[int]) -> str:
        return hidden if value is None else str(value)

    who = f"students of {data['school']}" if data["school"] else "all students"
    rule = (f"Only conversations with at least two messages count. A number is shown only when at least {k} "
            f"different conversations are behind it, and rounded to the nearest {data['rounded_to']}."
            if k > 1 else "Every number exact (--min-students 1): for the database's holders, never for a school.")
    lines = [f"# What students asked: {who}, {data['period']} ({data['week']})", "",
             f"{n(data['conversations'])} conversation(s), {n(data['messages'])} message(s) from students.",
             rule, ""]
    if data["conversations"] == 0:  # only in the exact view: elsewhere none is hidden like a few
        return "\n".join(lines + ["Nothing was asked in this week."]) + "\n"
    other = {"name": "every other job", "conversations": None, "messages": None}
    for key, title in (("topics", "What they asked about"), ("jobs", "Which jobs"), ("languages", "In which language"),
                       ("sources_silent", "Questions the sources could not answer (a chance to follow up in person)"),
                       ("answered_for_wider_group",
                        "Answered only for a wider group of jobs, not the one asked about")):
        lines += _table(title, data[key] + ([other] if key == "jobs" else []), n)
    nu = data["not_understood"]
    lines += [f"Messages the assistant did not understand: {n(nu['messages'])}.", ""]
    lines += _table("Not understood, grouped (personal details masked; typed in at least "
                    f"{k} conversations from two or more addresses)", nu["groups"], n)
    lines += [f"Asked for the counsellor: {n(data['handoffs']['conversations'])} conversation(s).", ""]
    if data["school"] is None:
        lines += _table("By school", data["schools"] + [{**other, "name": "every other school"}], n)
    return "\n".join(lines).rstrip() + "\n"


def _table(title: str, rows: List[Dict[str, Any]], n: Any) -> List[str]:
    if not rows:
        return [f"## {title}", "", "None.", ""]
    body = [f"| {' '.join(str(r['name']).replace('|', '/').split())} | {n(r['conversations'])} | {n(r['messages'])} |"
            for r in rows]
    return [f"## {title}", "", "| | conversations | messages |", "|---|---:|---:|", *body, ""]


def chosen_weeks(weeks: int, week: Optional[str], zone: Any) -> List[Week]:
    """`--week` (one finished week) or the last `--weeks` finished weeks, oldest first."""
    if week:
        found = Week.parse(week)
        if found is None:
            raise ValueError("--week must look like 2026-W47")
        if not found.finished(zone):
            raise ValueError(f"{found.label} is not over yet: only finished weeks are counted")
        return [found]
    return weeks_up_to(latest_week(zone), weeks)


def main(argv: Optional[List[str]] = None) -> int:
    """`make report`: each week's counts, as Markdown or JSON; 1 when the knowledge base or store cannot be read."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=1,
                        help="the last N finished weeks, Monday to Sunday, each counted separately (default 1)")
    parser.add_argument("--week", default=None, help="one finished week instead, like 2026-W47")
    parser.add_argument("--school", default=None, help="one school: its id or name (default: all)")
    parser.add_argument("--url", default=tracker_url(),
                        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL)")
    parser.add_argument("--json", action="store_true",
                        help="print JSON (a list, one object a week) instead of Markdown")
    parser.add_argument("--min-students", type=int, default=None,
                        help="show a number only when this many different conversations are behind it "
                             "(default: $INSIGHTS_MIN_STUDENTS or 5; 1: every number exact)")
    args = parser.parse_args(argv)
    if not 1 <= args.weeks <= 53:
        parser.error("--weeks must be from 1 to 53")
    try:
        k = args.min_students if args.min_students is not None else min_students_setting(dict(os.environ))
        weeks = chosen_weeks(args.weeks, args.week, school_of(args.school)[1])
    except ValueError as error:
        parser.error(str(error))
    if not 1 <= k <= 100:
        parser.error("--min-students must be from 1 to 100")
    try:
        kb = KnowledgeBase()
        found = [for_school(args.school, args.url, week, k, kb).as_dict() for week in weeks]
    except KnowledgeBaseMissing as error:
        print(str(error), file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot read {args.url}: {error.__class__.__name__}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print("\n".join(markdown(data) for data in found), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
