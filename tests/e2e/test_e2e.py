"""End to end: `scripts/serve.sh` starts the real action server and Rasa server; we talk over REST."""

from __future__ import annotations

import uuid

import pytest
import requests

from harness.assistant import Assistant
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import CAREER_ARTICLE
from store.events import count_events, types_of

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"student-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The knowledge base the servers answer from: every expectation below is read from it."""
    return KnowledgeBase()


TYPED = ["x-ray tech", "sonographer", "nuclear medicine technologist"]  # names as students type them
QUESTIONS = {
    "duties": "what does a {} do",
    "license": "does a {} need a license",
    "salary": "how much does a {} earn",
    "education": "what education do i need to become a {}",
}


def fact_text(kb: KnowledgeBase, typed: str, topic: str) -> str:
    occupation_id = kb.resolve(typed)
    fact = kb.fact(occupation_id, topic) if occupation_id else None
    assert fact is not None, f"the knowledge base has no {topic} fact for {typed!r}"
    return fact.text


@pytest.mark.parametrize("typed", TYPED)
@pytest.mark.parametrize("topic", list(QUESTIONS))
def test_occupation_by_topic(assistant: Assistant, kb: KnowledgeBase, typed: str, topic: str) -> None:
    reply = assistant.text(sender(), QUESTIONS[topic].format(typed))
    assert fact_text(kb, typed, topic) in reply
    assert "\nSource: " in reply
    if topic == "salary":
        figure = kb.figure(kb.resolve(typed) or "")
        assert figure is not None
        assert str(figure.year) in reply and figure.statistic in reply and figure.scope in reply


def test_three_turn_context(assistant: Assistant, kb: KnowledgeBase) -> None:
    who = sender()
    assert fact_text(kb, "sonographer", "duties") in assistant.text(who, "what does a sonographer do")
    assert fact_text(kb, "sonographer", "license") in assistant.text(who, "do they need a licence?")
    third = assistant.text(who, "what about nuclear medicine?")
    assert fact_text(kb, "nuclear medicine", "license") in third
    author = kb.source_for_role(CAREER_ARTICLE).author
    assert author and author in assistant.text(who, "where is that from?")


def test_clarifying_question_then_button(assistant: Assistant, kb: KnowledgeBase) -> None:
    who = sender()
    reply = assistant.say(who, "how much would i earn")
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert any("Which one do you mean?" in m.get("text", "") for m in reply)
    job = next(o for o in kb.featured() if kb.figure(o.id) is not None)
    figure = kb.figure(job.id)
    button = next(b for b in buttons if f'"{job.id}"' in b["payload"])
    assert figure is not None and f"${figure.value:,}" in assistant.text(who, button["payload"])


def test_question_the_sources_do_not_cover(assistant: Assistant) -> None:
    reply = assistant.text(sender(), "what is the job outlook for sonographers")
    assert "don't say" in reply
    assert not any(ch.isdigit() for ch in reply.split("Sources checked")[0])


def test_out_of_scope(assistant: Assistant) -> None:
    reply = assistant.say(sender(), "what's the weather like tomorrow")
    assert "My sources only cover careers in medical imaging" in reply[0]["text"]
    assert reply[0].get("buttons")


def test_counsellor_handoff_uses_the_configured_contact(assistant: Assistant) -> None:
    reply = assistant.text(sender(), "can i talk to my school counsellor")
    assert "ada.park@hillside.example" in reply and "Hillside High" in reply


def test_conversations_are_kept_in_the_sql_tracker_store(assistant: Assistant) -> None:
    who = sender()
    assistant.say(who, "hi")
    types = types_of(assistant.tracker_url, who)
    assert "user" in types and "bot" in types


def post(assistant: Assistant, body: dict) -> requests.Response:
    return requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, timeout=30)


def test_a_retry_of_a_stored_turn_gets_its_answer_again_and_is_not_stored_twice(assistant: Assistant) -> None:
    """A proxy's "try again" after the turn was saved (a replica lost mid-answer): the client sends the same
    message_id with retry; the stored answer comes back and the turn is stored once."""
    who = sender()
    first = post(assistant, {"sender": who, "message": "how much do sonographers earn", "message_id": "m1"}).json()
    again = post(assistant, {"sender": who, "message": "how much do sonographers earn", "message_id": "m1",
                             "retry": True}).json()
    assert "$65,860" in first[0]["text"] and again == first
    never_stored = post(assistant, {"sender": who, "message": "what about nuclear medicine?", "message_id": "m2",
                                    "retry": True}).json()
    assert "$70,180" in " ".join(m.get("text", "") for m in never_stored)  # a retry of a lost first try: answered
    assert count_events(assistant.tracker_url, who, "user") == 2
    assert post(assistant, {"sender": who, "message": "hi", "message_id": "<b>"}).status_code == 400
