"""End to end: `scripts/serve.sh` starts the real action server and Rasa server; we talk over REST."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from harness.assistant import Assistant

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"student-{uuid.uuid4().hex[:8]}"


OCCUPATIONS = {
    "radiologic_technologist": "x-ray tech",
    "sonographer": "sonographer",
    "nuclear_medicine_technologist": "nuclear medicine technologist",
}
QUESTIONS = {
    "duties": ("what does a {} do", {"radiologic_technologist": "position the patient", "sonographer": "gel",
                                     "nuclear_medicine_technologist": "radioactive drugs"}),
    "license": ("does a {} need a license", {"radiologic_technologist": "most states",
                                              "sonographer": "only a few states",
                                              "nuclear_medicine_technologist": "some states"}),
    "salary": ("how much does a {} earn", {"radiologic_technologist": "$54,620", "sonographer": "$65,860",
                                          "nuclear_medicine_technologist": "$70,180"}),
    "education": ("what education do i need to become a {}",
                  {"radiologic_technologist": "approved training program", "sonographer": "certification",
                   "nuclear_medicine_technologist": "associate degree"}),
}


@pytest.mark.parametrize("occupation_id", list(OCCUPATIONS))
@pytest.mark.parametrize("topic", list(QUESTIONS))
def test_occupation_by_topic(assistant: Assistant, occupation_id: str, topic: str) -> None:
    template, expected = QUESTIONS[topic]
    reply = assistant.text(sender(), template.format(OCCUPATIONS[occupation_id]))
    assert expected[occupation_id] in reply
    assert "\nSource: " in reply
    if topic == "salary":
        assert "2012" in reply and "median" in reply and "United States" in reply


def test_three_turn_context(assistant: Assistant) -> None:
    who = sender()
    assert "gel" in assistant.text(who, "what does a sonographer do")
    assert "only a few states" in assistant.text(who, "do they need a licence?")
    third = assistant.text(who, "what about nuclear medicine?")
    assert "some states" in third and "nuclear medicine" in third
    assert "Luanne Kelchner" in assistant.text(who, "where is that from?")


def test_clarifying_question_then_button(assistant: Assistant) -> None:
    who = sender()
    reply = assistant.say(who, "how much would i earn")
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert any("Which one do you mean?" in m.get("text", "") for m in reply)
    sono = next(b for b in buttons if "Sonographer" in b["title"])
    assert "$65,860" in assistant.text(who, sono["payload"])


def test_question_the_sources_do_not_cover(assistant: Assistant) -> None:
    reply = assistant.text(sender(), "what is the job outlook for sonographers")
    assert "don't say" in reply
    assert not any(ch.isdigit() for ch in reply.split("Sources checked")[0])


def test_out_of_scope(assistant: Assistant) -> None:
    reply = assistant.say(sender(), "what's the weather like tomorrow")
    assert "only help with careers in medical imaging" in reply[0]["text"]
    assert reply[0].get("buttons")


def test_counsellor_handoff_uses_the_configured_contact(assistant: Assistant) -> None:
    reply = assistant.text(sender(), "can i talk to my school counsellor")
    assert "ada.park@hillside.example" in reply and "Hillside High" in reply


def test_conversations_are_kept_in_the_sql_tracker_store(assistant: Assistant) -> None:
    who = sender()
    assistant.say(who, "hi")
    with sqlite3.connect(assistant.tracker_db) as db:
        rows = db.execute("select type_name from events where sender_id = ?", (who,)).fetchall()
    assert ("user",) in rows and ("bot",) in rows
