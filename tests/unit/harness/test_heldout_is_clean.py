"""The held-out data stays held out: no held-out text copies a training text.

The rules (harness/heldout.py): the same text after normalising, 0.85 alike, or the same
sentence with another job name. When this fails, write a genuinely different held-out text;
never move a held-out text into the training data.
"""

from __future__ import annotations

import pytest

from harness.heldout import (
    HELD_OUT_CONVERSATIONS,
    HELD_OUT_NLU,
    JOB,
    SEALED,
    conversation_texts,
    copies,
    copy_of,
    development_texts,
    discovery_texts,
    make_text,
    names_texts,
    nlu_texts,
    sealed_discovery_texts,
    sealed_texts,
    spanish_development_2_texts,
    spanish_texts,
    students_texts,
    training_texts,
)

# Sealed texts that coincide with training texts by the rules, though written blind (most are common short
# questions). A rewrite, blind too, brings this down; it may never go up. Their places only are printed.
SEALED_COINCIDING_AT_MOST = 367
# The second development set (tests/development/), written blind in the sealed set's format, the same way: its
# texts that coincide by the rules are scored apart (`clean`), and their number may never go up.
DEVELOPMENT_COINCIDING_AT_MOST = 195


def test_the_second_development_set_coincides_with_training_no_more_than_recorded() -> None:
    found = copies(development_texts(), training_texts())
    assert len(found) <= DEVELOPMENT_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in found)


# The third development set (tests/development_names/), written blind the same way to measure how messages
# name the group and its jobs: "the same sentence with another job name" is most of its coincidences.
NAMES_COINCIDING_AT_MOST = 99


def test_the_third_development_set_coincides_with_training_no_more_than_recorded() -> None:
    found = copies(names_texts(), training_texts())
    assert len(found) <= NAMES_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in found)


# The fourth development set (tests/development_students/), written blind the same way: everyday questions, many
# of them the common ones that the training data already asks in the same words (233 of its 508 texts when it
# came). Three more since its errors were read: the names it used that became aliases ("sleep study tech",
# "medical scanning tech", "mammograms") make three of its questions the same sentence as training examples
# written before it, asked of another job.
STUDENTS_COINCIDING_AT_MOST = 236


def test_the_fourth_development_set_coincides_with_training_no_more_than_recorded() -> None:
    found = copies(students_texts(), training_texts())
    assert len(found) <= STUDENTS_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in found)


# The second Spanish development set (tests/spanish/development_2/): greetings, "sí", "no" and "¿qué es un X?"
# coincide with training texts written before it (44 of its 414 texts when it came). One more since its errors
# were read: "técnicos de imagen" became a name, so a question with it is the same sentence as a training example
# written before it, asked of another job.
SPANISH_DEVELOPMENT_2_COINCIDING_AT_MOST = 45


def test_the_second_spanish_development_set_coincides_with_training_no_more_than_recorded() -> None:
    found = copies(spanish_development_2_texts(), training_texts())
    assert len(found) <= SPANISH_DEVELOPMENT_2_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in found)


# The discovery sets (tests/discovery/, tests/discovery_sealed/), written blind the same way: short answers
# ("yes", "thanks") and guided-path replies coincide with training texts written before the sets existed.
DISCOVERY_COINCIDING_AT_MOST = 55
SEALED_DISCOVERY_COINCIDING_AT_MOST = 57


def test_the_discovery_sets_coincide_with_training_no_more_than_recorded() -> None:
    found = copies(discovery_texts(), training_texts())
    assert len(found) <= DISCOVERY_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in found)
    sealed = copies(sealed_discovery_texts(), training_texts())
    assert len(sealed) <= SEALED_DISCOVERY_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where} ({c.rule})" for c in sealed)


# The Spanish sets (tests/spanish/), written blind before any Spanish training data: "hola", "gracias", "no"
# and bare job names coincide with training texts that were there already. Spanish training data must not
# raise these counts. The Spanish aliases (knowledge/occupations.yml) raised them from 9 and 19: a message that
# is only a Spanish job name is now a job name, so it is the same "sentence" as the English bare names of
# data/nlu/16_inform_occupation.yml ("[mri tech](occupation)"); the Spanish training data (data/nlu/es/) adds
# none of its own, and none of it was written alike to a held-out text. One more (11 -> 12) since "técnicos
# de imágenes" is a name (the short form, like "imaging technicians"): a development question with it is now the
# same sentence as a training example that asks it of another job, written before it.
SPANISH_DEVELOPMENT_COINCIDING_AT_MOST = 12
SPANISH_SEALED_COINCIDING_AT_MOST = 23


