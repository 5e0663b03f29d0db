"""What students asked, counted per school and per finished week: the numbers behind the report and the page.

Both `make report` and the counsellors' page read the tracker store through `gather()` and show
its `Insights`. Privacy is decided here, once, against a reader who views the page many times and
does arithmetic with what it shows (docs/insights.md says what this still lets through):
- counts are made only over fixed periods that never overlap: ISO weeks, Monday to Sunday in the
  school's time zone, and only once a week is over; never over chosen dates, days, or the running
  week, so there is no pair of figures whose difference is a few students;
- only established conversations count: at least two student messages in that week, so a made-up
  one-message conversation lifts nothing;
- a number behind fewer than K different conversations, zero included, is hidden (the same for 0
  and 1..K-1), a shown one is rounded to 5, and every row of the fixed vocabulary is always there;
- a conversation's sender id is used only to count different conversations, and never leaves;
- a message text is kept only when it was not understood, masked again, grouped, and shown only
  when K established conversations from at least two different client addresses typed it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple
from zoneinfo import ZoneInfo

from bot.sanitize import mask_personal_data
from knowledge.language import DEFAULT, LANGUAGE_NAMES, LANGUAGES, next_language
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import GAPS, TOPIC_BY_INTENT
from store.events import turn_rows

# What each topic or non-topic intent is called, in a counsellor's words: the topics table's rows.
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
# The rows of "sources silent" (any fact topic may lack a fact) and of "answered from a wider group"
# (never a gap: a gap has no fact at all), always all of them.
SILENT_TOPICS: Tuple[str, ...] = tuple(dict.fromkeys(TOPIC_BY_INTENT.values()))
WIDER_TOPICS: Tuple[str, ...] = tuple(t for t in SILENT_TOPICS if t not in GAPS)
NOT_UNDERSTOOD = ("out_of_scope", "nlu_fallback")
HANDOFF = "ask_counsellor"
DEFAULT_MIN_STUDENTS = 5
ROUND_TO = 5  # a shown number is a multiple of this, and never below it
MIN_TURNS = 2  # student messages in the week that make a conversation established (counted at all)
MIN_ADDRESSES = 2  # different client addresses behind a shown text
TREND_WEEKS = 12
NUMBER = re.compile(r"\d[\d.,:/-]*")
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
UTC = ZoneInfo("UTC")
NOT_WORD = re.compile(r"[^\w\[\]' ]+")
WEEK_TEXT = re.compile(r"(\d{4})-W(\d{1,2})")
CLIENT_TAG = re.compile(r"[0-9a-f]{16}")


def mask_for_display(text: str) -> str:
    """A not-understood message as a counsellor may see it: contact details, links and numbers
    replaced (they were masked before storing; this catches what slipped through), lower case,
    no punctuation, so that the same question typed five ways is one group."""
    text = LINK.sub("[link]", mask_personal_data(text))
    text = NUMBER.sub("[number]", text)
    return " ".join(NOT_WORD.sub(" ", text.casefold()).split())[:160]


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week (Monday to Sunday): the only period anything is counted over, so that no two
    periods overlap and no figure can be subtracted from another to single out a few students."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> "Week":
        """The week a day falls in, so that every count is filed under one whole ISO week."""
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, text: str) -> Optional["Week"]:
        """`2026-W47` (or `2026-w7`); None for anything else, or a week the year does not have."""
        found = WEEK_TEXT.fullmatch((text or "").strip().upper())
        if not found or not 2000 <= int(found[1]) <= 9998:
            return None
        try:
            return cls.of(dt.date.fromisocalendar(int(found[1]), int(found[2]), 1))
        except ValueError:
            return None

    @property
    def monday(self) -> dt.date:
        """The week's first day, from which its bounds and its place in a trend are worked out."""
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        """The week's last day, for the period as a counsellor reads it."""
        return self.monday + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        """`2026-W47`: how the page's week picker, the report and the CSV's file name name a week."""
        return f"{self.year}-W{self.number:02d}"

    def shift(self, weeks: int) -> "Week":
        """The week `weeks` before or after, so a trend never does week-number arithmetic across years."""
        return Week.of(self.monday + dt.timedelta(weeks=weeks))

    def bounds(self, zone: ZoneInfo) -> Tuple[float, float]:
        """Epoch seconds from Monday 00:00 to the next Monday 00:00, in the school's time zone."""
        first = dt.datetime.combine(self.monday, dt.time(), zone).timestamp()
        last = dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time(), zone).timestamp()
        return first, last

    def finished(self, zone: ZoneInfo, today: Optional[dt.date] = None) -> bool:
        """Over in the school's time zone: only then are its counts fixed (and may be shown)."""
        today = today or dt.datetime.now(zone).date()
        return today >= self.monday + dt.timedelta(days=7)

    def describe(self) -> str:
        """`week 47 of 2026, Monday 16 to Sunday 22 November`, as a counsellor reads it."""
        first, last = self.monday, self.sunday
        if first.month == last.month:
            start = f"{first.day}"
        elif first.year == last.year:
            start = f"{first.day} {first:%B}"
        else:
            start = f"{first.day} {first:%B %Y}"
        return f"week {self.number} of {self.year}, Monday {start} to Sunday {last.day} {last:%B %Y}"


