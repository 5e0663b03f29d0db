"""The conversation's language: the sticky rule of knowledge/language.py."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from knowledge.language import SWITCH_MARGIN, conversation_language, detected, page_language


def said(code: Optional[str], margin: float = 0.0, lang: Optional[str] = None) -> Tuple[Dict[str, Any], Dict]:
    """One user message as the rule reads it: the detector's result, and the metadata."""
    parse = {"language": {"code": code, "margin": margin}} if code else {}
    return parse, ({"lang": lang} if lang else {})


@pytest.mark.parametrize(("turns", "expected"), [
    ([], "en"),
    ([said("es", 0.95)], "es"),  # a sure Spanish first message
    ([said("es", 0.4)], "es"),  # a first message has nothing to keep: from FIRST_MARGIN on it starts Spanish
    ([said("es", 0.2)], "en"),  # "holi": not sure enough even for a first message
    ([said("en", 0.9), said("es", 0.4)], "en"),  # ... but later, only a sure switch counts
    ([said("es", 0.4, lang="es")], "es"),  # ... but the page is in Spanish
    ([said("en", 0.3, lang="es-MX")], "es"),  # "ok" on a Spanish page stays Spanish
    ([said("es", 0.9), said("en", 0.5), said(None)], "es"),  # "sonographer", a button: kept
    ([said("es", 0.9), said("en", SWITCH_MARGIN)], "en"),  # a sure switch is followed
    ([said("en", 0.9, lang="es"), said("es", 0.2)], "en"),  # the page only starts it
])
def test_the_conversation_keeps_its_language_until_the_detector_is_sure(turns: List[Any], expected: str) -> None:
    assert conversation_language(turns) == expected


@pytest.mark.parametrize(("metadata", "expected"), [
    ({"lang": "es"}, "es"), ({"lang": "ES_us"}, "es"), ({"lang": "en-GB"}, "en"), ({"lang": "fr"}, None),
    ({"lang": 3}, None), ({}, None), (None, None), ("es", None),
])
def test_the_page_language_is_english_or_spanish_or_nothing(metadata: Any, expected: Optional[str]) -> None:
    assert page_language(metadata) == expected


@pytest.mark.parametrize("parse", [None, {}, {"language": "es"}, {"language": {"code": "fr", "margin": 1}},
                                   {"language": {"code": "es", "margin": "lots"}}])
def test_a_missing_or_odd_detection_counts_as_none(parse: Any) -> None:
    assert detected(parse) == (None, 0.0)
