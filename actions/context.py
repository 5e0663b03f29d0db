"""What every action needs: the knowledge base, the occupation in play, and the reply format."""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.phrases import EN, ES, LANGUAGES, joined, phrase, spanish, term
from knowledge.language import conversation_language
from knowledge.names import CONTEXT_REFERENCE, OCCUPATION, OTHER_JOB, Found
from knowledge.query import FactInfo, KnowledgeBase, OtherJobInfo
from knowledge.vocabulary import ANSWERED, NOT_COVERED, REPLY_KIND_SLOT

MAX_ENTITY_TEXT = 128
SOURCE = "Source"  # the label of a source line that lists what the answer used
CHECKED = "Sources checked"  # the label of a source line that lists what was checked, not what was used
# True once a Spanish conversation has been told that the sources are in English (once per conversation).
SOURCES_LANGUAGE_SLOT = "sources_language_said"

_lock = threading.Lock()
_kbs: Dict[str, KnowledgeBase] = {}


def language(tracker: Tracker) -> str:
    """The conversation's language, "es" or "en", from its user messages by knowledge/language.py's rule (the
    same the responses' generator, bot/nlg.py, applies): the message that runs this action is one of them."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    return conversation_language((e.get("parse_data"), e.get("metadata")) for e in users)


def knowledge_base(language: str = EN) -> KnowledgeBase:
    """The process-wide knowledge base for a language, opened on first use (never at import time)."""
    language = language if language in LANGUAGES else EN
    with _lock:
        if language not in _kbs:
            _kbs[language] = _open(language)
        return _kbs[language]


def _open(language: str) -> KnowledgeBase:
    return KnowledgeBase(language=language)


def reset_knowledge_base() -> None:
    """Forget the open knowledge base (tests point KNOWLEDGE_DB_URL elsewhere)."""
    with _lock:
        _kbs.clear()


def intent_name(tracker: Tracker) -> str:
    """The latest intent's name, or '' when a client sent something malformed."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


def mentioned_occupations(tracker: Tracker, kb: KnowledgeBase) -> List[str]:
    """Occupation ids named in the latest message, checked against the knowledge base.

    The NLU pipeline resolves every name to an id once (components/occupation_entities.py, through
    the knowledge base's name resolver), and buttons carry ids: here an id is only checked to exist.
    """
    found: List[str] = []
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if not isinstance(entity, dict) or entity.get("entity") != "occupation":
            continue
        occupation_id = known_id(kb, entity.get("value"))
        if occupation_id and occupation_id not in found:
            found.append(occupation_id)
    return found


def message_mentions(tracker: Tracker) -> List[Found]:
    """The job names in the latest message, with their spans, as the NLU found them (once per message):
    what the search masks and reads, instead of looking for names in the text again."""
    message = tracker.latest_message or {}
    text = message.get("text")
    if not isinstance(text, str):
        return []
    found: List[Found] = []
    for entity in message.get("entities") or []:
        if not isinstance(entity, dict) or entity.get("entity") not in (OCCUPATION, OTHER_JOB):
            continue
        start, end, value = entity.get("start"), entity.get("end"), entity.get("value")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) \
                and isinstance(value, str) and len(value) <= MAX_ENTITY_TEXT:
            found.append(Found(start, end, text[start:end], entity["entity"], value))
    return found


def known_id(kb: KnowledgeBase, value: Any) -> Optional[str]:
    """`value` when it is the id of an occupation in the knowledge base, else None."""
    if isinstance(value, str) and len(value) <= MAX_ENTITY_TEXT and kb.occupation(value) is not None:
        return value
    return None


def field_named(tracker: Tracker, kb: KnowledgeBase) -> Optional[Tuple[str, str]]:
    """The field word the message names a job by ("how much does radiology pay"), as written, and its job."""
    message = tracker.latest_message or {}
    text = message.get("text")
    for entity in message.get("entities") or []:
        if not (isinstance(entity, dict) and entity.get("entity") == "occupation" and isinstance(text, str)):
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= min(len(text), start + 64):
            written = text[start:end]
            occupation_id = kb.field(written)
            if occupation_id is not None and occupation_id == known_id(kb, entity.get("value")):
                return written, occupation_id
        return None  # only the first job named
    return None


def field_intro(kb: KnowledgeBase, written: str, occupation_id: str, language: str) -> str:
    """"Radiology is a field of work, not one job": the group's jobs in it, and whose facts follow."""
    jobs = kb.in_field(occupation_id)
    if len(jobs) == 1:
        return phrase("field.one", language, written=capitalised(written), job=jobs[0].plural)
    return phrase("field.many", language, written=capitalised(written), jobs=joined([o.plural for o in jobs], language),
                  first=jobs[0].plural)


def mentioned_other_jobs(tracker: Tracker, kb: KnowledgeBase) -> List[OtherJobInfo]:
    """Jobs outside the group named in the latest message ("radiologist"), checked against the knowledge base."""
    found: List[OtherJobInfo] = []
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "other_job":
            value = entity.get("value")
            job = kb.other_job(value) if isinstance(value, str) and len(value) <= MAX_ENTITY_TEXT else None
            if job is not None and job not in found:
                found.append(job)
    return found


def slot_occupation(tracker: Tracker, kb: KnowledgeBase) -> Optional[str]:
    """The job in context, trusted only if the knowledge base still knows its id."""
    return known_id(kb, tracker.get_slot("occupation"))