def latest_week(zone: ZoneInfo, today: Optional[dt.date] = None) -> Week:
    """The last week that is over, in the school's time zone."""
    return Week.of(today or dt.datetime.now(zone).date()).shift(-1)


def weeks_up_to(week: Week, count: int) -> List[Week]:
    """`count` weeks ending with `week`, oldest first."""
    return [week.shift(n - count + 1) for n in range(count)]


@dataclass
class Tally:
    """Messages per key, the different conversations behind each key, and their client addresses."""

    messages: Dict[Any, int] = field(default_factory=lambda: defaultdict(int))
    students: Dict[Any, Set[str]] = field(default_factory=lambda: defaultdict(set))
    addresses: Dict[Any, Set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, key: Any, sender: str, address: Optional[str] = None) -> None:
        """Count one message under `key`, remembering its conversation and, when known, its address."""
        self.messages[key] += 1
        self.students[key].add(sender)
        if address:  # a missing tag is an unknown address: it never helps reach MIN_ADDRESSES
            self.addresses[key].add(address)

    def rows(self) -> List[Tuple[Any, int, int]]:
        """(key, conversations, messages), the most asked first."""
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
    client_tag: Optional[str] = None  # a keyed hash of the client's address, written by the channels
    language: str = "en"  # the conversation's language at this message (knowledge/language.py's rule)


