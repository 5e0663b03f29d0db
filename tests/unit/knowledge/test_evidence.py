"""Every fact's evidence is quoted word for word from a source it cites (../shared/sources/)."""

from __future__ import annotations

import copy
import re
from typing import Dict, List

import pytest

from knowledge.build import PROJECT_DIR, Knowledge, attributions, load
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


# Quotes that only date a figure ("... in 2012"): a fact may take its year from a sentence that credits the
# BLS without claiming what the sentence credits (the best-paying industry is not the BLS's, per the article).
YEAR_ONLY = {"The median annual salaries for medical imaging techs in 2012"}


def _sentences(text: str) -> List[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def attribution_problems(knowledge: Knowledge, source_texts: Dict[str, str]) -> List[str]:
    """Facts whose `attribution` the source's wording does not bear out, either way.

    A fact credited to a body (a source's `credits`, e.g. the BLS) quotes at least one sentence of that
    source which names the body; a fact that quotes such a sentence for more than a year carries the credit.
    """
    problems = []
    for source in knowledge.sources:
        sentences = _sentences(source_texts[source["id"]])
        for credit in source.get("credits") or []:
            names = [re.compile(rf"\b{re.escape(n)}\b") for n in credit["named_in_text"]]
            naming = [s for s in sentences if any(n.search(s) for n in names)]
            assert naming, f"{source['id']} never names {credit['id']}: named_in_text is wrong"
            for fact in knowledge.facts:
                if source["id"] not in fact["sources"]:
                    continue
                quotes = [" ".join(q.split()) for q in fact["evidence"]]
                credited = [q for q in quotes if any(q in s for s in naming)]
                carries = credit["id"] in attributions(fact)
                where = f"{fact['occupation']}/{fact['topic']}"
                if carries and not credited:
                    problems.append(f"{where}: credited to {credit['id']}, but no quote is in a sentence naming it")
                if not carries and [q for q in credited if q not in YEAR_ONLY]:
                    problems.append(f"{where}: quotes a sentence crediting {credit['id']} without `attribution`")
    return problems


def test_every_attribution_is_the_source_texts_own(source_texts: Dict[str, str]) -> None:
    knowledge = load()
    assert any(attributions(f) for f in knowledge.facts), "no fact is attributed: the test would check nothing"
    assert attribution_problems(knowledge, source_texts) == []


def test_a_wrong_or_missing_attribution_is_caught(source_texts: Dict[str, str]) -> None:
    """Crediting the BLS with the sonographers' duties fails; so does dropping it from their pay."""
    knowledge = load()
    credit = next(c["id"] for s in knowledge.sources for c in s.get("credits") or [])
    duties = next(f for f in knowledge.facts if f["topic"] == "duties" and not attributions(f)
                  and any(credit in [c["id"] for c in s.get("credits") or []] and s["id"] in f["sources"]
                          for s in knowledge.sources))
    salary = next(f for f in knowledge.facts if credit in attributions(f) and f["topic"] == "salary")
    wrong = copy.deepcopy(knowledge)
    def fact_of(occupation: str, topic: str) -> dict:
        return next(f for f in wrong.facts if f["occupation"] == occupation and f["topic"] == topic)

    fact_of(duties["occupation"], "duties")["attribution"] = credit
    fact_of(salary["occupation"], "salary").pop("attribution")
    problems = attribution_problems(wrong, source_texts)
    assert any(p.startswith(f"{duties['occupation']}/duties: credited") for p in problems), problems
    assert any(p.startswith(f"{salary['occupation']}/salary: quotes a sentence") for p in problems), problems


def test_the_best_paying_industry_is_not_credited_to_the_bls(source_texts: Dict[str, str]) -> None:
    """The article names the BLS for its salaries and two licence statements, not for the industry."""
    assert all(not attributions(f) for f in load().facts if f["topic"] in ("best_paying", "duties", "overview"))
