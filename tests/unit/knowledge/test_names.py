"""The one name resolver (knowledge/names.py), on the real aliases."""

from __future__ import annotations

from typing import Optional

import pytest

from knowledge.build import load
from knowledge.names import OCCUPATION, Names, asked_member, key
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


@pytest.mark.parametrize("typed, expected", [
    ("medical lab technician", ("other_job", "medical_lab_technician")),  # was 0.87 alike "medical x-ray technician"
    ("lab technician", ("other_job", "medical_lab_technician")),
    ("medical technician", ("other_job", "medical_technician")),  # in or out: the actions ask
    ("medicial x-ray technician", ("occupation", RADIOGRAPHER)),  # a misspelt word is mended
    ("nucular medcine", ("occupation", "nuclear_medicine_technologist")),
    ("x-ray doctor", ("other_job", "doctor")),
    ("physician", None),  # a word alone, not a job phrase: "ask the physician" is no question about doctors
])
def test_fuzzy_mends_misspelt_words_and_never_swaps_real_ones(names: Names, typed: str, expected: object) -> None:
    assert names.classify(typed) == expected


@pytest.mark.parametrize("typed, name", [
    ("medical lab technician", "medical x-ray technician"), ("physician", "physicist"),
    ("radiation oncologist", "radiation therapist"), ("x-ray doctor", "x-ray tech"),
    ("medical technician", "medical x-ray technician"),  # a missing word is never filled in
])
def test_one_real_word_never_becomes_another(names: Names, typed: str, name: str) -> None:
    assert not names.mends(typed, name)


@pytest.mark.parametrize("text, name, expected", [
    ("how much does a nuclear medicine physician earn", "nuclear medicine", "nuclear_medicine_physician"),
    ("how much does an x-ray doctor earn", "x-ray", "doctor"),
    ("what does a veterinary ultrasound technician earn", "ultrasound technician", "veterinary_technician"),
    ("is an ultrasound engineer a good job", "ultrasound", "other_health_technician"),  # unlisted: the catch-all
    ("what does an mri technician do", "mri technician", None),  # the group's own head word
    ("what does a radiation therapist do", "radiation therapist", None),
    ("sonographer salary", "sonographer", None),
    ("what does a radiology receptionist do", "radiology", "other_health_technician"),
    ("how much does an anesthesia x-ray technician earn", "x-ray technician", "other_health_technician"),
    ("is a thermal imaging technician a good job", "imaging technician", "other_health_technician"),
    ("what does a photo imaging technician do", "imaging technician", "other_health_technician"),
])
def test_a_group_name_inside_a_longer_job_phrase_is_that_other_job(names: Names, text: str, name: str,
                                                                   expected: object) -> None:
    start = text.index(name)
    found = names.outside_phrase(text, start, start + len(name))
    assert (found[2] if found else None) == expected


@pytest.mark.parametrize("text, word", [
    ("how much does a cardiologist earn", "cardiologist"),
    ("what does an audiologist do", "audiologist"),
    ("how much do paramedics make", "paramedics"),
    ("training to be a paediatrician", "paediatrician"),
    ("what training does a lawyer need", "lawyer"),
    ("whats a dosimetrist", "dosimetrist"),
    ("graphic designer salary", "designer"),
    ("whats the pay for a truck driver", "truck driver"),
    ("is being an influencer a real job", "influencer"),
    ("is a phlebotomist one of these jobs", "phlebotomist"),
    ("how much does a dental assistant make", "dental assistant"),
    ("do physician assistants need a license", "physician assistants"),
])
def test_a_profession_word_is_another_job(names: Names, text: str, word: str) -> None:
    found = names.professions(text)
    assert [text[s:e] for s, e, _ in found] == [word]
    assert all(job in names.other_ids for _, _, job in found)


@pytest.mark.parametrize("text", [
    "what does a radiologic technologist do", "are ecg technicians paid well", "do they work with physicians",
    "what do sonographers earn", "nuclear medicine technologists",
])
def test_group_titles_and_passing_mentions_are_not_professions(names: Names, text: str) -> None:
    assert names.professions(text) == []


def test_a_taken_span_is_not_found_again(names: Names) -> None:
    text = "is a radiologist paid more than a radiographer"
    start = text.index("radiologist")
    assert names.professions(text, [(start, start + len("radiologist"))]) == []