@dataclass
class Insights:
    """The counts of one school (or all) in one week, Monday `start` to Sunday `end`.

    K = 1 is a maintainer's view (the report's `--min-students 1`, for IT who hold the database
    anyway): nothing hidden, nothing rounded. The page never takes less than 2."""

    start: dt.date
    end: dt.date
    school: Optional[str]
    min_students: int
    topics: Tally = field(default_factory=Tally)
    jobs: Tally = field(default_factory=Tally)
    silent: Tally = field(default_factory=Tally)  # topics the sources could not answer
    wider: Tally = field(default_factory=Tally)  # answered only from a broader job's facts
    not_understood: Tally = field(default_factory=Tally)  # by masked, grouped text
    handoffs: Tally = field(default_factory=Tally)
    languages: Tally = field(default_factory=Tally)  # questions by the language they were asked in
    schools: Tally = field(default_factory=Tally)
    all_students: Set[str] = field(default_factory=set)  # established conversations
    messages: int = 0
    not_understood_students: Set[str] = field(default_factory=set)

    @property
    def week(self) -> Week:
        """The ISO week these counts are of, for the labels of the page and the report."""
        return Week.of(self.start)

    @property
    def exact(self) -> bool:
        """True in the maintainer's view (K = 1), where nothing is hidden or rounded."""
        return self.min_students <= 1

    @property
    def conversations(self) -> int:
        """The established conversations of the week, behind the page's total."""
        return len(self.all_students)

    def shown(self, conversations: int) -> bool:
        """A number may be shown: at least K different conversations behind it (zero is hidden too,
        so that a hidden row looks the same whether the topic came up or not)."""
        return self.exact or conversations >= self.min_students

    def figure(self, value: int, conversations: int) -> Optional[int]:
        """What the page shows for a number behind `conversations`: None when hidden, else rounded
        to the nearest multiple of ROUND_TO and never below it (so that 5, 6 and 7 look alike)."""
        if not self.shown(conversations):
            return None
        if self.exact:
            return value
        return max(ROUND_TO, ROUND_TO * round(value / ROUND_TO))

    def text_shown(self, key: str) -> bool:
        """A student's own words: K established conversations typed them, from 2+ client addresses."""
        return self.exact or (len(self.not_understood.students[key]) >= self.min_students
                              and len(self.not_understood.addresses[key]) >= MIN_ADDRESSES)

    def _row(self, tally: Tally, key: Any, name: Any) -> Dict[str, Any]:
        conversations = len(tally.students.get(key, ()))
        return {"name": name, "key": key, "conversations": self.figure(conversations, conversations),
                "messages": self.figure(tally.messages.get(key, 0), conversations)}

    def _every(self, tally: Tally, keys: Sequence[str]) -> List[Dict[str, Any]]:
        """One row per word of the vocabulary, asked or not; the shown first (by the figure shown,
        never by a hidden number), then the hidden in the vocabulary's order."""
        rows = [self._row(tally, key, TOPIC_NAMES.get(key, key)) for key in keys]
        order = {key: n for n, key in enumerate(keys)}
        return sorted(rows, key=lambda r: (r["conversations"] is None, -(r["conversations"] or 0), order[r["key"]]))

    def _shown_only(self, tally: Tally, keys: Iterable[Any]) -> List[Dict[str, Any]]:
        rows = [self._row(tally, key, key) for key in keys]
        return sorted((r for r in rows if r["conversations"] is not None),
                      key=lambda r: (-r["conversations"], str(r["name"])))

    def as_dict(self) -> Dict[str, Any]:
        """Everything that may be shown, as JSON: every hidden number is None (never a messages count
        behind a hidden row), every shown one rounded, hidden texts, jobs and schools left out."""
        total = self.conversations
        nu = len(self.not_understood_students)
        hand = len(self.handoffs.students.get("handoff", ()))
        texts = [key for key in self.not_understood.messages if self.text_shown(key)]
        return {
            "week": self.week.label, "from": self.start.isoformat(), "to": self.end.isoformat(),
            "period": self.week.describe(), "school": self.school,
            "min_students": self.min_students, "rounded_to": 1 if self.exact else ROUND_TO,
            "min_turns": MIN_TURNS, "min_addresses": 1 if self.exact else MIN_ADDRESSES,
            "conversations": self.figure(total, total),
            "messages": self.figure(self.messages, total),
            "topics": self._every(self.topics, list(TOPIC_NAMES)),
            "jobs": self._shown_only(self.jobs, self.jobs.messages),
            "sources_silent": self._every(self.silent, SILENT_TOPICS),
            "answered_for_wider_group": self._every(self.wider, WIDER_TOPICS),
            "not_understood": {
                "conversations": self.figure(nu, nu),
                "messages": self.figure(sum(self.not_understood.messages.values()), nu),
                "groups": self._shown_only(self.not_understood, texts),
            },
            "handoffs": {"conversations": self.figure(hand, hand),
                         "messages": self.figure(self.handoffs.messages.get("handoff", 0), hand)},
            "languages": [{**r, "name": LANGUAGE_NAMES[r["key"]]} for r in self._every(self.languages, LANGUAGES)],
            "schools": self._shown_only(self.schools, self.schools.messages) if self.school is None else [],
        }


