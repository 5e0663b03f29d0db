"""The words the assistant's parts share: which intent asks about which topic, and what topics are called.

The actions answer by topic, the counsellors' report counts by topic, and the tests walk every
topic: all of them read it here, so a new topic is added once.
"""

from __future__ import annotations

# The question intents and the knowledge-base topic each asks about (facts.yml and gaps.yml topics).
TOPIC_BY_INTENT = {
    "ask_overview": "overview",
    "ask_duties": "duties",
    "ask_education": "education",
    "ask_license": "license",
    "ask_salary": "salary",
    "ask_best_paying": "best_paying",
    "ask_specialties": "specialties",
    "ask_safety": "safety",
    "ask_equipment": "equipment",
    "ask_outlook": "outlook",
    "ask_hours": "hours",
    "ask_program_length": "program_length",
}
# The topics the sources cover, as an answer names them ("the sources don't say anything about the pay of ...").
TOPIC_LABELS = {
    "overview": "a description",
    "duties": "duties",
    "education": "education or training",
    "license": "licensing rules",
    "salary": "pay",
    "best_paying": "best-paying industry",
    "specialties": "specialties",
    "safety": "safety",
    "equipment": "equipment",
}
# The same labels in Spanish, with their article, as a Spanish answer names a topic ("el sueldo").
TOPIC_LABELS_ES = {
    "overview": "la descripción",
    "duties": "las tareas",
    "education": "los estudios o la formación",
    "license": "las reglas de licencia",
    "salary": "el sueldo",
    "best_paying": "la industria que mejor paga",
    "specialties": "las especialidades",
    "safety": "la seguridad",
    "equipment": "el equipo",
}
# The question topics the sources never cover: every answer to them is the gap's text (gaps.yml).
GAPS = tuple(t for t in TOPIC_BY_INTENT.values() if t not in TOPIC_LABELS)

# What each source is for, so that code asks for "the classification", never for a source's id
# (every source in sources.yml has one `role`; the builder requires each role exactly once).
CLASSIFICATION = "classification"  # the official list of job titles and the group's tasks
CAREER_ARTICLE = "career_article"  # the article that describes a few jobs, with their pay figures
SOURCE_ROLES = (CLASSIFICATION, CAREER_ARTICLE)

# What a fact says about radiation (facts.yml `radiation`), so that a job the sources describe
# without radiation (sonography: sound waves) never gets radiation-protection claims as its own.
RADIATION_PROTECTION = "protection"  # the fact states radiation-protection claims
NO_RADIATION = "none_described"  # the sources describe the job's imaging and mention no radiation for it
RADIATION_MARKS = (RADIATION_PROTECTION, NO_RADIATION)

