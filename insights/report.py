"""What students asked, for their counsellor: topics, jobs, and what the sources could not answer.

`make report DAYS=7 SCHOOL="Hillside High"` reads the tracker store and prints a short
Markdown summary. It counts; it does not show who asked. Sender ids, times and message texts
stay out of it, except for `--texts`, which lists the messages the assistant did not
understand (already masked of e-mail addresses and phone numbers) so that a maintainer can
teach it those questions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

import sqlalchemy as sa

from bot.purge import DEFAULT_URL
from knowledge.query import KnowledgeBase, KnowledgeBaseMissing
from knowledge.vocabulary import GAPS, TOPIC_BY_INTENT

# What each topic or non-topic intent is called in the report, in a counsellor's words.
TOPIC_NAMES = {
    "overview": "what the job is",
    "duties": "day-to-day duties",
    "education": "education and training",
    "license": "licences and certification",
    "salary": "pay",
    "best_paying": "best-paying employers",
    "specialties": "specialties",
    "safety": "safety and radiation",
    "equipment": "equipment",
    "outlook": "job prospects",
    "hours": "working hours",
    "program_length": "how long training takes",
    "compare_occupations": "comparing two jobs",
    "ask_titles": "job titles",
    "ask_source": "where the facts come from",
    "ask_counsellor": "asked for a counsellor",
}
NOT_UNDERSTOOD = ("out_of_scope", "nlu_fallback")
NO_SCHOOL = "(no school given)"


@dataclass
class Turn:
    """One student message and what the assistant made of it."""

    school: str
    intent: Optional[str]
    text: str
    entities: List[str] = field(default_factory=list)
    topic: Optional[str] = None
    occupation: Optional[str] = None


@dataclass
class Report:
    days: float
    school: Optional[str]
    conversations: int = 0
    messages: int = 0
    topics: Counter = field(default_factory=Counter)
    jobs: Counter = field(default_factory=Counter)
    unanswered: Counter = field(default_factory=Counter)
    wider: Counter = field(default_factory=Counter)  # answered only from a broader job's facts
    schools: Counter = field(default_factory=Counter)
    not_understood: Counter = field(default_factory=Counter)

    def as_dict(self, texts: bool = False) -> Dict[str, Any]:
        data = {"days": self.days, "school": self.school, "conversations": self.conversations,
                "messages": self.messages, "topics": dict(self.topics.most_common()),
                "jobs": dict(self.jobs.most_common()), "sources_silent": dict(self.unanswered.most_common()),
                "answered_for_wider_group": dict(self.wider.most_common()),
                "not_understood": sum(self.not_understood.values()), "schools": dict(self.schools.most_common())}
        if texts:
            data["not_understood_texts"] = dict(self.not_understood.most_common())
        return data


def _turns(rows: Iterable[Any], default_school: str) -> Dict[str, List[Turn]]:
    """Group the events of each conversation into turns, in the order they were stored."""
    conversations: Dict[str, List[Turn]] = {}
    for sender, type_name, intent, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        turns = conversations.setdefault(sender, [])
        if type_name == "user":
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            school = metadata.get("school") if isinstance(metadata.get("school"), str) else None
            parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
            entities = [str(e.get("value")) for e in parse.get("entities") or []
                        if isinstance(e, dict) and e.get("entity") == "occupation"]
            turns.append(Turn(school=(school or default_school).strip() or NO_SCHOOL, intent=intent,
                              text=str(data.get("text") or ""), entities=entities))
        elif type_name == "slot" and turns and isinstance(data.get("value"), str):
            if data.get("name") == "topic":
                turns[-1].topic = data["value"]
            elif data.get("name") == "occupation":
                turns[-1].occupation = data["value"]
    return conversations


def build_report(url: str, days: float, school: Optional[str] = None, kb: Optional[KnowledgeBase] = None,
                 now: Optional[float] = None) -> Report:
    """Count the turns of the last `days` days, for one school or for all."""
    kb = kb or KnowledgeBase()
    since = (now if now is not None else time.time()) - days * 86_400
    engine = sa.create_engine(url)
    try:
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
        recent = sa.select(events.c.sender_id).where(events.c.type_name == "user",
                                                     events.c.timestamp >= since).distinct()
        query = (sa.select(events.c.sender_id, events.c.type_name, events.c.intent_name, events.c.data)
                 .where(events.c.sender_id.in_(recent), events.c.timestamp >= since,
                        events.c.type_name.in_(("user", "slot")))
                 .order_by(events.c.sender_id, events.c.id))
        with engine.connect() as connection:
            conversations = _turns(connection.execute(query), os.environ.get("SCHOOL_NAME") or NO_SCHOOL)
    finally:
        engine.dispose()
    report = Report(days=days, school=school)
    for turns in conversations.values():
        counted = [t for t in turns if school is None or t.school.casefold() == school.strip().casefold()]
        report.conversations += bool(counted)
        for turn in counted:
            _count(report, turn, kb)
    return report


def _count(report: Report, turn: Turn, kb: KnowledgeBase) -> None:
    report.messages += 1
    report.schools[turn.school] += 1
    if turn.intent in NOT_UNDERSTOOD:
        report.not_understood[turn.text.strip()[:200]] += 1
        return
    topic = turn.topic if turn.intent in TOPIC_BY_INTENT or turn.intent == "inform_occupation" else None
    topic = topic or (turn.intent if turn.intent in TOPIC_NAMES else None)
    if topic in TOPIC_NAMES:
        report.topics[topic] += 1
    jobs = {kb.resolve(value) for value in turn.entities} | {turn.occupation}
    names = {info.name for j in jobs if j and (info := kb.occupation(j)) is not None}
    report.jobs.update(names)
    if topic in GAPS:
        report.unanswered[topic] += 1
    elif topic in TOPIC_BY_INTENT.values() and turn.occupation and kb.occupation(turn.occupation) is not None:
        fact = kb.find_fact(turn.occupation, topic)  # as action_answer finds it
        if fact is None:
            report.unanswered[topic] += 1
        elif fact.occupation_id != turn.occupation:
            report.wider[topic] += 1


def markdown(report: Report, texts: bool = False) -> str:
    """The report as a counsellor reads it."""
    who = f"students of {report.school}" if report.school else "all students"
    lines = [f"# What students asked: {who}, last {report.days:g} days", "",
             f"{report.conversations} conversation(s), {report.messages} message(s) from students.", ""]
    if not report.messages:
        return "\n".join(lines + ["Nothing was asked in this period."]) + "\n"
    lines += _table("What they asked about", "topic", {TOPIC_NAMES[k]: v for k, v in report.topics.most_common()})
    lines += _table("Which jobs", "job", dict(report.jobs.most_common()))
    lines += _table("Questions the sources could not answer (a chance to follow up in person)", "topic",
                    {TOPIC_NAMES[k]: v for k, v in report.unanswered.most_common()})
    lines += _table("Answered only for a wider group of jobs, not the one asked about", "topic",
                    {TOPIC_NAMES[k]: v for k, v in report.wider.most_common()})
    share = sum(report.not_understood.values()) / report.messages
    lines += [f"Messages the assistant did not understand: {sum(report.not_understood.values())} "
              f"({share:.0%}).", ""]
    if texts and report.not_understood:
        lines += _table("Not understood, word for word (personal details masked)", "message",
                        dict(report.not_understood.most_common(50)))
    if report.school is None and len(report.schools) > 1:
        lines += _table("By school", "school", dict(report.schools.most_common()))
    return "\n".join(lines).rstrip() + "\n"


def _table(title: str, heading: str, counts: Dict[str, int]) -> List[str]:
    if not counts:
        return [f"## {title}", "", "None.", ""]
    rows = [f"| {' '.join(name.replace('|', '/').split())} | {count} |" for name, count in counts.items()]
    return [f"## {title}", "", f"| {heading} | messages |", "|---|---:|", *rows, ""]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=7, help="the last N days (default 7)")
    parser.add_argument("--school", default=None, help="only this school's students (the widget's data-school)")
    parser.add_argument("--url", default=os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL,
                        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--texts", action="store_true",
                        help="also list the messages that were not understood, word for word")
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be more than 0")
    try:
        report = build_report(args.url, args.days, args.school or None)
    except sa.exc.NoSuchTableError:
        report = Report(days=args.days, school=args.school or None)
    except KnowledgeBaseMissing as error:
        print(str(error), file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot read {args.url}: {error.__class__.__name__}", file=sys.stderr)
        return 1
    print(json.dumps(report.as_dict(args.texts), indent=2, ensure_ascii=False) if args.json
          else markdown(report, args.texts), end="" if not args.json else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