def read_turns(url: str, first: float, last: float, zone: ZoneInfo, school_id: Optional[str] = None,
               slots: bool = True) -> Dict[str, List[Turn]]:
    """Each conversation's student turns between two instants, with the topic and job that each set
    (without `slots`: the turns alone, which is all the weekly trend needs).

    The rows come from store/events.py, the one reader of Rasa's table (none: nothing stored yet). With
    `school_id`, only the messages the server tagged with that school: the store narrows the rows, and
    every row is checked again here."""
    return _turns(turn_rows(url, first, last, school_id, slots), zone, school_id)


def _turns(rows: Iterable[Any], zone: ZoneInfo, school_id: Optional[str]) -> Dict[str, List[Turn]]:
    conversations: Dict[str, List[Turn]] = {}
    current: Dict[str, Optional[Turn]] = {}  # the turn a slot event belongs to (None: another school's)
    language: Dict[str, Optional[str]] = {}  # each conversation's language so far, over all its messages
    for sender, type_name, intent, timestamp, raw in rows:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            continue
        if type_name == "user":
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            found_id = metadata.get("school_id") if isinstance(metadata.get("school_id"), str) else None
            current[sender] = None
            parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
            language[sender] = next_language(language.get(sender), parse, metadata)
            if school_id is not None and found_id != school_id:
                continue
            entities = [str(e.get("value")) for e in parse.get("entities") or []
                        if isinstance(e, dict) and e.get("entity") == "occupation"]
            name = metadata.get("school") if isinstance(metadata.get("school"), str) else None
            tag = metadata.get("client_tag")
            tag = tag if isinstance(tag, str) and CLIENT_TAG.fullmatch(tag) else None
            day = dt.datetime.fromtimestamp(float(timestamp), zone).date()
            turn = Turn(sender, day, found_id, name, intent, str(data.get("text") or ""), entities, client_tag=tag,
                        language=language[sender] or DEFAULT)
            conversations.setdefault(sender, []).append(turn)
            current[sender] = turn
        elif type_name == "slot" and (turn := current.get(sender)) is not None and isinstance(data.get("value"), str):
            if data.get("name") == "topic":
                turn.topic = data["value"]
            elif data.get("name") == "occupation":
                turn.occupation = data["value"]
    return conversations


def _wanted(school_id: Optional[str], school_name: Optional[str]) -> Optional[str]:
    """By name only for a school without an id (older messages, or a server without a schools file)."""
    return school_name.strip().casefold() if school_name and school_id is None else None


def _established(turns: List[Turn], wanted: Optional[str]) -> List[Turn]:
    """A conversation's turns of the school, if there are at least MIN_TURNS of them; else none."""
    kept = [t for t in turns if wanted is None or (t.school or "").strip().casefold() == wanted]
    return kept if len(kept) >= MIN_TURNS else []


def gather(url: str, week: Week, *, school_id: Optional[str] = None, school_name: Optional[str] = None,
           zone: ZoneInfo = UTC, min_students: int = DEFAULT_MIN_STUDENTS, kb: Optional[KnowledgeBase] = None,
           today: Optional[dt.date] = None) -> Insights:
    """Count one finished week of one school (by the id the server tagged, or by name for older
    messages), or of all; only established conversations."""
    if not week.finished(zone, today):
        raise ValueError(f"{week.label} is not over yet: only finished weeks are counted")
    kb = kb or KnowledgeBase()
    found = Insights(start=week.monday, end=week.sunday, school=school_name or school_id, min_students=min_students)
    conversations = read_turns(url, *week.bounds(zone), zone, school_id)
    wanted = _wanted(school_id, school_name)
    for turns in conversations.values():
        for turn in _established(turns, wanted):
            count(found, turn, kb)
    return found


