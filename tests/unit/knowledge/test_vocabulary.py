"""The shared vocabulary agrees with the domain and the knowledge base it names."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.query import KnowledgeBase
from knowledge.vocabulary import COMPARE_WORDS, GAPS, TOPIC_BY_INTENT, TOPIC_LABELS

DOMAIN = Path(__file__).resolve().parents[3] / "domain.yml"


def test_every_question_intent_is_in_the_domain() -> None:
    intents = set(yaml.safe_load(DOMAIN.read_text())["intents"])
    assert set(TOPIC_BY_INTENT) <= intents


def test_every_topic_is_covered_by_facts_or_by_a_gap(kb: KnowledgeBase) -> None:
    fact_topics = {fact.topic for fact in kb.facts()}
    assert set(TOPIC_LABELS) <= fact_topics
    assert all(kb.gap(topic) is not None for topic in GAPS)
    assert set(TOPIC_BY_INTENT.values()) == set(TOPIC_LABELS) | set(GAPS)


def test_comparison_words_name_known_topics() -> None:
    """The comparison picks a topic by these words; a typo in a topic name would silently never match."""
    assert set(COMPARE_WORDS) <= set(TOPIC_LABELS)
    assert all(words for words in COMPARE_WORDS.values())


def test_the_reply_kind_slot_is_in_the_domain() -> None:
    """The actions set it and the evaluation reads it: a slot missing from the domain would be dropped."""
    from knowledge.vocabulary import REPLY_KIND_SLOT

    slot = yaml.safe_load(DOMAIN.read_text())["slots"][REPLY_KIND_SLOT]
    assert slot["influence_conversation"] is False