@pytest.mark.parametrize("typed", ["techologists", "techician", "tecnologists", "tekniсian"])
def test_a_misspelt_technologist_is_not_a_profession(names: Names, typed: str) -> None:
    assert names.professions(f"pay for mri {typed}") == []


@pytest.mark.parametrize("text, phrase", [
    ("anesthesia tech salary", "anesthesia tech"),
    ("what does a sterile processing technician do", "processing technician"),
    ("how do i become a pharmacy technologist", "pharmacy technologist"),
])
def test_an_unlisted_tech_phrase_is_another_job(names: Names, text: str, phrase: str) -> None:
    assert [(text[s:e], job) for s, e, job in names.professions(text)] == [(phrase, "other_health_technician")]


@pytest.mark.parametrize("text", [
    "what does an x ray tech do", "nucular tech pay", "the tech", "is a medical technician the same",
    "cardiac tech salary", "sleep tech hours", "do i need a drivers license", "what should i ask my teacher",
    "do x-ray techs work with engineers", "what does a mammogram tech do", "sonogram technician pay",
    "cardiology tech training", "how to become a bone density technologist",
])
def test_group_words_misspellings_and_passing_words_are_no_unlisted_job(names: Names, text: str) -> None:
    assert names.professions(text) == []


def test_exact_names_longest_first_and_outside_jobs_on_request() -> None:
    """The one alias scanner: what the job mask and the search over facts use, on the ruler's aliases."""
    names = Names({"nuclear medicine": "nm", "nuclear medicine technologist": "nmt", "radiology": "rt"},
                  {"radiology doctor": "radiologist"})
    found = names.exact("are Nuclear Medicine techs like a radiology doctor")
    assert [(f.text, f.kind, f.id) for f in found] == [("Nuclear Medicine", "occupation", "nm"),
                                                        ("radiology doctor", "other_job", "radiologist")]
    found = names.exact("a nuclear medicine technologist and a radiology doctor, not radiology")
    assert [(f.text, f.kind, f.id) for f in found] == [
        ("nuclear medicine technologist", "occupation", "nmt"), ("radiology doctor", "other_job", "radiologist"),
        ("radiology", "occupation", "rt")]
    # without outside jobs, the group's name inside one is found ("tell a radiology doctor" in a fact)
    assert [f.id for f in names.exact("ask a radiology doctor", others=False)] == ["rt"]
    assert names.exact("ask the nuclear medicine tech", taken=[(8, 24)]) == []


def test_mentions_are_exact_names_then_misspellings() -> None:
    names = Names({"sonographer": "s", "radiographer": "r"}, {"radiologist": "radiologist"})
    found = names.mentions("a sonografer or a radiographer or a radiologest")
    assert [(f.text, f.kind, f.id) for f in found] == [("sonografer", "occupation", "s"),
                                                        ("radiographer", "occupation", "r"),
                                                        ("radiologest", "other_job", "radiologist")]
    assert [f.id for f in names.mentions("a sonografer or a radiologest", others=False)] == ["s"]


@pytest.mark.parametrize(("text", "name"), [
    ("is a nurse one of these jobs", "nurse"),
    ("are dosimetrists part of this group", "dosimetrists"),
    ("is a dentist in group 3211", "dentist"),
    ("is an audiologist on the list", "audiologist"),
    ("is a vet tech in the same group", "vet tech"),
    ("are pharmacy techs included in these careers", "pharmacy techs"),
    ("is the pay in the uk good", None),
    ("is it one of them", None),
    ("is radiation one of the risks", None),
    ("what jobs are in this group", None),
])
def test_a_membership_question_names_the_job_asked_about(text: str, name: Optional[str]) -> None:
    assert asked_member(text) == name


@pytest.mark.parametrize(("typed", "expected"), [
    ("x ray technician", "radiologic_technologist"),  # "x-ray technician", typed with a space
    ("xray technologists", "radiologic_technologist"),
    ("neuro diagnostic tech", "neurodiagnostic_technologist"),
])
def test_a_hyphenated_name_typed_another_way_is_the_same_job(names: Names, typed: str, expected: str) -> None:
    assert names.resolve(typed) == expected


