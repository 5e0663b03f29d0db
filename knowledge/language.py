"""Which language a conversation is in, English or Spanish: one rule, read by the NLG and the actions alike.

The detector (components/language.py, lingua restricted to the two languages) scores each message; a short
message ("ok", "sonographer", "thx") is often a coin flip, so the conversation keeps its language and switches
only when the detector is sure: margin |P(es) - P(en)| >= SWITCH_MARGIN. A conversation starts in the page's
language (the widget's `data-lang`, or the page's own `lang`, sent as message metadata), else English.
Chosen on the Spanish and English development sets: 96.1 % of conversation turns right without the rule,
98.0 % with it from English, 100 % from the page's language (docs/language-detection.md).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Tuple

from knowledge.vocabulary import ENGLISH, LANGUAGES, SPANISH

__all__ = ["ENGLISH", "SPANISH", "LANGUAGES", "DEFAULT", "LANGUAGE_KEY", "PAGE_LANGUAGE_KEY", "SWITCH_MARGIN",
           "FIRST_MARGIN", "LANGUAGE_NAMES", "page_language", "detected", "next_language", "conversation_language",
           "folded", "word_vote"]

DEFAULT = ENGLISH
LANGUAGE_KEY = "language"  # the parse data's key the detector writes: {"code": "es", "margin": 0.83}
PAGE_LANGUAGE_KEY = "lang"  # the message metadata's key for the page's language ("es", "es-MX", "en-US")
SWITCH_MARGIN = 0.7
# A conversation with no page language starts in the first message's language from this margin on: a first
# "oye eres un bot?" is not sure enough to switch a conversation, but there is nothing yet to keep. Chosen on
# the development sets' first turns and messages (2026-12-07): at 0.3, 0 of 52 English first turns and 2 of
# 851 English messages would start in Spanish, and 37 of 416 Spanish messages in English (56 at 0.7).
FIRST_MARGIN = 0.3
LANGUAGE_NAMES = {ENGLISH: "English", SPANISH: "Spanish"}  # for counsellors' pages
# Everyday words of one language and not the other (accents folded), which tell a short or mixed first message
# that the detector is unsure of: "holi", "me ayudas con mi homework de algebra?". Only below SWITCH_MARGIN,
# and a vote gives FIRST_MARGIN, which starts a conversation but never switches one. On the development sets'
# messages, each taken as a first message: Spanish 459 -> 484 of 504 started in Spanish, English 913 of 915
# before and after (2026-12-07; a vote below FIRST_MARGIN only: 477). "me", "no", "a" and "son" are in both languages.
SPANISH_WORDS = frozenset(
    "hola holi holaa holis buenas buenos gracias grax oye porfa porfavor chao adios que q porque como cual cuales "
    "cuanto cuantos cuanta donde por para pa con sin mi mis tu te se le lo la las los el un una unos unas es soy "
    "eres estas del de en al y o pero tambien muy mas bien tengo quiero puedo necesito hay esta estan eso esto ese "
    "esa trabajo ayuda ayudas ayudame dime sabes gana ganan hace hacen estudiar".split())
ENGLISH_WORDS = frozenset(
    "hi hello hey thanks thank the an of to is are what how which who where do does did with my for in on and or "
    "but can could need want i you it this that they their there job jobs pay much".split())


def word_vote(text: str) -> Optional[str]:
    """The language more of a text's words belong to (SPANISH_WORDS, ENGLISH_WORDS), or None on a tie."""
    words = [folded(w) for w in re.findall(r"[^\W\d_]+", text.lower())]
    spanish, english = sum(w in SPANISH_WORDS for w in words), sum(w in ENGLISH_WORDS for w in words)
    return SPANISH if spanish > english else ENGLISH if english > spanish else None


def page_language(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The page's language from a message's metadata, as one of LANGUAGES, or None ("es-MX" is "es")."""
    value = (metadata or {}).get(PAGE_LANGUAGE_KEY) if isinstance(metadata, Mapping) else None
    code = str(value).strip().lower().replace("_", "-").split("-")[0] if isinstance(value, str) else ""
    return code if code in LANGUAGES else None


def detected(parse_data: Optional[Mapping[str, Any]]) -> Tuple[Optional[str], float]:
    """The detector's language and margin for one message, or (None, 0.0) when it gave none."""
    found = (parse_data or {}).get(LANGUAGE_KEY) if isinstance(parse_data, Mapping) else None
    if not isinstance(found, Mapping) or found.get("code") not in LANGUAGES:
        return None, 0.0
    try:
        return str(found["code"]), float(found.get("margin") or 0.0)
    except (TypeError, ValueError):
        return None, 0.0


def next_language(current: Optional[str], parse_data: Optional[Mapping[str, Any]],
                  metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The language after one more user message, given the language before it (None: not known yet). The
    first message that says anything starts the conversation: in the page's language, else in its own when
    the detector's margin reaches FIRST_MARGIN, else in English; an event with neither (no text) leaves it
    unknown."""
    code, margin = detected(parse_data)
    if current is None:
        current = page_language(metadata)
        if current is None and code is not None:
            return code if margin >= FIRST_MARGIN else DEFAULT
        if current is None:
            return None
    return code if code is not None and code != current and margin >= SWITCH_MARGIN else current


def conversation_language(turns: Iterable[Tuple[Optional[Mapping[str, Any]], Optional[Mapping[str, Any]]]]) -> str:
    """The language after the last of `turns`, each a user message's (parse data, metadata), oldest first."""
    current: Optional[str] = None
    for parse_data, metadata in turns:
        current = next_language(current, parse_data, metadata)
    return current or DEFAULT


def folded(text: str) -> str:
    """The text in lower case without accents, one character for each ("¿Está en Bogotá?": "¿esta en bogota?"), so
    that a Spanish pattern written plainly matches however a student typed it, and a match's span is the typed
    text's. ñ stays ñ: "año" is no "ano", and "montaña" is no Montana."""
    if text.isascii():  # most texts and words: nothing to fold but the case (a million lookup words at load)
        return text.lower()
    return "".join(_folded_character(c) for c in text)


@lru_cache(maxsize=4096)
def _folded_character(character: str) -> str:
    lower = character.lower()
    if len(lower) != 1 or lower == "ñ":
        return lower if len(lower) == 1 else character
    plain = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
    return plain if len(plain) == 1 else lower
