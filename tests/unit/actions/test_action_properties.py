"""Property tests: whatever slot or entity values arrive, every action replies and sets only known ids."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.answers import ActionAnswer
from actions.compare import ActionCompare
from actions.sources import ActionSources
from actions.support import ActionCounsellor, ActionFallback
from actions.titles import ActionTitles
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import TOPIC_BY_INTENT
from tests.unit.trackers import make_tracker, run_action

ANY_VALUE = st.one_of(st.none(), st.text(max_size=300), st.integers(), st.floats(allow_nan=True),
                      st.lists(st.text(max_size=20), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                                  st.text(max_size=5), max_size=2))
ENTITY = st.fixed_dictionaries({"entity": st.sampled_from(["occupation", "other"]), "value": ANY_VALUE,
                                "text": ANY_VALUE})
ACTIONS = [ActionAnswer(), ActionCompare(), ActionTitles(), ActionSources(), ActionCounsellor(), ActionFallback()]
INTENTS = [*TOPIC_BY_INTENT, "inform_occupation", "compare_occupations", "ask_titles", "ask_source", "nlu_fallback"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(ACTIONS), intent=st.sampled_from(INTENTS), entities=st.lists(ENTITY, max_size=3),
       occupation=ANY_VALUE, topic=ANY_VALUE, shown=ANY_VALUE, metadata=ANY_VALUE)
def test_any_values_give_a_reply_and_only_known_ids(kb: KnowledgeBase, action: Any, intent: str, entities: list,
                                                    occupation: Any, topic: Any, shown: Any, metadata: Any) -> None:
    tracker = make_tracker(intent, entities, slots={"occupation": occupation, "topic": topic, "sources_shown": shown},
                           metadata=metadata if isinstance(metadata, dict) else None)
    messages, slots = asyncio.run(run_action(action, tracker))
    assert messages and all(isinstance(m.get("text"), str) and m["text"] for m in messages)
    if "occupation" in slots:
        assert slots["occupation"] is None or kb.occupation(slots["occupation"]) is not None
    if "sources_shown" in slots:  # source ids, and the ids of the credits its facts carry ("bls")
        assert all(kb.sources([s]) or kb.credits([s]) for s in slots["sources_shown"])