# --- Spanish: the same forms, over folded text (knowledge.language.folded) ---------------------------------------

@pytest.mark.parametrize("text, word", [
    ("¿Cuánto gana un cardiólogo?", "cardiólogo"),
    ("¿qué hace una nutrióloga?", "nutrióloga"),
    ("quiero ser audiologo", "audiologo"),  # typed without the accent
    ("¿el histotecnólogo trabaja en un laboratorio?", "histotecnólogo"),
    ("¿qué estudia un dosimetrista?", "dosimetrista"),
    ("¿qué hace un pediatra?", "pediatra"),
    ("quiero ser partera", "partera"),
    ("¿cuánto gana un abogado?", "abogado"),
    ("mi tío es trailero", "trailero"),
    ("¿qué estudia un agente de bienes raíces?", "agente de bienes raíces"),
    ("¿me conviene ser barbero?", "barbero"),
    ("¿cuánto gana una enfermera?", "enfermera"),
    ("¿ser enfermero es mejor?", "enfermero"),
    ("¿Es la enfermera parte de este grupo?", "enfermera"),
    ("¿qué hace una auxiliar de enfermería?", "auxiliar de enfermería"),
])
def test_a_spanish_profession_word_is_another_job(names: Names, text: str, word: str) -> None:
    found = names.professions(text)
    assert [text[s:e] for s, e, _ in found] == [word]
    assert all(job in names.other_ids for _, _, job in found)


def test_a_spanish_nurse_is_the_nurse_and_an_unlisted_profession_the_catch_all(names: Names) -> None:
    assert [job for _, _, job in names.professions("¿cuánto gana una enfermera?")] == ["nurse"]
    assert [job for _, _, job in names.professions("¿cuánto gana un abogado?")] == ["other_health_technician"]
    assert [job for _, _, job in names.professions("¿cuánto gana un radiólogo?")] == ["radiologist"]  # listed


@pytest.mark.parametrize("text", [
    "ecografista", "¿qué hace una radioterapeuta?", "mamografista", "audiometrista", "densitometrista",
    "¿qué hace un técnico radiólogo?", "técnicas radiólogas", "¿cuánto gana un tecnólogo?", "tecnóloga médica",
    "tegnologo en radiologia",  # a misspelt tecnólogo is the resolver's
    "¿trabajan con enfermeras?", "¿trabajan con médicos y enfermeras?", "¿le avisan a la enfermera?",
    "¿usan un contador Geiger?", "¿trabajan en hospitales militares?", "me gusta la música",
    "un prólogo, un monólogo y un catálogo", "¿qué hace un médico?", "¿qué estudios necesito?",
])
def test_the_groups_spanish_names_and_passing_mentions_are_not_professions(names: Names, text: str) -> None:
    assert names.professions(text) == []


@pytest.mark.parametrize("text, phrase", [
    ("¿qué hace un técnico en anestesia?", "técnico en anestesia"),
    ("quiero ser técnica en enfermería", "técnica en enfermería"),
    ("técnico superior en esterilización", "técnico superior en esterilización"),
    ("¿cuánto gana un técnico en diálisis?", "técnico en diálisis"),
    ("tecnólogo en alimentos", "tecnólogo en alimentos"),
])
def test_an_unlisted_spanish_tech_phrase_is_another_job(names: Names, text: str, phrase: str) -> None:
    assert [(text[s:e], job) for s, e, job in names.professions(text)] == [(phrase, "other_health_technician")]


@pytest.mark.parametrize("text", [
    "técnico de rayos X", "técnico en imágenes", "técnico de imagenología", "técnico del sueño", "técnico de turno",
    "técnico en el hospital", "técnico en ecocardiografía", "técnico en densitometría ósea", "técnico de TAC",
    "técnico en ecograifa",  # not a word: a misspelt group word is the resolver's
    "técnico de la clínica", "técnico en salud",
])
def test_group_words_misspellings_and_plain_fields_are_no_unlisted_spanish_job(names: Names, text: str) -> None:
    assert names.professions(text) == []


