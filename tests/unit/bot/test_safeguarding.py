"""A student who may be in danger is pointed to people, whatever else the message says."""

from __future__ import annotations

import pytest

from bot import safeguarding


@pytest.mark.parametrize("text", [
    "i want to kill myself", "I Want To Kill Myself!!", "sometimes i think about suicide",
    "how do i stop self harming", "i just wanna die", "i dont want to live anymore",
    "my stepdad keeps hitting me", "im being bullied at school every day", "i want to end my life",
    "feeling suicidal lol", "i've been cutting myself",
])
def test_a_student_in_danger_is_recognised(text: str) -> None:
    assert safeguarding.concerning(text)


@pytest.mark.parametrize("text", [
    "what does a sonographer do", "is radiation going to kill me if i work in ct",
    "do radiation therapists treat people who might die of cancer", "how do they protect themselves",
    "what's the dose that kills cells in radiotherapy", "i'd die for a job like that", "", None, 42,
    "/ask_safety", "x" * 5000,
])
def test_career_questions_are_left_to_the_assistant(text: object) -> None:
    assert not safeguarding.concerning(text)


def test_the_reply_names_the_schools_counsellor_when_known() -> None:
    known = safeguarding.reply({"counsellor_name": "Ms Ada Park", "counsellor_email": "ada.park@hillside.example"})
    assert "Ms Ada Park (ada.park@hillside.example)" in known and "emergency" in known
    assert "your school counsellor" in safeguarding.reply({}) and "careers bot" in safeguarding.reply()


@pytest.mark.parametrize("text", [
    # wanting to die, with and without accents, misspelt, a parent writing
    "me quiero morir", "ME KIERO MORIR 😢", "quiero matarme", "me quiero suicidar", "pienso en suicidarme",
    "suisidio", "no quiero vivir", "ya no quiero vivir mas", "no quiero seguir viviendo",
    "no quiero vivir en este mundo", "quisiera estar muerta", "tengo ganas de morirme", "no tengo razón para vivir",
    "estaría mejor muerto", "ojalá me muera", "quiero quitarme la vida", "me voy a matar si repruebo",
    "mi hijo se quiere morir",
    # hurting themselves
    "me voy a cortar", "me he estado cortando", "quiero cortarme las venas", "me autolesiono", "me quiero hacer daño",
    "quiero lastimarme", "mi hija se corta",
    # someone hurting them
    "mi papá me pega", "mi papa me pega", "mi padrastro me golpea", "mi papi me golpia", "mi stepdad me pega",
    "el novio de mi mamá me golpea", "en mi casa me pegan", "mi tío abusó de mí", "me están abusando", "me violaron",
    "fui abusada", "mi papá le pega a mi mamá", "mi maestro me manosea", "a mi hijo le pegan en la escuela",
    # bullying and violence at home
    "me hacen bullying", "me hacen buling en la escuela", "me bullean", "sufro de bullying",
    "a mi hija le hacen bullying", "violencia en mi casa", "hay biolencia en mi casa", "en mi casa hay mucha violencia",
])
def test_a_student_in_danger_is_recognised_in_spanish(text: str) -> None:
    assert safeguarding.concerning(text)


@pytest.mark.parametrize("text", [
    # idioms and careers questions that share a word
    "me mata de risa", "muero de ganas de ser ecografista", "me muero de ganas de ser técnico",
    "me quiero morir de la risa", "el turno de noche me mató", "mi mamá me va a matar si repruebo",
    "la radiación puede matar células", "¿la radiación me puede matar?", "¿la radiación puede hacerme daño?",
    "¿puedo lastimarme la espalda cargando pacientes?", "cortar imágenes", "me voy a cortar el pelo",
    "golpe de calor", "los golpes en la cabeza se ven en la tomografía", "me pega el sol en el trabajo",
    "se cortó la luz en el hospital", "me toca guardia los sábados", "no quiero vivir en otra ciudad",
    "no quiero vivir lejos de mi familia", "¿el paciente se va a morir?", "mi papá es técnico en radiología",
    "¿atienden a víctimas de violencia doméstica?", "si cargo pacientes me voy a lastimar la espalda",
    # borderline, decided: a joke about the job in the third person is a careers question
    "¿los técnicos se mueren de aburrimiento?",
])
def test_spanish_career_questions_are_left_to_the_assistant(text: str) -> None:
    assert not safeguarding.concerning(text)


def test_the_english_reply_is_unchanged() -> None:
    assert safeguarding.reply({"counsellor_name": "Ms Ada Park", "counsellor_phone": "555 0100"}, "en") == (
        "I'm really sorry you're going through this. I'm only a careers bot, so I can't help with it myself, but "
        "you don't have to deal with it alone. Please talk to someone today: Ms Ada Park (555 0100), a teacher, or "
        "an adult you trust. If you are in danger right now, call your local emergency number.")
    assert safeguarding.reply() == safeguarding.reply({}, "en") == safeguarding.reply(None, "fr")


@pytest.mark.parametrize("language", ["es", "ES", "es-MX", "es-US"])
def test_the_spanish_reply_names_the_counsellor_and_no_english(language: str) -> None:
    known = safeguarding.reply({"counsellor_name": "Sra. Ana Ruiz", "counsellor_email": "ana.ruiz@hillside.example",
                                "counsellor_phone": "555 0100"}, language)
    assert "Sra. Ana Ruiz (ana.ruiz@hillside.example o 555 0100)" in known
    assert "emergencias" in known and "adulto de tu confianza" in known and "maestr" in known
    assert not {"I'm", "sorry", "careers", "counsellor", "teacher", "emergency", "call"} & set(known.split())
    unknown = safeguarding.reply({}, language)
    assert "tu consejero o consejera escolar," in unknown and "(" not in unknown


def test_spanish_or_becomes_u_before_an_o_sound() -> None:
    said = safeguarding.reply({"counsellor_email": "a@x.example", "counsellor_phone": "800 555 0100"}, "es")
    assert "(a@x.example u 800 555 0100)" in said


@pytest.mark.parametrize(("text", "metadata", "expected"), [
    ("me quiero morir", {}, "es"),
    ("mi padrastro me golpea", {"lang": "en"}, "es"),  # the student's words win over the page's
    ("i want to die", {"lang": "es"}, "en"),
    ("I want to kill myself", {}, "en"),
    ("ayuda", {"lang": "es-MX"}, "es"),  # nothing matched in either list: the page's language
    ("help", None, "en"),
])
def test_the_reply_is_in_the_language_the_student_wrote(text: str, metadata: object, expected: str) -> None:
    assert safeguarding.language(text, metadata) == expected  # type: ignore[arg-type]
