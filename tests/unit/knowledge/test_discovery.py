"""knowledge/discovery.py: what a message says a student likes or dislikes, and the file's checks."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from knowledge.build import KnowledgeError, load
from knowledge.discovery import DISCOVERY, DiscoveryError, check, discovery, read


def said(text: str) -> List[str]:
    return [s.value for s in discovery().stated(text)]


@pytest.mark.parametrize("text, values", [
    ("i like machines and helping people but not radiation", ["machines", "patients", "not_radiation"]),
    ("no radiation pls", ["not_radiation"]),
    ("anything without radiation or blood", ["not_radiation"]),
    ("i hate needles and radiation", ["not_radiation"]),  # a list after a negation goes on negating
    ("no radiation and a short training", ["not_radiation", "short_study"]),  # not past a negated preference
    ("radiation is fine", ["any_radiation"]),
    ("i dont mind x-rays", ["any_radiation"]),
    ("not scared of radiation", ["any_radiation"]),
    ("i'm fascinated by radioactivity", ["radiation"]),
    ("not years of university", ["short_study"]),  # the opposite, negated
    ("i dont want to spend years at uni", ["short_study"]),  # the clause's first word on it says how
    ("a degree is fine", ["any_short_study"]),
    ("i want to work with the heart, and good money", ["heart", "pay"]),
    ("something with babies", ["babies"]),
    ("no x-rays, but i like the heart", ["not_radiation", "heart"]),
    ("what does a sonographer do", []),
    ("", []),
    ('/explore_jobs{"preference": ["radiation"]}', []),  # a button's payload is read from its entities
])
def test_what_a_message_states(text: str, values: List[str]) -> None:
    assert said(text) == values


def test_a_later_clause_changes_the_mind() -> None:
    assert said("no radiation. actually radiation is fine") == ["any_radiation"]


def test_huge_and_odd_input_is_read_in_part_without_error() -> None:
    assert said("machines " * 10_000)[:1] == ["machines"]
    assert said(None) == [] and said(12) == []  # type: ignore[arg-type]


def test_values_parse_back() -> None:
    found = discovery()
    for value in ("radiation", "not_radiation", "any_short_study"):
        stated = found.parse(value)
        assert stated is not None and stated.value == value
    assert found.parse("not_a_thing") is None and found.parse(None) is None


def test_the_shipped_file_fits_the_knowledge() -> None:
    load()  # the build checks discovery.yml against the occupations and facts


def _checked(tmp_path: Path, change) -> None:
    data = yaml.safe_load(DISCOVERY.read_text())
    change(data)
    path = tmp_path / "discovery.yml"
    path.write_text(yaml.safe_dump(data))
    knowledge = load()
    facts = {(f["occupation"], f["topic"]) for f in knowledge.facts}
    check(read(path), {o["id"]: o for o in knowledge.occupations}, facts, ["salary", "overview"])


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["preferences"][0]["jobs"].append({"occupation": "dentist", "fact": "duties", "text": "x"}),
     "unknown occupation"),
    (lambda d: d["preferences"][0]["jobs"].append({"occupation": "ecg_technician", "fact": "salary", "text": "x"}),
     "no `salary` fact of its own"),
    (lambda d: d["preferences"][0]["jobs"].append({"occupation": "ecg_technician"}), "needs a `fact`"),
    (lambda d: d["preferences"][0]["jobs"][0].update(text="they earn $54,620"), "a number in a reason"),
    (lambda d: d["preferences"][1]["words"].append("patients"), "also one of"),
    (lambda d: d["steps"][0]["buttons"][0].update(preference=["not_a_thing"]), "unknown value"),
])
def test_the_checks_name_the_problem(tmp_path: Path, change, problem: str) -> None:
    with pytest.raises(DiscoveryError, match=problem):
        _checked(tmp_path, change)


def test_a_broken_file_stops_the_build(tmp_path: Path) -> None:
    import shutil

    from knowledge.build import KNOWLEDGE_DIR

    for name in KNOWLEDGE_DIR.glob("*.yml"):
        shutil.copy(name, tmp_path / name.name)
    data = yaml.safe_load((tmp_path / "discovery.yml").read_text())
    data["preferences"][0]["jobs"][0]["fact"] = "hours"
    (tmp_path / "discovery.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError, match="discovery.yml"):
        load(tmp_path)