def test_a_spanish_phrase_of_a_listed_job_keeps_its_id(names: Names) -> None:
    text = "técnico en farmacia y técnico en anestesia"  # "técnico en farmacia" is listed, "en anestesia" not
    assert [(text[s:e], job) for s, e, job in names.professions(text)] == [
        ("técnico en farmacia", "other_health_technician"), ("técnico en anestesia", "other_health_technician")]
    taken = [(0, len("técnico en farmacia"))]
    assert [text[s:e] for s, e, _ in names.professions(text, taken)] == ["técnico en anestesia"]


@pytest.mark.parametrize("text, name, expected", [
    ("¿qué hace un asistente de radiología?", "radiología", "other_health_technician"),
    ("¿cuánto gana una secretaria de radiología?", "radiología", "other_health_technician"),
    ("quiero ser profesor de ultrasonido", "ultrasonido", "other_health_technician"),
    ("técnico de ultrasonido veterinario", "técnico de ultrasonido", "other_health_technician"),
    ("¿hay técnicos en ultrasonido para animales?", "técnicos en ultrasonido", "other_health_technician"),
    ("¿qué hace el técnico de rayos X?", "técnico de rayos X", None),
    ("técnica médica de rayos X", "rayos X", None),  # médica after técnica is an adjective, no head
    ("la ecografía de mi bebé", "ecografía", None),
])
def test_a_group_name_inside_a_longer_spanish_job_phrase_is_that_other_job(names: Names, text: str, name: str,
                                                                           expected: object) -> None:
    start = text.index(name)
    found = names.outside_phrase(text, start, start + len(name))
    assert (found[2] if found else None) == expected


@pytest.mark.parametrize(("text", "name"), [
    ("¿El dosimetrista es parte de este grupo?", "dosimetrista"),
    ("¿es la partera uno de estos?", "partera"),
    ("¿el técnico de farmacia está en la lista?", "técnico de farmacia"),
    ("¿un barbero entra aquí?", "barbero"),
    ("¿la enfermera cuenta como técnico de imágenes?", "enfermera"),
    ("¿Los cardiólogos están en este grupo?", "cardiólogos"),
    ("¿sabes si el abogado es uno de ellos?", "abogado"),
    ("¿el agente de bienes raíces forma parte del grupo?", "agente de bienes raíces"),
    ("¿Enfermería es parte de este grupo?", "Enfermería"),
    ("¿son los dosimetristas parte del grupo 3211?", "dosimetristas"),
    ("¿el trailero también es parte?", "trailero"),
    ("¿la partera está incluida?", "partera"),
    ("¿el histotecnologo esta dentro de la lista?", "histotecnologo"),
    ("¿un técnico de farmacia cuenta?", "técnico de farmacia"),
    ("¿hay enfermeras en este grupo?", "enfermeras"),
    ("¿entra el nutriólogo en esta categoría?", "nutriólogo"),
    ("¿los barberos son del mismo grupo?", "barberos"),
    ("¿el ecografista pertenece a este grupo?", "ecografista"),  # a group name: the action confirms it
    ("¿qué trabajos son parte de este grupo?", None),
    ("¿cuáles son los trabajos de este grupo?", None),
    ("¿la radiación es uno de los riesgos?", None),
    ("¿el sueldo es de los trabajos mejor pagados?", None),
    ("¿es parte de este grupo?", None),
    ("¿esto es parte del grupo?", None),
    ("¿cuánto gana un ecografista en este grupo?", None),
    ("¿hay trabajos en este grupo que paguen bien?", None),
    ("¿cuánto cuenta?", None),
    ("¿y el abogado?", None),
])
def test_a_spanish_membership_question_names_the_job_asked_about(text: str, name: Optional[str]) -> None:
    assert asked_member(text) == name


@pytest.mark.parametrize("text", ["que hace un tecnico de histologia", "técnico de histología", "tecnico de biologia"])
def test_a_real_spanish_word_is_never_mended_into_a_group_word(names: Names, text: str) -> None:
    """"histologia" is a word, not a misspelt "radiologia": the job is another one, never the nearest title."""
    assert [f for f in names.find(text) if f.kind == OCCUPATION] == []


@pytest.mark.parametrize("text", ["how much do nba players make", "cuanto gana un contador"])
def test_far_professions_are_found(names: Names, text: str) -> None:
    assert names.professions(text)
