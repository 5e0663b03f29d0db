"""What students asked, counted per day, topic and job: the numbers behind the report and the page.

Both `make report` and the counsellors' page read the tracker store through `gather()` and show
its `Insights`. Privacy is decided here, once:
- a conversation's sender id is used only to count different students, and never leaves;
- times are cut to the day, in the school's time zone;
- a message text is kept only when it was not understood, masked again, and grouped;
- a number is shown only when at least `min_students` different students are behind it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.sanitize import mask_personal_data
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import GAPS, TOPIC_BY_INTENT

# What each topic or non-topic intent is called, in a counsellor's words.
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
HANDOFF = "ask_counsellor"
DEFAULT_MIN_STUDENTS = 5
MAX_DAYS = 366
NUMBER = re.compile(r"\d[\d.,:/-]*")
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
UTC = ZoneInfo("UTC")
NOT_WORD = re.compile(r"[^\w\[\]' ]+")


def mask_for_display(text: str) -> str:
    """A not-understood message as a counsellor may see it: contact details, links and numbers
    replaced (they were masked before storing; this catches what slipped through), lower case,
    no punctuation, so that the same question typed five ways is one group."""
    text = LINK.sub("[link]", mask_personal_data(text))
    text = NUMBER.sub("[number]", text)
    return " ".join(NOT_WORD.sub(" ", text.casefold()).split())[:160]


@dataclass
class Tally:
    """Messages per key, and the different students behind each key."""

    messages: Dict[Any, int] = field(default_factory=lambda: defaultdict(int))
    students: Dict[Any, Set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, key: Any, sender: str) -> None:
        self.messages[key] += 1
        self.students[key].add(sender)

    def rows(self) -> List[Tuple[Any, int, int]]:
        """(key, students, messages), the most asked first."""
        rows = [(k, len(self.students[k]), n) for k, n in self.messages.items()]
        return sorted(rows, key=lambda r: (-r[2], -r[1], str(r[0])))


@dataclass
class Turn:
    """One student message and what the assistant made of it (no time finer than the day)."""

    sender: str
    day: dt.date
    school_id: Optional[str]
    school: Optional[str]
    intent: Optional[str]
    text: str
    entities: List[str] = field(default_factory=list)
    topic: Optional[str] = None
    occupation: Optional[str] = None


@dataclass
class Insights:
    """The counts of one school (or all) between two days, both included."""

    start: dt.date
    end: dt.date
    school: Optional[str]
    min_students: int
    days: Tally = field(default_factory=Tally)
    topics: Tally = field(default_factory=Tally)
    jobs: Tally = field(default_factory=Tally)
    silent: Tally = field(default_factory=Tally)  # topics the sources could not answer
    wider: Tally = field(default_factory=Tally)  # answered only from a broader job's facts
    not_understood: Tally = field(default_factory=Tally)  # by masked, grouped text
    handoffs: Tally = field(default_factory=Tally)
    schools: Tally = field(default_factory=Tally)
    all_students: Set[str] = field(default_factory=set)
    messages: int = 0
    not_understood_students: Set[str] = field(default_factory=set)

    @property
    def conversations(self) -> int:
        return len(self.all_students)

    def shown(self, students: int) -> bool:
        """A number may be shown: none, or enough different students behind it to hide each one."""
        return students == 0 or students >= self.min_students

    def every_day(self) -> List[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def as_dict(self) -> Dict[str, Any]:
        """Everything that may be shown, as JSON: hidden numbers are None, hidden texts are left out."""

        def rows(tally: Tally, names: Optional[Dict[str, str]] = None, drop_hidden: bool = False) -> List[Dict]:
            found = []
            for key, students, messages in tally.rows():
                if drop_hidden and not self.shown(students):
                    continue
                ok = self.shown(students)
                found.append({"name": (names or {}).get(key, key), "key": key,
                              "conversations": students if ok else None, "messages": messages if ok else None})
            return found

        total_ok = self.shown(self.conversations)
        nu_ok = self.shown(len(self.not_understood_students))
        hand_students = len(self.handoffs.students["handoff"])
        hand_messages = self.handoffs.messages["handoff"]
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(), "school": self.school,
            "min_students": self.min_students,
            "conversations": self.conversations if total_ok else None,
            "messages": self.messages if total_ok else None,
            "days": [{"day": d.isoformat(),
                      "conversations": len(self.days.students[d]) if self.shown(len(self.days.students[d])) else None,
                      "messages": self.days.messages[d] if self.shown(len(self.days.students[d])) else None}
                     for d in self.every_day() if d in self.days.messages],
            "topics": rows(self.topics, TOPIC_NAMES),
            "jobs": rows(self.jobs),
            "sources_silent": rows(self.silent, TOPIC_NAMES),
            "answered_for_wider_group": rows(self.wider, TOPIC_NAMES),
            "not_understood": {
                "conversations": len(self.not_understood_students) if nu_ok else None,
                "messages": sum(self.not_understood.messages.values()) if nu_ok else None,
                "groups": rows(self.not_understood, drop_hidden=True),
            },
            "handoffs": {"conversations": hand_students if self.shown(hand_students) else None,
                         "messages": hand_messages if self.shown(hand_students) else None},
            "schools": rows(self.schools) if self.school is None else [],
        }


def day_range(start: dt.date, end: dt.date, zone: ZoneInfo) -> Tuple[float, float]:
    """Epoch seconds from the start of `start` to the end of `end`, in the school's time zone."""
    first = dt.datetime.combine(start, dt.time(), zone).timestamp()
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone).timestamp()
    return first, last