def test_the_spanish_sets_coincide_with_training_no_more_than_recorded() -> None:
    found = copies(spanish_texts(), training_texts())
    development = [c for c in found if c.held_out.where.startswith("spanish development ")
                   and not c.held_out.where.startswith("spanish development 2 ")]
    sealed = [c for c in found if c.held_out.where.startswith(SEALED)]
    assert len(development) <= SPANISH_DEVELOPMENT_COINCIDING_AT_MOST, "\n".join(
        f"{c.held_out.where}: {c.held_out.raw!r} ({c.rule})" for c in development)
    assert len(sealed) <= SPANISH_SEALED_COINCIDING_AT_MOST, "\n".join(f"{c.held_out.where} ({c.rule})" for c in sealed)


def test_the_sealed_set_coincides_with_training_no_more_than_recorded() -> None:
    found = [c for c in copies(sealed_texts(), training_texts())]
    assert len(found) <= SEALED_COINCIDING_AT_MOST, "\n".join(f"{c.held_out.where} ({c.rule})" for c in found)


def test_no_held_out_text_copies_a_training_text() -> None:
    """The first development set: no copy at all."""
    found = copies(nlu_texts(HELD_OUT_NLU) + conversation_texts(HELD_OUT_CONVERSATIONS), training_texts())
    assert not found, f"{len(found)} held-out text(s) copy training data (python -m harness.heldout):\n" + "\n".join(
        f"{c.held_out.where}: {'' if c.held_out.where.startswith(SEALED) else repr(c.held_out.raw)} ({c.rule})"
        for c in found[:20])


def test_the_held_out_sets_are_big_enough() -> None:
    nlu = nlu_texts(HELD_OUT_NLU)
    per_intent: dict = {}
    for text in nlu:
        per_intent[text.where] = per_intent.get(text.where, 0) + 1
    assert min(per_intent.values()) >= 25, per_intent
    assert any("(other_job)" in t.raw for t in nlu), "held-out NLU needs jobs outside the group"
    assert len(conversation_texts(HELD_OUT_CONVERSATIONS)) >= 60


@pytest.mark.parametrize("held_out, training, rule", [
    ("What's a [sonographer](occupation)?", "whats a [sonographer](occupation)", "same text"),
    ("how much do they earn a year", "how much do they earn in a year", "0.85 alike"),
    ("what does a [sonographer](occupation) do", "what does an [x-ray tech](occupation) do",
     "same sentence with another job name"),
    ("what does a sonographer do all day", "what does a [rad tech](occupation) do all day",
     "same sentence with another job name"),
    ("how much do [radiologists](other_job) earn", "how much do [mammographers](occupation) earn",
     "same sentence with another job name"),
])
def test_each_rule_catches_its_kind_of_copy(held_out: str, training: str, rule: str) -> None:
    found = copy_of(make_text(held_out, "held out"), [make_text(training, "training")])
    assert found is not None and found.rule.startswith(rule.split()[0]), found


@pytest.mark.parametrize("held_out, training", [
    ("is there a lot of maths in the course", "how much do they earn"),
    ("which job pays the most out of all of them", "what does a [sonographer](occupation) do"),
])
def test_different_sentences_are_not_copies(held_out: str, training: str) -> None:
    assert copy_of(make_text(held_out, "held out"), [make_text(training, "training")]) is None


def test_job_names_become_one_placeholder() -> None:
    text = make_text("do [mri techs](occupation) or xray techs earn more", "x")
    assert text.template == f"do {JOB} or {JOB} earn more"


def test_the_index_finds_what_a_full_scan_finds() -> None:
    """The character-count bound only skips pairs that cannot be alike: the same copies, the same first match."""
    import difflib

    from harness.heldout import JOB, SIMILARITY

    def full_scan(text, training):  # the rules, pair by pair, in training order
        for other in training:
            if text.plain == other.plain:
                return other.where, "same text"
        for other in training:
            if difflib.SequenceMatcher(None, text.plain, other.plain, autojunk=False).ratio() >= SIMILARITY:
                return other.where, f"{SIMILARITY} alike"
        for other in training:
            if JOB in text.template and JOB in other.template and difflib.SequenceMatcher(
                    None, text.template, other.template, autojunk=False).ratio() >= SIMILARITY:
                return other.where, "same sentence with another job name"
        return None

    training = training_texts()[::8]
    held_out = development_texts()[::8]
    indexed = {c.held_out.where: (c.training.where, c.rule) for c in copies(held_out, training)}
    scanned = {t.where: found for t in held_out if (found := full_scan(t, training)) is not None}
    assert indexed == scanned and len(scanned) > 5