def weekly_conversations(url: str, weeks: Sequence[Week], *, school_id: Optional[str] = None,
                         school_name: Optional[str] = None, zone: ZoneInfo = UTC,
                         min_students: int = DEFAULT_MIN_STUDENTS, today: Optional[dt.date] = None
                         ) -> List[Dict[str, Any]]:
    """Established conversations in each of these finished weeks (oldest first), each week its own
    period, hidden and rounded like every other number: the page's trend."""
    if any(not w.finished(zone, today) for w in weeks):
        raise ValueError("only finished weeks are counted")
    per_week: Dict[Week, Insights] = {w: Insights(start=w.monday, end=w.sunday, school=None,
                                                  min_students=min_students) for w in weeks}
    if weeks:
        found = read_turns(url, min(weeks).bounds(zone)[0], max(weeks).bounds(zone)[1], zone, school_id,
                           slots=False)
        wanted = _wanted(school_id, school_name)
        for turns in found.values():
            by_week: Dict[Week, List[Turn]] = defaultdict(list)
            for turn in turns:
                by_week[Week.of(turn.day)].append(turn)
            for week, its_turns in by_week.items():  # a conversation over two weeks is one in each
                if week in per_week and _established(its_turns, wanted):
                    per_week[week].all_students.add(its_turns[0].sender)
    return [{"week": w.label, "from": w.monday.isoformat(), "to": w.sunday.isoformat(),
             "conversations": per_week[w].figure(per_week[w].conversations, per_week[w].conversations)}
            for w in sorted(per_week)]


def page_data(url: str, week: Week, *, school_id: Optional[str] = None, school_name: Optional[str] = None,
              zone: ZoneInfo = UTC, min_students: int = DEFAULT_MIN_STUDENTS, kb: Optional[KnowledgeBase] = None,
              today: Optional[dt.date] = None, trend_weeks: int = TREND_WEEKS) -> Dict[str, Any]:
    """What the page shows for one week: its counts, the 12 weeks' trend up to it, and which week
    is the latest finished (and when the running one will appear)."""
    today = today or dt.datetime.now(zone).date()
    data = gather(url, week, school_id=school_id, school_name=school_name, zone=zone, min_students=min_students,
                  kb=kb, today=today).as_dict()
    data["trend"] = weekly_conversations(url, weeks_up_to(week, trend_weeks), school_id=school_id,
                                         school_name=school_name, zone=zone, min_students=min_students, today=today)
    latest = latest_week(zone, today)
    running = latest.shift(1)
    data["latest_week"] = latest.label
    data["this_week"] = {"week": running.label, "period": running.describe(),
                         "appears": (running.monday + dt.timedelta(days=7)).isoformat()}
    return data


def count(found: Insights, turn: Turn, kb: KnowledgeBase) -> None:
    """Add one turn of an established conversation to every count it belongs to."""
    who = turn.sender
    found.messages += 1
    found.all_students.add(who)
    found.schools.add(turn.school or turn.school_id or "(no school given)", who)
    found.languages.add(turn.language, who)
    if turn.intent in NOT_UNDERSTOOD:
        found.not_understood_students.add(who)
        masked = mask_for_display(turn.text)
        if masked:
            found.not_understood.add(masked, who, turn.client_tag)
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


def min_students_setting(environ: Dict[str, str], floor: int = 2) -> int:
    """INSIGHTS_MIN_STUDENTS (default 5): the fewest different conversations a shown number may come
    from. The page takes no less than `floor`; a wrong value stops start-up with its reason."""
    raw = (environ.get("INSIGHTS_MIN_STUDENTS") or "").strip()
    if not raw:
        return DEFAULT_MIN_STUDENTS
    if not raw.isdigit() or not floor <= int(raw) <= 100:
        raise ValueError(f"INSIGHTS_MIN_STUDENTS must be a whole number from {floor} to 100, not {raw[:20]!r}")
    return int(raw)
