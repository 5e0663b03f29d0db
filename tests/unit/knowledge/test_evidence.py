"""Every fact's evidence is quoted word for word from a source it cites (../shared/sources/)."""

from __future__ import annotations

from typing import Dict

import pytest

from knowledge.build import PROJECT_DIR, load
from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION

SOURCES_DIR = PROJECT_DIR.parent / "shared" / "sources"


def _normalised(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def source_texts() -> Dict[str, str]:
    knowledge = load()
    texts = {}
    for source in knowledge.sources:
        path = SOURCES_DIR / source["file"]
        assert path.is_file(), f"source text {path} is missing: the knowledge base cites it"
        texts[source["id"]] = _normalised(path.read_text(encoding="utf-8"))
    return texts


def test_every_quote_is_verbatim_in_a_cited_source(source_texts: Dict[str, str]) -> None:
    unfound = [(f"{fact['occupation']}/{fact['topic']}", quote)
               for fact in load().facts for quote in fact["evidence"]
               if not any(_normalised(quote) in source_texts[s] for s in fact["sources"])]
    assert not unfound, unfound


def test_a_quote_from_another_source_is_not_evidence(source_texts: Dict[str, str]) -> None:
    """The check looks in the fact's own sources only: the article's words are not the classification's."""
    roles = {s["role"]: s["id"] for s in load().sources}
    quote = "only a few states require a license"
    assert quote in source_texts[roles[CAREER_ARTICLE]] and quote not in source_texts[roles[CLASSIFICATION]]


def test_the_source_files_are_where_sources_yml_says() -> None:
    assert all((SOURCES_DIR / s["file"]).is_file() for s in load().sources)


def test_every_grouping_quote_is_verbatim_in_a_source(source_texts: Dict[str, str]) -> None:
    """A job filed under a parent other than the group has a quote saying so, or the answers call it a reading."""
    knowledge = load()
    quoted = [o for o in knowledge.occupations if o.get("parent_evidence")]
    assert quoted, "no grouping is quoted: the test would check nothing"
    unfound = [(o["id"], o["parent_evidence"]) for o in quoted
               if not any(_normalised(o["parent_evidence"]) in text for text in source_texts.values())]
    assert not unfound, unfound
