"""Check and clean what students send before NLU or the tracker store sees it.

Why here: long inputs are costly for any NLU (with DIET, one 100 KB message held a stock
server for 17-20 s; featurising n-grams grows with the length too), students are often
minors whose contact details must not be stored, and a typed `/intent{...}` must not reach
the dialogue with values we never checked.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Collection, Optional

MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
MAX_REQUEST_BYTES = 64 * 1024  # a request or socket.io frame: a message's 4,000 bytes, metadata, JSON
SENDER = re.compile(r"[A-Za-z0-9_.:@\-]{1,%d}" % MAX_SENDER_CHARS)  # whole: fullmatch (`$` takes "abc\n")
INVISIBLE = dict.fromkeys(
    cp for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_DOT = r"(?:\s*[(\[]\s*punto\s*[)\]]\s*|\s+punto\s+|\.|\s\.\s)"  # "punto", "(punto)", ".", " . "
SPOKEN_EMAIL = re.compile(  # Spanish, said aloud: "juan punto perez arroba gmail punto com", "ana (arroba) hotmail.com"
    r"\b[\w+\-]+(?:" + _DOT + r"[\w+\-]+|\s+gui[oó]n(?:\s+bajo)?\s+[\w+\-]+)*"
    r"(?:\s*[(\[]\s*arroba\s*[)\]]\s*|\s+arroba\s+|\s*@\s*)"
    r"(?:[\w\-]+(?:" + _DOT + r"[A-Za-z]{2,}\b)+|(?:gmail|hotmail|yahoo|outlook|icloud|live)\b)", re.IGNORECASE)
# 7-15 digits with spaces, dots, dashes or brackets between them, also right after "tel", "cel", "whats":
# "07700 900123", "+52 1 55 1234 5678", "55-1234-5678", "(55) 1234 - 5678", "cel5512345678".
PHONE = re.compile(r"(?:(?<![\w$,])|(?<=tel)|(?<=cel)|(?<=whats)|(?<=celular)|(?<=movil)|(?<=móvil))"
                   r"\+?\(?\d(?:[\s().\-–]{0,3}\d){6,14}(?![\w])", re.IGNORECASE)
FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:\s?[-–]\s?\d{1,3}(?:\.\d{3})+)*")  # 1.200.000 or 45.000-60.000
MONEY_BEFORE = re.compile(r"(?:[$€]|\b(?:usd|mxn|cop|eur))\s?[\d.]*$", re.IGNORECASE)
MONEY_AFTER = re.compile(r"\s?(?:€|(?:de )?(?:pesos|euros|d[oó]lares|dlls?|usd|mxn|cop|al a[nñ]o|al mes|anuales|"
                         r"mensuales|por a[nñ]o|por mes)\b)", re.IGNORECASE)
TAG = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")  # HTML tags: no student means them as words
PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]{1,64})(?P<entities>\{.{0,300}\})?$", re.DOTALL)

EMPTY_REPLY = "It looks like your message was empty. What would you like to know about careers in medical imaging?"
TOO_LONG_REPLY = (f"That message is too long for me (the limit is {MAX_MESSAGE_CHARS} characters). "
                  "Could you ask a shorter question?")


@dataclass(frozen=True)
class Checked:
    """A cleaned message, or the polite reply to send instead of processing it."""

    text: str
    reply: Optional[str] = None


def _phone(match: "re.Match[str]") -> str:
    """A phone number's replacement; a figure written the Spanish way stays ("45.000-60.000", "1.200.000 pesos")."""
    number = match.group()
    if FIGURE.fullmatch(number) and ("-" in number or "–" in number or MONEY_BEFORE.search(match.string[:match.start()])
                                     or MONEY_AFTER.match(match.string, match.end())):
        return number
    return "[phone]"


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses and phone numbers (in English and in Spanish), so they are never stored."""
    return PHONE.sub(_phone, SPOKEN_EMAIL.sub("[email]", EMAIL.sub("[email]", text)))


def clean_text(raw: str) -> str:
    """Drop invisible and control characters and HTML tags, and fold runs of white space."""
    text = TAG.sub(" ", unicodedata.normalize("NFC", raw).translate(INVISIBLE))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def check_payload(text: str, intents: Collection[str], entity_ok: Callable[[str, Any], bool]) -> str:
    """A typed `/intent{...}` passes only with a known intent and checked entities.

    Buttons send such payloads, so they cannot be refused outright; anything else that
    starts with "/" is treated as ordinary text, which NLU then reads like any question.
    """
    match = PAYLOAD.match(text)
    if not match or match["intent"] not in intents:
        return text.lstrip("/") if text.startswith("/") else text
    if match["entities"]:
        try:
            entities = json.loads(match["entities"])
        except ValueError:
            return match["intent"].replace("_", " ")
        if not isinstance(entities, dict) or not all(entity_ok(k, v) for k, v in entities.items()):
            return f"/{match['intent']}"
    return text


def check_message(raw: Any) -> Checked:
    """The message text to process, or a polite reply when there is nothing to process."""
    if not isinstance(raw, str):
        return Checked("", EMPTY_REPLY)
    if len(raw) > MAX_MESSAGE_CHARS * 4:  # don't even clean a huge body
        return Checked("", TOO_LONG_REPLY)
    text = clean_text(raw)
    if not text:
        return Checked("", EMPTY_REPLY)
    if len(text) > MAX_MESSAGE_CHARS:
        return Checked("", TOO_LONG_REPLY)
    return Checked(mask_personal_data(text))


def valid_sender(sender: Any) -> bool:
    """Whole-string check of an id that becomes a tracker key and a log field: no newline slips by."""
    return isinstance(sender, str) and SENDER.fullmatch(sender) is not None
