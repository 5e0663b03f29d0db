"""A student's summary for their counsellor: what the tracker store holds of one conversation, as a page.

Nothing here is stored: the summary is read from the conversation's events each time (its questions, the
bot's answers with their source lines, the `reply_kind` slot that each answer set, and the school's
contact and next steps that the channels put in each message's metadata), so the retention purge
(store/purge.py) removes it with the conversation. Every text is HTML-escaped: a question is whatever a
student typed, and an answer may repeat it. The page loads one stylesheet and one script from this
server (Copy and Print), so its CSP allows nothing inline. bot/summary_page.py serves it, in the chat's language
(the widget's link says it: `lang`, English or Spanish); the conversation's own words stay as they were said.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape
from typing import Any, Dict, Iterable, List, Optional, Tuple

from knowledge.vocabulary import ANSWERED, CLARIFY, NOT_COVERED, OUTSIDE, REPLY_KIND_SLOT
from schools.contact import Contact

# The page's own words, in each language the widget speaks (its WORDS in bot/static/widget-base.js); Spanish:
# neutral Latin American, "tú". Both have the same keys (tests/unit/bot/test_summary.py).
WORDS: Dict[str, Dict[str, str]] = {
    "en": {
        "title": "Summary for my counsellor",
        "button": "A choice from the chat's buttons",
        "lead": "What I asked the careers assistant{school}{day}, and what it answered. Its answers come from two "
                "published sources, named under each answer.",
        "of": " of {school}",
        "on": " on {day} {month} {year}",
        "months": "January February March April May June July August September October November December",
        "copy": "Copy",
        "print": "Print",
        "asked": "My questions and the answers",
        "none_answered": "No question has an answer from the sources yet.",
        "open": "Questions the sources could not answer",
        "open_lead": "The assistant's sources don't cover these: they are worth asking my counsellor about.",
        "none_open": "None: the sources covered every question.",
        "counsellor": "My counsellor",
        "someone": "Your careers counsellor",
        "at": " at {school}",
        "email": "Email",
        "phone": "Phone",
        "reach": "Ask at your school office or on your school's website how to reach them.",
        "next": "Next steps from your counsellor",
    },
    "es": {
        "title": "Resumen para mi consejero o consejera",
        "button": "Una opción de los botones del chat",
        "lead": "Lo que le pregunté al asistente de orientación vocacional{school}{day} y lo que me respondió. Sus "
                "respuestas vienen de dos fuentes publicadas, nombradas debajo de cada respuesta.",
        "of": " de {school}",
        "on": " el {day} de {month} de {year}",
        "months": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "copy": "Copiar",
        "print": "Imprimir",
        "asked": "Mis preguntas y las respuestas",
        "none_answered": "Todavía ninguna pregunta tiene una respuesta de las fuentes.",
        "open": "Preguntas que las fuentes no pudieron responder",
        "open_lead": "Las fuentes del asistente no cubren estas preguntas: vale la pena hacérselas a mi consejero o "
                     "consejera.",
        "none_open": "Ninguna: las fuentes cubrieron todas las preguntas.",
        "counsellor": "Mi consejero o consejera",
        "someone": "Tu consejero o consejera escolar",
        "at": " en {school}",
        "email": "Correo",
        "phone": "Teléfono",
        "reach": "Pregunta en la oficina de tu escuela o en su sitio web cómo contactar a esa persona.",
        "next": "Próximos pasos de tu consejero o consejera",
    },
}
TITLE = WORDS["en"]["title"]
# A source line of an answer, in either language (actions/ writes them).
SOURCE_LINE = re.compile(r"^(Sources?|Sources checked|Fuentes?|Fuentes consultadas):")
UNANSWERED = (NOT_COVERED, OUTSIDE)  # the sources are silent, or the job is outside the group they describe
A_BUTTON = WORDS["en"]["button"]
MAX_TURNS = 200  # the widget keeps as many messages; a longer conversation shows its latest


def language(value: object) -> str:
    """'es' for a Spanish `lang` ("es", "es-MX"), else 'en': the page speaks the chat's language, else English."""
    return "es" if isinstance(value, str) and re.match(r"es(?:[-_]|$)", value.strip(), re.IGNORECASE) else "en"


@dataclass(frozen=True)
class Turn:
    """One question and what the assistant said to it: its words, its source lines apart, and its kind."""

    question: str
    answer: Tuple[str, ...]
    sources: Tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Summary:
    """What the page shows: the answered questions, the unanswered ones, whom to ask, and when it was."""

    answered: Tuple[Turn, ...]
    unanswered: Tuple[Turn, ...]
    contact: Contact
    last: Optional[float]


def _question(text: str, offered: Dict[str, str], lang: str) -> str:
    """The student's words; for a button's payload ("/ask_salary"), the button's title as the chat showed it."""
    if text.startswith("/"):
        return offered.get(text) or WORDS[lang]["button"]
    return text


def _offered(data: Any) -> Dict[str, str]:
    """The buttons of a bot message, payload to title."""
    buttons = data.get("buttons") if isinstance(data, dict) else None
    return {b["payload"]: b["title"] for b in buttons or []
            if isinstance(b, dict) and isinstance(b.get("payload"), str) and isinstance(b.get("title"), str)}