def context_occupation(tracker: Tracker, kb: KnowledgeBase) -> Optional[str]:
    """The job in context; else the occupation that "this career" or "esta carrera" points at when the message
    says it (knowledge/occupations.yml's context_references): a first question on "this career" is about the
    field the assistant covers, and needs no "which job?" back."""
    found = slot_occupation(tracker, kb)
    if found is not None:
        return found
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == CONTEXT_REFERENCE:
            found = known_id(kb, entity.get("value"))
            if found is not None:
                return found
    return None


def source_line(kb: KnowledgeBase, source_ids: Iterable[str], credit_ids: Iterable[str] = (),
                dated: Iterable[str] = (), language: str = EN, label: str = SOURCE) -> str:
    """"Source: ..." for these sources; a source's credits ("citing the US Bureau of Labor Statistics") only
    where the answer used a fact it credits to them, and its figures' year only where it gave a figure.
    """
    credits = kb.credits(credit_ids)
    dated = set(dated)
    citations = []
    for source in kb.sources(source_ids):
        citation = term(source.citation, language) + "".join(
            phrase("source.citing", language, credit=term(c.name, language)) for c in credits
            if c.source_id == source.id)
        if source.id in dated and source.figures_year:
            citation += phrase("source.figures_for", language, year=source.figures_year)
        citations.append(citation)
    if not citations:
        return ""
    key = "source.label_checked" if label == CHECKED else "source.label_many" if len(citations) > 1 else "source.label"
    line = phrase(key, language) + ": " + "; ".join(citations)
    return line if line.endswith(".") else line + "."  # "EE. UU." already ends the sentence


def source_labels(language: str) -> List[str]:
    """The words a source line starts with in a language ("Source", "Fuentes consultadas"), to find one in a reply."""
    return [phrase(k, language) for k in ("source.label_checked", "source.label_many", "source.label")]


def cited(facts: Iterable[FactInfo], source_ids: Iterable[str] = ()) -> List[str]:
    """What an answer built from these facts cites: the sources, then the credits its facts carry.

    This is what `sources_shown` holds, so that "where is that from?" can name the credits too.
    """
    facts = list(facts)
    ids = [*(s for f in facts for s in f.source_ids), *source_ids]
    return list(dict.fromkeys(ids + [c for f in facts for c in f.attribution]))


def occupation_buttons(kb: KnowledgeBase, ids: Optional[List[str]] = None) -> List[Dict[str, str]]:
    """Buttons that name an occupation; the last topic carries over (inform_occupation).

    By default the featured jobs and the whole group, as occupations.yml marks them, each with its
    short `button` name or else its name (from the language's knowledge base), so a new featured job needs no code.
    """
    if ids is None:
        ids = [o.id for o in kb.featured()] + [kb.group().id]
    buttons = []
    for occupation_id in ids:
        occupation = kb.occupation(occupation_id)
        title = (occupation.button or capitalised(occupation.name)) if occupation else occupation_id
        buttons.append({"title": title, "payload": f'/inform_occupation{{"occupation": "{occupation_id}"}}'})
    return buttons


def say(dispatcher: CollectingDispatcher, kb: KnowledgeBase, body: str, source_ids: List[str],
        buttons: Optional[List[Dict[str, str]]] = None, label: str = SOURCE,
        facts: Sequence[FactInfo] = (), kind: Optional[str] = None, *, language: str) -> List[Dict[str, Any]]:
    """Utter an answer with its source line last, and remember what it cited for "where from?".

    The line is built from the facts the answer used (their sources, credits and figures' year) and
    `source_ids`, the sources checked or named without a fact (a title list, "the sources don't say").
    `kind` (REPLY_KINDS) defaults to ANSWERED, or NOT_COVERED when the line lists the sources checked.
    """
    ids = cited(facts, source_ids)
    dated = [s for f in facts if f.figures for s in f.source_ids]
    line = source_line(kb, ids, ids, dated, language, label)
    text = f"{body}\n\n{line}" if line else body
    dispatcher.utter_message(text=text, buttons=buttons or [])
    kind = kind or (NOT_COVERED if label == CHECKED else ANSWERED)
    return [SlotSet("sources_shown", ids), SlotSet(REPLY_KIND_SLOT, kind)]


def cites_sources(text: object, language: str) -> bool:
    """True when a reply ends with a source line (say), so the note on the sources' language goes with it."""
    if not isinstance(text, str):
        return False
    last = text.rsplit("\n\n", 1)[-1]
    return "\n\n" in text and any(last.startswith(label + ": ") for label in source_labels(language))


def note_sources_language(dispatcher: CollectingDispatcher, tracker: Tracker, events: List[Dict[str, Any]],
                          listed: bool = False) -> List[Dict[str, Any]]:
    """In Spanish, the first reply of a conversation that cites sources says that they are in English, once.

    The slot SOURCES_LANGUAGE_SLOT remembers it was said. The note goes after the source line of the first
    message of this turn that has one, or after the first message when `listed` (the sources listed in full).
    """
    if not spanish(language(tracker)) or tracker.get_slot(SOURCES_LANGUAGE_SLOT) is True:
        return events
    for index, message in enumerate(dispatcher.messages):
        text = message.get("text")
        if isinstance(text, str) and text and ((listed and index == 0) or cites_sources(text, ES)):
            message["text"] = f"{text}\n{phrase('source.in_english', ES)}"
            return [*events, SlotSet(SOURCES_LANGUAGE_SLOT, True)]
    return events


def capitalised(text: str) -> str:
    """Upper-case the first letter only, unlike str.capitalize, which lowers the rest ("MRI")."""
    return text[:1].upper() + text[1:]
