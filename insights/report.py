"""`make report`: what students asked, as Markdown or JSON, from the same counts as the insights page.

`make report REPORT_DAYS=7 SCHOOL=hillside` reads the tracker store and prints a short summary
for one school (its id or name) or for all. It counts; it never shows who asked. Like the page,
it shows a number only when at least INSIGHTS_MIN_STUDENTS (5) different students are behind it;
a maintainer with access to the database may pass `--min-students 1`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot import schools
from bot.purge import DEFAULT_URL
from insights.counts import UTC, Insights, gather, last_days, min_students_setting
from knowledge.query import KnowledgeBase, KnowledgeBaseMissing


def for_school(name_or_id: Optional[str], url: str, days: int, min_students: int,
               kb: Optional[KnowledgeBase] = None) -> Insights:
    """A school of the schools file by id or name (its tagged messages, its time zone); else by the name
    stored with each message (a server without a schools file); None: every school."""
    try:
        known = schools.from_env()
    except schools.SchoolsError:
        known = schools.Schools([], configured=False)
    wanted = (name_or_id or "").strip().casefold()
    school = next((s for s in known.schools if known.configured and wanted in (s.id, s.name.casefold())), None)
    zone = school.zone if school else known.schools[0].zone if known.schools else UTC
    start, end = last_days(days, zone)
    if school is not None:
        return gather(url, start, end, school_id=school.id, school_name=school.name, zone=zone,
                      min_students=min_students, kb=kb)
    return gather(url, start, end, school_name=name_or_id or None, zone=zone, min_students=min_students, kb=kb)


def markdown(data: Dict[str, Any]) -> str:
    """The counts as a counsellor reads them; hidden numbers say so."""
    k = data["min_students"]
    hidden = f"fewer than {k}"

    def n(value: Optional[int]) -> str:
        return hidden if value is None else str(value)

    who = f"students of {data['school']}" if data["school"] else "all students"
    lines = [f"# What students asked: {who}, {data['from']} to {data['to']}", "",
             f"{n(data['conversations'])} conversation(s), {n(data['messages'])} message(s) from students.",
             f"A number is shown only when at least {k} different students are behind it.", ""]
    if data["conversations"] == 0:
        return "\n".join(lines + ["Nothing was asked in this period."]) + "\n"
    for key, title in (("topics", "What they asked about"), ("jobs", "Which jobs"),
                       ("sources_silent", "Questions the sources could not answer (a chance to follow up in person)"),
                       ("answered_for_wider_group",
                        "Answered only for a wider group of jobs, not the one asked about")):
        lines += _table(title, data[key], n)
    nu = data["not_understood"]
    lines += [f"Messages the assistant did not understand: {n(nu['messages'])}.", ""]
    lines += _table("Not understood, grouped (personal details masked)", nu["groups"], n)
    lines += [f"Asked for the counsellor: {n(data['handoffs']['conversations'])} conversation(s).", ""]
    if data["schools"] and len(data["schools"]) > 1:
        lines += _table("By school", data["schools"], n)
    return "\n".join(lines).rstrip() + "\n"


def _table(title: str, rows: List[Dict[str, Any]], n: Any) -> List[str]:
    if not rows:
        return [f"## {title}", "", "None.", ""]
    body = [f"| {' '.join(str(r['name']).replace('|', '/').split())} | {n(r['conversations'])} | {n(r['messages'])} |"
            for r in rows]
    return [f"## {title}", "", "| | conversations | messages |", "|---|---:|---:|", *body, ""]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=7, help="the last N days, today included (default 7)")
    parser.add_argument("--school", default=None, help="one school: its id or name (default: all)")
    parser.add_argument("--url", default=os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL,
                        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--min-students", type=int, default=None,
                        help="show a number only when this many different students are behind it "
                             "(default: $INSIGHTS_MIN_STUDENTS or 5)")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 366:
        parser.error("--days must be from 1 to 366")
    try:
        k = args.min_students if args.min_students is not None else min_students_setting(dict(os.environ))
    except ValueError as error:
        parser.error(str(error))
    if k < 1:
        parser.error("--min-students must be 1 or more")
    try:
        data = for_school(args.school, args.url, args.days, k).as_dict()
    except KnowledgeBaseMissing as error:
        print(str(error), file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot read {args.url}: {error.__class__.__name__}", file=sys.stderr)
        return 1
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else markdown(data), end="")
    if args.json:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
