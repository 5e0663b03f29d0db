"""bot/sanitize.py: the cap, cleaning, masking, typed payloads and sender ids."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sanitize import (
    EMPTY_REPLY,
    MAX_MESSAGE_CHARS,
    TOO_LONG_REPLY,
    check_message,
    check_payload,
    mask_personal_data,
    valid_sender,
)

INTENTS = {"ask_salary", "inform_occupation"}


def entity_ok(name: str, value: object) -> bool:
    return name == "occupation" and isinstance(value, str) and value.isidentifier()


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u200d\ufeff", "\n\t", None, 42, ["hi"]])
def test_empty_or_not_text_gets_a_polite_reply(raw: object) -> None:
    assert check_message(raw).reply == EMPTY_REPLY


@pytest.mark.parametrize("size", [MAX_MESSAGE_CHARS + 1, 100_000])
def test_too_long_gets_a_polite_reply(size: int) -> None:
    assert check_message("a" * size).reply == TOO_LONG_REPLY


def test_cleaning_keeps_words_and_drops_invisibles() -> None:
    assert check_message("what\u200b does a  sono\u00adgrapher\x00 do?\n").text == "what does a sonographer do?"
    assert check_message("مرحبا ما هو عمل فني الأشعة 👋").text == "مرحبا ما هو عمل فني الأشعة 👋"


@pytest.mark.parametrize("text, masked", [
    ("my email is Jo.Smith+x@school.edu ok", "my email is [email] ok"),
    ("call me on 07700 900123 pls", "call me on [phone] pls"),
    ("+1 (555) 123-4567", "[phone]"),
    ("they earn $70,180 in 2012", "they earn $70,180 in 2012"),
])
def test_contact_details_are_masked_and_figures_kept(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text, masked", [
    # e-mail, typed or said aloud
    ("mi correo es juan arroba gmail punto com", "mi correo es [email]"),
    ("JUAN ARROBA GMAIL PUNTO COM gracias", "[email] gracias"),
    ("juan punto perez arroba hotmail punto com punto mx", "[email]"),
    ("ana (arroba) yahoo (punto) es", "[email]"),
    ("juan guion bajo lopez arroba gmail.com", "[email]"),
    ("escríbeme a juan arroba gmail", "escríbeme a [email]"),
    ("juan @ gmail . com", "[email]"),
    ("mi correo es juan@gmail.com", "mi correo es [email]"),
    # Mexican, Spanish and Latin American phone groupings, after "cel.", "tel.", "whats"
    ("mi número es 55 1234 5678", "mi número es [phone]"),
    ("+52 1 55 1234 5678", "[phone]"),
    ("+52 (55) 1234-5678", "[phone]"),
    ("044 55 1234 5678", "[phone]"),
    ("cel. 55-1234-5678", "cel. [phone]"),
    ("mi cel es 55.1234.5678", "mi cel es [phone]"),
    ("tel.5512345678", "tel.[phone]"),
    ("tel5512345678", "tel[phone]"),
    ("whats 55 12 34 56 78", "whats [phone]"),
    ("mi whatsapp: 55 - 1234 - 5678", "mi whatsapp: [phone]"),
    ("+34 612 34 56 78", "[phone]"),
    ("+54 9 11 1234-5678", "[phone]"),
    ("llámame al 300 123 4567", "llámame al [phone]"),
    ("mi casa 2234-5678", "mi casa [phone]"),
    ("mi cel es 612.345.678", "mi cel es [phone]"),  # grouped like a figure, but no money around it
    ("me llamo Ana, mi correo es ana arroba gmail punto com y mi cel 55 1234 5678",
     "me llamo Ana, mi correo es [email] y mi cel [phone]"),
])
def test_spanish_contact_details_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text", [
    "ganan $54,620 al año", "en 2012", "el salario medio es de $54,620 (2012)", "se estudia 4 años",
    "de 2 a 4 años", "1,500 horas de prácticas", "crece un 7% de 2022 a 2032", "ganan 1.200.000 pesos al año",
    "$ 1.200.000", "entre 45.000-60.000 € al año", "de 45.000 - 60.000 euros", "gana 1.200.000 al mes",
    "de 2.000 a 3.000 horas", "54 620 dólares", "la arroba es un símbolo", "un hotel de 5 estrellas",
    "¿qué hace un técnico en radiología?",
])
def test_spanish_career_figures_are_kept(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize("text, expected", [
    ('/ask_salary{"occupation": "sonographer"}', '/ask_salary{"occupation": "sonographer"}'),
    ("/ask_salary", "/ask_salary"),
    ('/ask_salary{"occupation": "<script>"}', "/ask_salary"),
    ('/ask_salary{"colour": "red"}', "/ask_salary"),
    ("/ask_salary{not json}", "ask salary"),
    ("/restart", "restart"),
    ("/session_start", "session_start"),
    ("/nlu_fallback", "nlu_fallback"),
    ("what does a sonographer do", "what does a sonographer do"),
])
def test_typed_payloads_pass_only_when_known_and_checked(text: str, expected: str) -> None:
    assert check_payload(text, INTENTS, entity_ok) == expected


@pytest.mark.parametrize("sender, ok", [
    ("student-1", True), ("a" * 128, True), ("a" * 129, False), ("", False), (None, False), (12, False),
    ("x" * 10_000, False), ("<script>", False), ("робот", False)])
def test_sender_ids(sender: object, ok: bool) -> None:
    assert valid_sender(sender) is ok


@given(st.text(max_size=3000))
def test_any_text_gives_text_or_a_reply(raw: str) -> None:
    checked = check_message(raw)
    assert (checked.reply is None) == bool(checked.text)
    assert len(checked.text) <= MAX_MESSAGE_CHARS
    assert "\u200b" not in checked.text and "\x00" not in checked.text


@pytest.mark.parametrize(("sender", "ok"), [
    ("abc", True), ("student-1.a:b@c_d", True), ("a" * 128, True),
    ("abc\n", False), ("abc\r\n", False), ("\nabc", False), ("a b", False), ("a" * 129, False), ("", False),
    (None, False), (12, False),
])
def test_a_sender_is_checked_whole(sender: object, ok: bool) -> None:
    assert valid_sender(sender) is ok


def test_html_tags_are_removed_before_nlu_and_storage() -> None:
    assert check_message("<b>what</b> does a <i>sonographer</i> do").text == "what does a sonographer do"
    assert check_message("<script>alert(1)</script><img src=x onerror=alert(1)>").text == "alert(1)"
    assert check_message("is 3 < 5 and 7 > 2").text == "is 3 < 5 and 7 > 2"  # not a tag: kept
    assert check_message("<p></p>").reply is not None  # nothing left: the polite empty-message reply
