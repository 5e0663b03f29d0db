"""The language detector on real messages (lingua, as the model loads it)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.language import LanguageDetector
from knowledge.language import FIRST_MARGIN, SWITCH_MARGIN


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector({})


@pytest.mark.parametrize(("text", "code"), [
    ("¿cuánto gana un ecografista al año?", "es"),
    ("cuanto tiempo se estudia para tecnico en radiologia", "es"),
    ("mi hija quiere ser técnica de rayos x, qué necesita estudiar", "es"),
    ("how much does a sonographer earn a year", "en"),
    ("what do you need to study to become an x-ray tech", "en"),
])
def test_a_sentence_is_told_apart_with_a_sure_margin(detector: LanguageDetector, text: str, code: str) -> None:
    found = detector.detect(text)
    assert found is not None and found["code"] == code and found["margin"] >= SWITCH_MARGIN


@pytest.mark.parametrize("text", ["", "/ask_salary", '/inform_occupation{"occupation": "sonographer"}', "12345 !!"])
def test_buttons_and_texts_without_words_get_no_language(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_the_result_goes_into_the_parse_data(detector: LanguageDetector) -> None:
    message = Message(data={"text": "hola, qué hace un técnico en medicina nuclear"})
    detector.process([message])
    assert message.get("language")["code"] == "es"
    assert "language" in message.as_dict(only_output_properties=True)


def test_a_huge_message_is_read_only_in_part(detector: LanguageDetector) -> None:
    found = detector.detect("¿qué estudia un ecografista? " * 5000)
    assert found is not None and found["code"] == "es"


@pytest.mark.parametrize(("text", "code"), [
    ("holi", "es"), ("me ayudas con mi homework de algebra?", "es"), ("how much does un técnico make", "en"),
])
def test_everyday_words_decide_where_lingua_is_unsure(detector: LanguageDetector, text: str, code: str) -> None:
    """Enough to start a conversation in that language, never to switch one."""
    found = detector.detect(text)
    assert found == {"code": code, "margin": FIRST_MARGIN}


@pytest.mark.parametrize("text", ["ok", "sonographer", "MRI", "okay!"])
def test_one_word_of_neither_language_never_switches(detector: LanguageDetector, text: str) -> None:
    """A Spanish conversation's "ok" got an English reply: lingua was sure of one word it cannot know."""
    found = detector.detect(text)
    assert found is not None and found["margin"] < SWITCH_MARGIN


@pytest.mark.parametrize(("text", "code"), [("gracias", "es"), ("thanks", "en"), ("hola", "es")])
def test_one_everyday_word_still_tells_its_language(detector: LanguageDetector, text: str, code: str) -> None:
    found = detector.detect(text)
    assert found is not None and found["code"] == code
