"""bot/input.py's pieces, without a server: the domain's names, the retry's replay."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.input import _domain_names, replay


def test_typed_payloads_may_name_every_entity_of_the_real_domain() -> None:
    """domain.yml lists entities as names or as {name: settings}; both must be allowed."""
    intents, entities = _domain_names()
    assert entities == {"occupation", "other_job"}
    assert {"ask_salary", "out_of_scope", "inform_occupation"} <= intents


def test_a_retry_replays_the_stored_answer_of_its_message_only() -> None:
    events = [UserUttered("how much", message_id="m1"), ActionExecuted("action_answer"),
              BotUttered("It's $65,860.", {"buttons": [{"title": "More", "payload": "/more"}]}),
              BotUttered("Source: BLS"), UserUttered("thanks", message_id="m2"), BotUttered("You're welcome")]
    assert [e.text for e in replay(events, "m1")] == ["It's $65,860.", "Source: BLS"]
    assert replay(events, "m1")[0].data["buttons"] == [{"title": "More", "payload": "/more"}]
    assert [e.text for e in replay(events, "m2")] == ["You're welcome"]
    assert replay(events, "m3") is None