# Words that say which topic a comparison asks about ("whose pay is lowest", "is licensing stricter").
# A word matches itself and its endings (pay, pays, paying); one ending in "*" matches any word it
# begins (certif* -> certified, certification). "overview" means "what is the difference".
COMPARE_WORDS = {
    "best_paying": ("industry", "industries", "sector", "sectors", "employer", "employers"),
    "salary": ("pay", "paid", "earn", "earnings", "make", "makes", "salary", "salaries", "money", "wage",
               "income", "bring in", "brings in"),
    "education": ("training", "train", "stud*", "school", "degree", "college", "universit*", "education",
                  "course", "year", "long", "shortest", "quickest", "fastest", "longest", "qualification"),
    "license": ("licen*", "certif*", "registr*", "exam", "exams", "strict", "stricter", "strictest"),
    "specialties": ("speciali*", "specialt*"),
    "safety": ("safe", "safer", "safest", "safety", "danger*", "risk*", "radiation exposure"),
    "equipment": ("equipment", "machine", "machines", "tool", "tools"),
    "duties": ("duties", "duty", "task", "tasks", "day to day", "daily"),
    "overview": ("difference", "different", "differ", "do", "job", "work"),
}
# The same in Spanish, matched over folded text (knowledge.language.folded: no accents, ñ kept): a word matches
# itself only (plurals and verb forms are listed), one ending in "*" any word it begins.
COMPARE_WORDS_ES = {
    "best_paying": ("industria", "industrias", "sector", "sectores", "empleador", "empleadores"),
    "salary": ("sueldo", "sueldos", "salario", "salarios", "paga", "pagan", "pagado", "pagados", "pago", "pagos",
               "pagar", "gana", "ganan", "ganar", "gane", "ganancia*", "cobra", "cobran", "dinero", "ingreso",
               "ingresos"),
    "education": ("estudi*", "formacion", "escuela", "universidad*", "titulo", "titulos", "grado", "licenciatura",
                  "curso", "cursos", "capacitacion", "entrenamiento", "preparacion", "años", "anos", "cuanto tiempo",
                  "duracion", "dura", "duran", "corta", "corto", "larga", "largo", "rapido", "rapida", "rapidos",
                  "rapidas"),
    "license": ("licencia*", "certifica*", "registro*", "examen", "examenes", "colegiad*", "estrict*"),
    "specialties": ("especiali*",),
    "safety": ("segur*", "peligro*", "riesgo*", "exposicion a la radiacion"),
    "equipment": ("equipo", "equipos", "maquina", "maquinas", "aparato*", "herramienta*"),
    "duties": ("tarea", "tareas", "funciones", "responsabilidades", "dia a dia", "diario", "diaria"),
    "overview": ("diferencia*", "diferente*", "difiere*", "hace", "hacen", "trabajo", "trabajan"),
}
# How many US states want a licence, in the article's words (facts.yml `states`), from most to fewest; the
# group's "varies by occupation" has no place in the order. A comparison ranks jobs by it.
LICENCE_STATES_ORDER = ("most", "some", "only a few")
LICENCE_STATES = (*LICENCE_STATES_ORDER, "varies by occupation")
# How a Spanish text says each of those words ("most states"), with the same meaning: a Spanish licence fact
# states its `states` word this way (tests/unit/knowledge/test_spanish.py checks it).
LICENCE_STATES_ES = {"most": "la mayoría de los estados", "some": "algunos estados",
                     "only a few": "solo unos pocos estados"}
# A comparison that asks for the top or the bottom ("who earns most", "whose pay is lowest", "fewest states").
PAY_EXTREMES = {
    "highest": ("highest", "most", "best", "more", "higher", "better", "top", "biggest", "max*"),
    "lowest": ("lowest", "least", "worst", "less", "lower", "smallest", "poorest", "min*", "fewest", "fewer"),
}
PAY_EXTREMES_ES = {
    "highest": ("mas", "mayor", "mejor", "mejores", "maxim*", "alto", "alta", "altos", "altas"),
    "lowest": ("menos", "menor", "peor", "peores", "minim*", "bajo", "baja", "bajos", "bajas"),
}
# A training comparison that asks how long it takes: the sources never say (gap program_length).
DURATION_WORDS = ("long", "longer", "longest", "short", "shorter", "shortest", "quick", "quickest", "fast",
                  "faster", "fastest", "year", "time")
DURATION_WORDS_ES = ("dura", "duran", "duracion", "tiempo", "años", "anos", "meses", "largo", "larga", "corto", "corta",
                     "rapido", "rapida")

# What kind of reply an action gave, in the slot REPLY_KIND_SLOT (domain.yml), so that the evaluation can tell
# an answer from a refusal without reading its wording, and a counsellor's report could count the gaps.
REPLY_KIND_SLOT = "reply_kind"
ANSWERED = "answered"  # facts of the group's jobs, or the titles, sources or a comparison built from them
NOT_COVERED = "not_covered"  # a group job or topic the sources are silent on (or a place they don't cover)
OUTSIDE = "outside"  # a job outside the group, or a profession far from the field: what the sources say of it
CLARIFY = "clarify"  # a question back ("which job do you mean?"), with buttons
UNSURE = "unsure"  # the fallback's "I'm not sure", with suggestions
REPLY_KINDS = (ANSWERED, NOT_COVERED, OUTSIDE, CLARIFY, UNSURE)


# The languages the knowledge base speaks. Every text a student sees is written in each: the English field
# (`text`) and its Spanish one beside it (`text_es`); ids, figures, sources and aliases are shared.
ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)


def translated(field: str, language: str) -> str:
    """The YAML key that holds a text in a language (`text`, `text_es`), so every file names them one way."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    return field if language == ENGLISH else f"{field}_{language}"
