"""The one name resolver (knowledge/names.py), on the real aliases."""

from __future__ import annotations

import pytest

from knowledge.build import load
from knowledge.names import Names, key
from knowledge.query import KnowledgeBase

RADIOGRAPHER = load().aliases["radiographer"]  # the job "radiograhper" misspells, from occupations.yml


@pytest.fixture()
def names(kb: KnowledgeBase) -> Names:
    return kb.names


@pytest.mark.parametrize("typed, expected", [
    ("Sonographers", ("occupation", "sonographer")),
    ("sonographer", ("occupation", "sonographer")),
    ("radiograhper", ("occupation", RADIOGRAPHER)),
    ("radiologist", ("other_job", "radiologist")),
    ("radiologest", ("other_job", "radiologist")),
    ("ct", ("occupation", "ct_technologist")),
    ("cts", None),  # short names are typed exactly or not at all
    ("cx", None),
    ("array", None),  # one letter from "xray", but another first letter
    ("", None),
])
def test_classify(names: Names, typed: str, expected: object) -> None:
    assert names.classify(typed) == expected


def test_resolve_gives_only_jobs_in_the_group(names: Names) -> None:
    assert names.resolve("mamographer") == "mammographer"
    assert names.resolve("radiologists") is None


def test_find_skips_taken_spans_and_edge_words(names: Names) -> None:
    text = "a sonografer or a radiograhper"
    found = names.find(text, [(2, 12)])
    assert [(f.text, f.id) for f in found] == [("radiograhper", RADIOGRAPHER)]


def test_find_survives_long_and_odd_input(names: Names) -> None:
    assert names.find("x" * 5000) == []
    assert names.find("\x00\u202e\ud7ff 🙂 " * 50) == []
    assert key("  X-Ray_Tech ") == "x-ray tech"
