"""The occupation-entity merger, on the real generated ruler patterns."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.occupation_entities import OccupationEntities
from knowledge.build import load
from knowledge.spacy_pipeline import build_pipeline

REAL = load()
NAMES = {**REAL.aliases, **REAL.generated}  # what people type exactly -> occupation id, from occupations.yml


@pytest.fixture(scope="module")
def merger(tmp_path_factory: pytest.TempPathFactory) -> OccupationEntities:
    path = tmp_path_factory.mktemp("spacy") / "pipeline"
    build_pipeline().to_disk(path)
    return OccupationEntities({**OccupationEntities.get_default_config(), "pipeline_path": str(path)})


def entity(text: str, start: int, value: str, extractor: str) -> Dict[str, Any]:
    return {"entity": "occupation", "start": start, "end": start + len(text), "value": value, "text": text,
            "extractor": extractor}


def run(merger: OccupationEntities, text: str, entities: List[Dict[str, Any]],
        intent: str = "ask_salary") -> Message:
    message = Message(data={"text": text, "entities": entities, "intent": {"name": intent, "confidence": 0.5},
                            "intent_ranking": [{"name": intent, "confidence": 0.5}]})
    merger.process([message])
    return message


def test_one_entity_per_span_and_the_ruler_wins(merger: OccupationEntities) -> None:
    text = "how much do sonographers earn"
    message = run(merger, text, [entity("sonographers", 12, "sonographer", "DIETClassifier"),
                                 entity("sonographers", 12, "sonographer", "SpacyEntityExtractor")])
    assert [(e["value"], e["found_by"]) for e in message.get("entities")] == [("sonographer", "SpacyEntityExtractor")]
    assert message.get("entities")[0]["extractor"] == "OccupationEntities"
    assert message.get("intent")["name"] == "ask_salary"


def test_misspellings_from_diet_map_to_ids_and_noise_is_dropped(merger: OccupationEntities) -> None:
    text = "do radiation therapists get radiation and what do sonografers earn"
    message = run(merger, text, [
        entity("radiation therapists", 3, "radiation_therapist", "SpacyEntityExtractor"),
        entity("radiation", 28, "radiation", "DIETClassifier"),
        entity("sonografers", 51, "sonografers", "DIETClassifier"),
    ])
    assert [e["value"] for e in message.get("entities")] == ["radiation_therapist", "sonographer"]


@pytest.mark.parametrize("text, span", [("ultrasound", "ultrasound"), ("what about MRI techs?", "MRI techs"),
                                        ("and for x-ray", "x-ray")])
def test_a_bare_job_name_is_inform_occupation(merger: OccupationEntities, text: str, span: str) -> None:
    start = text.index(span)
    message = run(merger, text, [entity(span, start, span, "SpacyEntityExtractor")], intent="nlu_fallback")
    assert message.get("intent") == {"name": "inform_occupation", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform_occupation"


def test_a_question_with_a_job_keeps_its_intent(merger: OccupationEntities) -> None:
    text = "is ultrasound safe"
    message = run(merger, text, [entity("ultrasound", 3, "sonographer", "SpacyEntityExtractor")], intent="ask_safety")
    assert message.get("intent")["name"] == "ask_safety"


def test_a_job_outside_the_group_is_never_read_as_the_nearest_title(merger: OccupationEntities) -> None:
    """"radiologist" is 0.8 alike to "radiology" (an alias of radiologic technologists)."""
    text = "whats the difference between a radiographer and a radiologist"
    message = run(merger, text, [
        entity("radiographer", 32, "radiographer", "SpacyEntityExtractor"),
        {**entity("radiologist", 51, "radiologist", "SpacyEntityExtractor"), "entity": "other_job"},
        entity("radiologist", 51, "radiologist", "DIETClassifier"),
    ], intent="compare_occupations")
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("occupation", NAMES["radiographer"]), ("other_job", "radiologist")]
    assert merger.resolve("radiologist") is None and merger.resolve("radiologest") is None
    assert merger.classify("radiologest") == ("other_job", "radiologist")
    assert merger.resolve("radiology") == NAMES["radiology"]


def test_the_ruler_tags_other_jobs_from_the_knowledge_base(tmp_path) -> None:
    nlp = build_pipeline()
    doc = nlp("how much do radiologists earn compared to a radiology doctor or an x-ray tech")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("radiologists", "other_job", "radiologist"), ("radiology doctor", "other_job", "radiologist"),
        ("x-ray tech", "occupation", NAMES["x-ray tech"])]


@pytest.mark.parametrize("text, expected", [
    # each misspelling resolves to the job of the spelling it misspells
    ("wht do nucular medcine techs do", [("nucular medcine techs", NAMES["nuclear medicine techs"])]),
    ("how much does a radiograhper make", [("radiograhper", NAMES["radiographer"])]),
    ("is being a polysomnografer hard", [("polysomnografer", NAMES["polysomnographer"])]),
    ("mri technlogist salary", [("mri technlogist", NAMES["mri technologist"])]),
])
def test_misspelt_names_are_found_without_any_extractor(merger: OccupationEntities, text: str,
                                                        expected: List[Any]) -> None:
    message = run(merger, text, [])
    assert [(e["text"], e["value"]) for e in message.get("entities")] == expected
    assert all(e["entity"] == "occupation" and e["found_by"] == "misspelling" for e in message.get("entities"))


@pytest.mark.parametrize("text", ["what does an array do", "radiation safety is important", "techniques and technology",
                                  "how long is the course", "/ask_duties{\"occupation\": \"sonografer\"}"])
def test_ordinary_words_are_no_job(merger: OccupationEntities, text: str) -> None:
    assert run(merger, text, []).get("entities") == []


def test_a_misspelt_outside_job_stays_outside(merger: OccupationEntities) -> None:
    message = run(merger, "do radiologests earn more", [])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("other_job", "radiologist")]


def reference(text: str, phrase: str) -> Dict[str, Any]:
    """What the ruler gives for a reference phrase: the text as its value, with the `reference` label."""
    start = text.index(phrase)
    return {"entity": "reference", "start": start, "end": start + len(phrase), "value": phrase, "text": phrase,
            "extractor": "SpacyEntityExtractor"}


def test_the_ruler_tags_references_to_the_group() -> None:
    doc = build_pipeline()("what jobs are in this group")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [("this group", "reference", "imaging_technician")]


def test_a_reference_names_the_group_only_when_no_job_is_named(merger: OccupationEntities) -> None:
    alone = "what jobs are in this group"
    message = run(merger, alone, [reference(alone, "this group")], intent="ask_titles")
    assert [(e["entity"], e["value"], e["found_by"]) for e in message.get("entities")] == [
        ("occupation", "imaging_technician", "reference")]
    beside_a_job = "is a sleep tech in this group"
    message = run(merger, beside_a_job, [entity("sleep tech", 5, "sleep tech", "SpacyEntityExtractor"),
                                         reference(beside_a_job, "this group")], intent="ask_titles")
    assert [e["value"] for e in message.get("entities")] == [NAMES["sleep tech"]]
    beside_another_job = "is a radiologist in this group"
    message = run(merger, beside_another_job, [
        {**entity("radiologist", 5, "radiologist", "SpacyEntityExtractor"), "entity": "other_job"},
        reference(beside_another_job, "this group")], intent="ask_titles")
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("other_job", "radiologist")]


def test_an_unknown_reference_value_is_dropped(merger: OccupationEntities) -> None:
    text = "what jobs are in this crowd"
    message = run(merger, text, [reference(text, "this crowd")], intent="ask_titles")
    assert message.get("entities") == []


@pytest.mark.parametrize("text", ["is a dentist in this group", "are lawyers one of these jobs",
                                  "is a phlebotomist part of the imaging group", "r vet techs on your list"])
def test_a_membership_question_read_as_out_of_scope_asks_for_the_titles(merger: OccupationEntities,
                                                                         text: str) -> None:
    message = run(merger, text, [], intent="out_of_scope")
    assert message.get("intent")["name"] == "ask_titles"
    assert message.get("intent_ranking")[0]["name"] == "ask_titles"


@pytest.mark.parametrize(("text", "intent"), [
    ("is the pay in the uk good", "out_of_scope"),  # a place, not the list
    ("is a dentist well paid", "out_of_scope"),  # no membership words
    ("is a degree in this field required", "ask_education"),  # only out of scope is read again
    ("/ask_titles", "out_of_scope"),  # a button's payload is never re-read
])
def test_other_messages_keep_their_intent(merger: OccupationEntities, text: str, intent: str) -> None:
    assert run(merger, text, [], intent=intent).get("intent")["name"] == intent


@pytest.mark.parametrize("text, span", [("¿y el ecografista?", "ecografista"),
                                        ("¿qué tal la resonancia?", "resonancia"),
                                        ("sobre los técnicos radiólogos, porfa", "técnicos radiólogos")])
def test_a_bare_spanish_job_name_is_inform_occupation(merger: OccupationEntities, text: str, span: str) -> None:
    start = text.index(span)
    message = run(merger, text, [entity(span, start, span, "SpacyEntityExtractor")], intent="nlu_fallback")
    assert message.get("intent") == {"name": "inform_occupation", "confidence": 1.0}


def test_a_spanish_question_with_a_job_keeps_its_intent(merger: OccupationEntities) -> None:
    text = "¿la ecografía es segura?"
    message = run(merger, text, [entity("ecografía", 4, "ecografía", "SpacyEntityExtractor")], intent="ask_safety")
    assert message.get("intent")["name"] == "ask_safety"


@pytest.mark.parametrize("text", ["¿el dosimetrista es parte de este grupo?", "¿los abogados están en la lista?",
                                  "¿es la partera uno de estos trabajos?", "¿un barbero entra aquí?"])
def test_a_spanish_membership_question_read_as_out_of_scope_asks_for_the_titles(merger: OccupationEntities,
                                                                                 text: str) -> None:
    assert run(merger, text, [], intent="out_of_scope").get("intent")["name"] == "ask_titles"


@pytest.mark.parametrize("text", ["¿el abogado gana bien?", "¿la radiación es uno de los riesgos?"])
def test_other_spanish_messages_keep_their_intent(merger: OccupationEntities, text: str) -> None:
    assert run(merger, text, [], intent="out_of_scope").get("intent")["name"] == "out_of_scope"


@pytest.mark.parametrize("text, word, value", [("¿cuánto gana un cardiólogo?", "cardiólogo", "other_health_technician"),
                                               ("¿qué hace una enfermera?", "enfermera", "nurse"),
                                               ("¿qué hace un técnico en anestesia?", "técnico en anestesia",
                                                "other_health_technician")])
def test_a_spanish_profession_word_is_an_outside_job(merger: OccupationEntities, text: str, word: str,
                                                     value: str) -> None:
    found = [(e["text"], e["value"], e["entity"]) for e in run(merger, text, []).get("entities")]
    assert found == [(word, value, "other_job")]


def context_reference(text: str, phrase: str) -> Dict[str, Any]:
    """What the ruler gives for "this career": the text as its value, with the `context_reference` label."""
    return {**reference(text, phrase), "entity": "context_reference"}


def test_the_ruler_tags_this_career_in_both_languages() -> None:
    for text, phrase in [("how much does this career pay", "this career"),
                         ("¿cuánto paga esta carrera?", "esta carrera"),
                         ("que horario hay en este campo", "este campo")]:
        doc = build_pipeline()(text)
        found = [(e.text, e.label_, e.ent_id_) for e in doc.ents]
        assert found == [(phrase, "context_reference", "imaging_technician")]


def test_this_career_points_at_the_group_only_when_no_job_is_named(merger: OccupationEntities) -> None:
    alone = "how much does this career pay"
    message = run(merger, alone, [context_reference(alone, "this career")], intent="ask_salary")
    assert [(e["entity"], e["value"], e["found_by"]) for e in message.get("entities")] == [
        ("context_reference", "imaging_technician", "context_reference")]
    beside_a_job = "is this career as hard as a sleep tech's"
    message = run(merger, beside_a_job, [entity("sleep tech", beside_a_job.index("sleep"), "sleep tech",
                                                "SpacyEntityExtractor"),
                                         context_reference(beside_a_job, "this career")], intent="ask_overview")
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("occupation", NAMES["sleep tech"])]
