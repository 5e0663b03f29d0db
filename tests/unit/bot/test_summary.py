"""bot/summary.py: a conversation's events as the student's summary, and the page, every text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Dict, List

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.summary import A_BUTTON, WORDS, from_events, language, problem, render
from schools.contact import Contact, Link

METADATA = {"school": "Hillside High School", "school_id": "hillside", "counsellor_name": "Ms Ada Park",
            "counsellor_email": "ada.park@hillside.example", "counsellor_phone": "555 0142",
            "counsellor_links": [{"title": "Open day", "url": "https://lakeside.example/open?a=1&b=2"}]}
SONO = ("Sonographers use sound waves to make images.\n\n"
        "Source: Luanne Kelchner, careertrend.com, citing the US Bureau of Labor Statistics.")
HOSTILE = "<img src=x onerror=alert(1)> & \"quotes\""


def events(*turns: Any) -> List[Dict[str, Any]]:
    """Rasa events, as the tracker store gives them back (`as_dict()`)."""
    return [e.as_dict() for e in turns]


def conversation() -> List[Dict[str, Any]]:
    return events(
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered("what does a sonographer do", metadata=METADATA, timestamp=1_780_000_000),
        ActionExecuted("action_answer"), BotUttered(SONO), SlotSet("reply_kind", "answered"),
        UserUttered("how much would i earn", metadata=METADATA),
        BotUttered("Which one do you mean?", {"buttons": [
            {"title": "X-ray techs", "payload": '/inform_occupation{"occupation": "radiologic_technologist"}'}]}),
        SlotSet("reply_kind", "clarify"),
        UserUttered('/inform_occupation{"occupation": "radiologic_technologist"}', metadata=METADATA),
        BotUttered("They earn $54,620 a year (US median, 2012).\n\nSource: BLS, figures for 2012."),
        SlotSet("reply_kind", "answered"),
        UserUttered("what is the job outlook", metadata=METADATA),
        BotUttered("My sources don't cover job outlook.\n\nSources checked: PSCO; careertrend.com."),
        SlotSet("reply_kind", "not_covered"),
        UserUttered("what does a radiologist earn", metadata=METADATA),
        BotUttered("Radiologists are doctors, outside this group.\n\nSources checked: PSCO."),
        SlotSet("reply_kind", "outside"),
        UserUttered("thanks", metadata=METADATA), BotUttered("You're welcome!"),
        UserUttered("/unknown_button", metadata=METADATA), BotUttered("Here you go."),
        SlotSet("reply_kind", "answered"),
    )


def test_the_questions_their_answers_and_sources_and_the_unanswered_apart() -> None:
    found = from_events(conversation())
    assert found is not None
    assert [t.question for t in found.answered] == [
        "what does a sonographer do", "how much would i earn – X-ray techs", A_BUTTON]
    first = found.answered[0]
    assert first.answer == ("Sonographers use sound waves to make images.",)
    assert first.sources == ("Source: Luanne Kelchner, careertrend.com, citing the US Bureau of Labor Statistics.",)
    assert [(t.question, t.kind) for t in found.unanswered] == [
        ("what is the job outlook", "not_covered"), ("what does a radiologist earn", "outside")]
    assert found.unanswered[0].sources == ("Sources checked: PSCO; careertrend.com.",)
    assert found.contact.name == "Ms Ada Park" and found.contact.school == "Hillside High School"
    assert found.contact.links == (Link("Open day", "https://lakeside.example/open?a=1&b=2"),)


def test_a_slot_of_an_earlier_turn_never_marks_a_later_one() -> None:
    found = from_events(events(UserUttered("what does a sonographer do"), BotUttered(SONO),
                               SlotSet("reply_kind", "not_covered"), UserUttered("hi"), BotUttered("Hello!")))
    assert found is not None and [t.question for t in found.unanswered] == ["what does a sonographer do"]
    assert found.answered == ()


def test_no_question_is_no_summary() -> None:
    assert from_events([]) is None
    assert from_events(events(ActionExecuted("action_session_start"), BotUttered("Hi!"))) is None


class Parsed(HTMLParser):
    """The tags and text of a page, to check that nothing from a conversation became markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: List[str] = []
        self.text: List[str] = []
        self.hrefs: List[str] = []

    def handle_starttag(self, tag: str, attrs: List[Any]) -> None:
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_page_escapes_everything_from_the_conversation() -> None:
    hostile = {**METADATA, "school": "Hillside"}
    found = from_events(events(
        UserUttered(HOSTILE + " salary?", metadata=hostile),
        BotUttered(f"You asked about “{HOSTILE}”.\n\nSource: <b>BLS</b>"), SlotSet("reply_kind", "answered"),
        UserUttered("</h3><script>alert(2)</script>", metadata=hostile),
        BotUttered("My sources don't cover that."), SlotSet("reply_kind", "not_covered")))
    assert found is not None
    page = render(found)
    parsed = Parsed()
    parsed.feed(page)
    assert "img" not in parsed.tags and "b" not in parsed.tags
    assert parsed.tags.count("script") == 1 and 'src="summary.js"' in page  # the page's own script only
    text = "".join(parsed.text)
    assert HOSTILE + " salary?" in text and "</h3><script>alert(2)</script>" in text and "<b>BLS</b>" in text
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;" in page