def read_turns(url: str, start: dt.date, end: dt.date, zone: ZoneInfo,
               school_id: Optional[str] = None) -> Dict[str, List[Turn]]:
    """Each conversation's student turns between two days, with the topic and job that each set.

    With `school_id`, only conversations whose messages the server tagged with that school; a
    LIKE on the stored JSON narrows the rows in the database, and every row is checked again here."""
    first, last = day_range(start, end, zone)
    engine = sa.create_engine(url)
    try:
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
        users = sa.select(events.c.sender_id).where(events.c.type_name == "user", events.c.timestamp >= first,
                                                    events.c.timestamp < last)
        if school_id is not None:
            users = users.where(events.c.data.like(f'%"school_id": {json.dumps(school_id)}%'))
        query = (sa.select(events.c.sender_id, events.c.type_name, events.c.intent_name, events.c.timestamp,
                           events.c.data)
                 .where(events.c.sender_id.in_(users.distinct()), events.c.timestamp >= first,
                        events.c.timestamp < last, events.c.type_name.in_(("user", "slot")))
                 .order_by(events.c.sender_id, events.c.id))
        with engine.connect() as connection:
            return _turns(connection.execute(query), zone, school_id)
    finally:
        engine.dispose()


def _turns(rows: Iterable[Any], zone: ZoneInfo, school_id: Optional[str]) -> Dict[str, List[Turn]]:
    conversations: Dict[str, List[Turn]] = {}
    current: Dict[str, Optional[Turn]] = {}  # the turn a slot event belongs to (None: another school's)
    for sender, type_name, intent, timestamp, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        if type_name == "user":
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            found_id = metadata.get("school_id") if isinstance(metadata.get("school_id"), str) else None
            current[sender] = None
            if school_id is not None and found_id != school_id:
                continue
            parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
            entities = [str(e.get("value")) for e in parse.get("entities") or []
                        if isinstance(e, dict) and e.get("entity") == "occupation"]
            name = metadata.get("school") if isinstance(metadata.get("school"), str) else None
            day = dt.datetime.fromtimestamp(float(timestamp), zone).date()
            turn = Turn(sender, day, found_id, name, intent, str(data.get("text") or ""), entities)
            conversations.setdefault(sender, []).append(turn)
            current[sender] = turn
        elif type_name == "slot" and (turn := current.get(sender)) is not None and isinstance(data.get("value"), str):
            if data.get("name") == "topic":
                turn.topic = data["value"]
            elif data.get("name") == "occupation":
                turn.occupation = data["value"]
    return conversations


def gather(url: str, start: dt.date, end: dt.date, *, school_id: Optional[str] = None,
           school_name: Optional[str] = None, zone: ZoneInfo = UTC,
           min_students: int = DEFAULT_MIN_STUDENTS, kb: Optional[KnowledgeBase] = None) -> Insights:
    """Count one school's turns (by the id the server tagged, or by name for older messages), or all."""
    if end < start:
        raise ValueError("the last day is before the first")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at a time")
    kb = kb or KnowledgeBase()
    label = school_name or school_id
    found = Insights(start=start, end=end, school=label, min_students=min_students)
    try:
        conversations = read_turns(url, start, end, zone, school_id)
    except sa.exc.NoSuchTableError:  # nothing stored yet
        return found
    wanted = school_name.strip().casefold() if school_name and school_id is None else None
    for turns in conversations.values():
        for turn in turns:
            if wanted is not None and (turn.school or "").strip().casefold() != wanted:
                continue
            count(found, turn, kb)
    return found


def count(found: Insights, turn: Turn, kb: KnowledgeBase) -> None:
    """Add one turn to every count it belongs to."""
    who = turn.sender
    found.messages += 1
    found.all_students.add(who)
    found.days.add(turn.day, who)
    found.schools.add(turn.school or turn.school_id or "(no school given)", who)
    if turn.intent in NOT_UNDERSTOOD:
        found.not_understood_students.add(who)
        masked = mask_for_display(turn.text)
        if masked:
            found.not_understood.add(masked, who)
        return
    if turn.intent == HANDOFF:
        found.handoffs.add("handoff", who)
    topic = turn.topic if turn.intent in TOPIC_BY_INTENT or turn.intent == "inform_occupation" else None
    topic = topic or (turn.intent if turn.intent in TOPIC_NAMES else None)
    if topic in TOPIC_NAMES:
        found.topics.add(topic, who)
    jobs = {kb.resolve(value) for value in turn.entities} | {turn.occupation}
    for name in {info.name for j in jobs if j and (info := kb.occupation(j)) is not None}:
        found.jobs.add(name, who)
    if topic in GAPS:
        found.silent.add(topic, who)
    elif topic in TOPIC_BY_INTENT.values() and turn.occupation and kb.occupation(turn.occupation) is not None:
        fact = kb.find_fact(turn.occupation, topic)  # as action_answer finds it
        if fact is None:
            found.silent.add(topic, who)
        elif fact.occupation_id != turn.occupation:
            found.wider.add(topic, who)


def last_days(days: int, zone: ZoneInfo, today: Optional[dt.date] = None) -> Tuple[dt.date, dt.date]:
    """The last `days` days, today included, in the school's time zone."""
    today = today or dt.datetime.now(zone).date()
    return today - dt.timedelta(days=days - 1), today


def min_students_setting(environ: Dict[str, str], floor: int = 2) -> int:
    """INSIGHTS_MIN_STUDENTS (default 5): the fewest different students a shown number may come from.
    The page takes no less than `floor`; a wrong value stops start-up with its reason."""
    raw = (environ.get("INSIGHTS_MIN_STUDENTS") or "").strip()
    if not raw:
        return DEFAULT_MIN_STUDENTS
    if not raw.isdigit() or not floor <= int(raw) <= 100:
        raise ValueError(f"INSIGHTS_MIN_STUDENTS must be a whole number from {floor} to 100, not {raw[:20]!r}")
    return int(raw)
