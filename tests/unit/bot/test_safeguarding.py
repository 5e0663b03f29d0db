"""A student who may be in danger is pointed to people, whatever else the message says."""

from __future__ import annotations

import pytest

from bot import safeguarding


@pytest.mark.parametrize("text", [
    "i want to kill myself", "I Want To Kill Myself!!", "sometimes i think about suicide",
    "how do i stop self harming", "i just wanna die", "i dont want to live anymore",
    "my stepdad keeps hitting me", "im being bullied at school every day", "i want to end my life",
    "feeling suicidal lol", "i've been cutting myself",
])
def test_a_student_in_danger_is_recognised(text: str) -> None:
    assert safeguarding.concerning(text)


@pytest.mark.parametrize("text", [
    "what does a sonographer do", "is radiation going to kill me if i work in ct",
    "do radiation therapists treat people who might die of cancer", "how do they protect themselves",
    "what's the dose that kills cells in radiotherapy", "i'd die for a job like that", "", None, 42,
    "/ask_safety", "x" * 5000,
])
def test_career_questions_are_left_to_the_assistant(text: object) -> None:
    assert not safeguarding.concerning(text)


def test_the_reply_names_the_schools_counsellor_when_known() -> None:
    known = safeguarding.reply({"counsellor_name": "Ms Ada Park", "counsellor_email": "ada.park@hillside.example"})
    assert "Ms Ada Park (ada.park@hillside.example)" in known and "emergency" in known
    assert "your school counsellor" in safeguarding.reply({}) and "careers bot" in safeguarding.reply()