def test_the_page_has_its_sections_the_contact_and_the_next_steps() -> None:
    found = from_events(conversation())
    assert found is not None
    page = render(found)
    parsed = Parsed()
    parsed.feed(page)
    text = " ".join(parsed.text)
    for heading in ("Summary for my counsellor", "My questions and the answers",
                    "Questions the sources could not answer", "My counsellor", "Next steps from your counsellor"):
        assert heading in text
    assert re.search(r"careers assistant of Hillside High School on \d+ \w+ 2026", text)
    assert "mailto:ada.park@hillside.example" in parsed.hrefs and "tel:5550142" in parsed.hrefs
    assert "https://lakeside.example/open?a=1&b=2" in parsed.hrefs and "&amp;b=2" in page
    assert page.count('type="button"') == 2 and 'class="tools" hidden' in page  # shown by its script
    assert page.index("what is the job outlook") > page.index("Questions the sources could not answer")


def test_without_a_contact_the_page_says_where_to_ask() -> None:
    found = from_events(events(UserUttered("what does a sonographer do"), BotUttered(SONO),
                               SlotSet("reply_kind", "answered")))
    assert found is not None and found.contact == Contact()
    page = render(found)
    assert "Your careers counsellor" in page and "school office" in page and "Next steps" not in page
    assert "None: the sources covered every question." in page


def test_a_problem_page_has_no_script_and_escapes_its_text() -> None:
    page = problem("Nothing <here>", "a & b")
    assert "<script" not in page and "Nothing &lt;here&gt;" in page and "a &amp; b" in page


# --- In Spanish: the page's words in the chat's language, the conversation's as they were said ------

def test_both_languages_have_the_same_words() -> None:
    assert sorted(WORDS) == ["en", "es"] and sorted(WORDS["en"]) == sorted(WORDS["es"])
    for key, text in WORDS["en"].items():
        assert text != WORDS["es"][key], key
        assert re.findall(r"\{\w+\}", text) == re.findall(r"\{\w+\}", WORDS["es"][key]), key
    assert len(WORDS["es"]["months"].split()) == 12


@pytest.mark.parametrize("value, lang", [("es", "es"), ("es-MX", "es"), ("ES_419", "es"), ("en", "en"),
                                         ("en-GB", "en"), ("fr", "en"), ("", "en"), (None, "en"), ("espanol", "en")])
def test_the_language_of_a_link(value: Any, lang: str) -> None:
    assert language(value) == lang


def test_the_page_in_spanish() -> None:
    found = from_events(events(
        UserUttered("¿qué hace un ecografista?", metadata=METADATA, timestamp=1_780_000_000),
        BotUttered("Usa ondas de sonido para hacer imágenes.\n\nFuente: Luanne Kelchner, careertrend.com."),
        SlotSet("reply_kind", "answered"),
        UserUttered("/unknown_button", metadata=METADATA), BotUttered("Aquí está."), SlotSet("reply_kind", "answered"),
        UserUttered("¿cuántas horas trabajan?", metadata=METADATA),
        BotUttered("Mis fuentes no lo dicen.\n\nFuentes consultadas: PSCO; careertrend.com."),
        SlotSet("reply_kind", "not_covered")), "es")
    assert found is not None
    assert found.answered[0].sources == ("Fuente: Luanne Kelchner, careertrend.com.",)
    assert found.answered[0].answer == ("Usa ondas de sonido para hacer imágenes.",)
    assert found.answered[1].question == WORDS["es"]["button"]
    assert found.unanswered[0].sources == ("Fuentes consultadas: PSCO; careertrend.com.",)
    page = render(found, "es")
    assert page.startswith('<!doctype html><html lang="es">')
    parsed = Parsed()
    parsed.feed(page)
    text = " ".join(parsed.text)
    for key in ("title", "asked", "open", "open_lead", "counsellor", "next", "copy", "print"):
        assert WORDS["es"][key] in text, key
    assert re.search(r"asistente de orientación vocacional de Hillside High School el \d+ de \w+ de 2026", text)
    assert "Correo: " in text and "Teléfono: " in text
    assert not any(WORDS["en"][key] in text for key in ("title", "asked", "open", "counsellor", "copy"))
    assert render(found).startswith('<!doctype html><html lang="en">')  # English unless asked


def test_a_problem_page_in_spanish() -> None:
    assert problem("No hay nada", "Nada.", "es").startswith('<!doctype html><html lang="es">')
    assert f"<title>{WORDS['es']['title']}</title>" in problem("No hay nada", "Nada.", "es")
