"""knowledge/discovery.py: what a message says a student likes or dislikes, and the file's checks."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from knowledge.build import KnowledgeError, load
from knowledge.discovery import DISCOVERY, DiscoveryError, check, declines, discovery, indifferent, read


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


@pytest.mark.parametrize("text, values", [
    # likes, with and without accents, with typos and Spanglish
    ("me encantan las máquinas", ["machines"]),
    ("me encantan las maquinas", ["machines"]),
    ("algo con la compu o las makinas", ["machines"]),
    ("las machines y el tech", ["machines"]),
    ("quiero ayudar a la gente", ["patients"]),
    ("me gusta atender pacientes", ["patients"]),
    ("una carrera cortita porfa", ["short_study"]),
    ("lo más rápido posible", ["short_study"]),
    ("me interesa el corazón y ganar buen dinero", ["heart", "pay"]),
    ("el cerebro me parece interesante", ["brain"]),
    ("algo con problemas para dormir", ["sleep"]),
    ("los oídos y la sordera", ["hearing"]),
    ("trabajar con embarasadas y bebés", ["babies"]),
    ("algo de oncología", ["cancer"]),
    # dislikes: before and after the word, lists, and the short training's opposite
    ("no me gustan los rallos x", ["not_radiation"]),
    ("prefiero no trabajar con la radiación", ["not_radiation"]),
    ("nada de radiacion porfa", ["not_radiation"]),
    ("lo que sea menos la radiación", ["not_radiation"]),
    ("la radiación me da miedo", ["not_radiation"]),
    ("los pacientes no son para mí", ["not_patients"]),
    ("las computadoras me aburren", ["not_machines"]),
    ("la radiactividad es muy peligrosa", ["not_radiation"]),
    ("radiación no, gracias", ["not_radiation"]),
    ("la radiación no la quiero", ["not_radiation"]),
    ("ni agujas ni radiación", ["not_radiation"]),  # "ni" negates each part
    ("no quiero ni las máquinas ni la gente", ["not_machines", "not_patients"]),
    ("odio las agujas y los rayos x", ["not_radiation"]),  # a list after a negation goes on negating
    ("sin radiación y con buen sueldo", ["not_radiation", "pay"]),  # not past a negated preference and "y"
    ("sin universidad", ["short_study"]),
    ("no quiero pasar 4 anos estudiando", ["short_study"]),
    # doesn't mind
    ("no me importa la radiación", ["any_radiation"]),
    ("me da igual la radiacion", ["any_radiation"]),
    ("los rayos x no me molestan", ["any_radiation"]),
    ("está bien la radiación", ["any_radiation"]),
    ("sin problema con la radiación", ["any_radiation"]),
    ("no le tengo miedo a la radiación", ["any_radiation"]),
    ("no me importan ni la radiación ni la gente", ["any_radiation", "any_patients"]),
    ("un título universitario está bien", ["any_short_study"]),
    # clauses: each keeps its own cue
    ("me gustan las máquinas pero no la radiación", ["machines", "not_radiation"]),
    ("me gustan las maquinas no la radiacion", ["machines", "not_radiation"]),  # no comma: the "no" is the next word's
    ("no me gustan los pacientes, prefiero las computadoras", ["not_patients", "machines"]),
    ("no quiero radiación, aunque me gusta el corazón", ["not_radiation", "heart"]),
    ("me da igual la radiación, sin embargo quiero algo corto", ["any_radiation", "short_study"]),
    # no preference: an age ("once" is eleven), a dream, teamwork, "no sé", "más o menos"
    ("tengo once años", []),
    ("tengo 15 años y estoy en la escuela secundaria", []),
    ("mi sueño es ayudar a la gente", ["patients"]),
    ("me gusta el trabajo en equipo", []),
    ("no sé si me gustan las máquinas", ["machines"]),
    ("más o menos me gustan las máquinas", ["machines"]),
    ("más que nada las computadoras", ["machines"]),  # "mostly"
    ("prefiero no trabajar con agujas", []),  # needles are no preference in either language
])
def test_what_a_spanish_message_states(text: str, values: List[str]) -> None:
    """Spanish words and cues are read in every conversation, whatever its language."""
    assert said(text) == values


def test_spanish_words_are_folded_once_in_code() -> None:
    """discovery.yml writes a Spanish word once, with its accents; the matcher reads it without them."""
    found = discovery()
    words = {w for w, _, _ in found.words}
    assert "maquinas" in words and "máquinas" not in words and "años de universidad" in words
    assert "once" not in words  # "once" is eleven in Spanish
    assert found.words == discovery("es").words


@pytest.mark.parametrize("text, either, says_no", [
    ("no sé", True, False), ("no se la verdad", True, False), ("ni idea", True, False), ("idk", True, False),
    ("sí, no hay problema", True, False), ("no me importa", True, False), ("no preference", True, False),
    ("prefiero que no", False, True), ("mejor no, gracias", False, True), ("i'd rather not", False, True),
    ("no", False, True), ("no quiero radiación", False, False),
])
def test_a_short_answer_that_says_no_or_either(text: str, either: bool, says_no: bool) -> None:
    """What a typed answer to a guided question means when it names no preference."""
    assert (indifferent(text), declines(text)) == (either, says_no)


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