def from_events(events: Iterable[Dict[str, Any]], lang: str = "en") -> Optional[Summary]:
    """The summary of a conversation's events (Rasa's `as_dict()` form); None when it has no question at all.
    `lang` names an unknown button in the page's language."""
    turns: List[Tuple[str, List[str], str]] = []
    offered: Dict[str, str] = {}
    metadata: Any = None
    last: Optional[float] = None
    for event in events:
        kind = event.get("event")
        if kind == "user" and isinstance(event.get("text"), str):
            turns.append((_question(event["text"], offered, lang), [], ""))
            metadata = event.get("metadata") or metadata
            last = event.get("timestamp") if isinstance(event.get("timestamp"), (int, float)) else last
        elif kind == "bot":
            if turns and isinstance(event.get("text"), str):
                turns[-1][1].append(event["text"])
            offered = _offered(event.get("data")) or offered
        elif kind == "slot" and event.get("name") == REPLY_KIND_SLOT and turns and isinstance(event.get("value"), str):
            question, said, _ = turns[-1]
            turns[-1] = (question, said, event["value"])
    if not turns:
        return None
    answered: List[Turn] = []
    unanswered: List[Turn] = []
    asked = ""  # a question the assistant asked back about ("which job?"): the next choice completes it
    for question, said, kind in turns[-MAX_TURNS:]:
        lines = [line for text in said for line in text.split("\n")]
        turn = Turn(f"{asked} – {question}" if asked else question,
                    tuple("\n".join(line for line in lines if not SOURCE_LINE.match(line)).strip().split("\n\n")),
                    tuple(line for line in lines if SOURCE_LINE.match(line)), kind)
        asked = question if kind == CLARIFY else ""
        if kind == ANSWERED:
            answered.append(turn)
        elif kind in UNANSWERED:
            unanswered.append(turn)
    return Summary(tuple(answered), tuple(unanswered), Contact.from_metadata(metadata), last)


# --- The page ------------------------------------------------------------------------------------

def _page(title: str, body: str, lang: str, script: bool = False) -> str:
    """The shell of every page here: one stylesheet, and the Copy and Print script only where there is a summary."""
    tail = '<script src="summary.js"></script>' if script else ""
    return (f"<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex\">"
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"summary.css\"></head>"
            f"<body><main>{body}</main>{tail}</body></html>")


def _paragraphs(parts: Iterable[str], css: str = "") -> str:
    """Paragraphs of text, their line breaks kept, every character escaped."""
    attr = f' class="{css}"' if css else ""
    return "".join(f"<p{attr}>" + "<br>".join(escape(line) for line in part.split("\n")) + "</p>"
                   for part in parts if part.strip())


def _turn(turn: Turn) -> str:
    return (f'<li class="turn"><h3 class="question">{escape(turn.question)}</h3>'
            f'<div class="answer">{_paragraphs(turn.answer)}</div>{_paragraphs(turn.sources, "source")}</li>')


def _contact(contact: Contact, w: Dict[str, str]) -> str:
    who = escape(contact.name or w["someone"])
    where = w["at"].format(school=escape(contact.school)) if contact.school else ""
    ways = []
    if contact.email:
        ways.append(f'<li>{w["email"]}: <a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a></li>')
    if contact.phone:
        dial = escape(contact.phone.replace(" ", ""))
        ways.append(f'<li>{w["phone"]}: <a href="tel:{dial}">{escape(contact.phone)}</a></li>')
    reach = f'<ul class="ways">{"".join(ways)}</ul>' if ways else f"<p>{escape(w['reach'])}</p>"
    steps = ""
    if contact.links:
        items = "".join(f'<li><a href="{escape(link.url)}">{escape(link.title)}</a>'
                        f' <span class="url">{escape(link.url)}</span></li>' for link in contact.links)
        steps = f'<h3 id="next-steps">{w["next"]}</h3><ul class="links">{items}</ul>'
    return (f'<section aria-labelledby="counsellor"><h2 id="counsellor">{w["counsellor"]}</h2>'
            f'<p class="who">{who}{where}</p>{reach}{steps}</section>')


def render(summary: Summary, lang: str = "en") -> str:
    """The summary page: the questions and answers with their sources, the questions left open, whom to ask."""
    w = WORDS[lang]
    day = ""
    if summary.last is not None:
        when = dt.datetime.fromtimestamp(summary.last, dt.timezone.utc)
        day = w["on"].format(day=when.day, month=w["months"].split()[when.month - 1], year=when.year)
    school = w["of"].format(school=escape(summary.contact.school)) if summary.contact.school else ""
    answered = (f'<ol class="turns">{"".join(_turn(t) for t in summary.answered)}</ol>' if summary.answered
                else f"<p>{escape(w['none_answered'])}</p>")
    unanswered = (f"<p>{escape(w['open_lead'])}</p>"
                  f'<ol class="turns open">{"".join(_turn(t) for t in summary.unanswered)}</ol>'
                  if summary.unanswered else f"<p>{escape(w['none_open'])}</p>")
    body = (f"<h1>{w['title']}</h1>"
            f'<p class="lead">{escape(w["lead"]).format(school=school, day=escape(day))}</p>'
            f'<div class="tools" hidden><button type="button" id="copy">{w["copy"]}</button>'
            f'<button type="button" id="print">{w["print"]}</button>'
            '<p id="status" class="status" role="status"></p></div>'
            f'<section aria-labelledby="asked"><h2 id="asked">{w["asked"]}</h2>{answered}</section>'
            f'<section aria-labelledby="open"><h2 id="open">{w["open"]}</h2>'
            f"{unanswered}</section>{_contact(summary.contact, w)}")
    return _page(w["title"], body, lang, script=True)


def problem(heading: str, text: str, lang: str = "en") -> str:
    """A polite page with no data on it: a wrong or expired key, or nothing kept for the conversation."""
    return _page(WORDS[lang]["title"], f"<h1>{escape(heading)}</h1><p>{escape(text)}</p>", lang)
