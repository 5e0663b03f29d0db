"""Spanish: every text a student sees has its Spanish one, with exactly the same facts, and a knowledge base
opened in Spanish serves it in the same fields.

"The same facts" is checked on what a translation can get wrong without anyone noticing: the numbers (figures,
years, counts such as "eight tasks", however they are written: "$54,620", "54 620", "54.620 dólares", "ocho"),
the words that say how many US states want a licence ("most", "la mayoría de los estados"), and the jobs of
group 3211 that a text names. A Spanish text may state none that its English text does not, and the reverse.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

import pytest
import yaml

from knowledge import build, places
from knowledge.build import LIST_MARK, SHOWN, KnowledgeError, load
from knowledge.discovery import read as read_discovery
from knowledge.query import KnowledgeBase
from knowledge.vocabulary import (
    LICENCE_STATES_ES,
    LICENCE_STATES_ORDER,
    SPANISH,
    TOPIC_LABELS,
    TOPIC_LABELS_ES,
    translated,
)

KNOWLEDGE = Path(build.KNOWLEDGE_DIR)
REAL = load()


def es(key: str) -> str:
    """The Spanish key beside an English one (`text` -> `text_es`)."""
    return translated(key, SPANISH)


def raw(name: str) -> Any:
    """A knowledge file as written, so that a missing Spanish field shows as missing (the builder would stop)."""
    return yaml.safe_load((KNOWLEDGE / name).read_text(encoding="utf-8"))


# --- Every English text has its Spanish one ------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One text a student sees, in English and in Spanish (None: missing), and where it is."""

    where: str
    english: str
    spanish: Optional[str]
    prose: bool = True  # a sentence, not a name: its Spanish is never the English words


def _pairs_of(file: str, entry: str, item: Dict[str, Any], fields: Tuple[str, ...], prose: Tuple[str, ...] = ()
              ) -> Iterator[Pair]:
    for key in fields:
        if item.get(key) is not None:
            yield Pair(f"{file} {entry} `{key}`", str(item[key]).strip(),
                       str(item[es(key)]).strip() if item.get(es(key)) is not None else None, key in prose)


def discovery_pairs() -> Iterator[Pair]:
    """discovery.yml's texts a student sees: names, summaries, reasons, silences, questions, button titles."""
    data = raw("discovery.yml")
    for preference in data["preferences"]:
        entry = f"preference {preference['id']}"
        yield from _pairs_of("discovery.yml", entry, preference, ("name", "summary", "silent"), ("summary", "silent"))
        for group in ("jobs", "without", "silent_facts"):
            for reason in preference.get(group) or []:
                yield from _pairs_of("discovery.yml", f"{entry} {group} {reason['occupation']}", reason, ("text",),
                                     ("text",))
    for step in data["steps"]:
        yield from _pairs_of("discovery.yml", f"step {step['id']}", step, ("question",), ("question",))
        for button in step["buttons"]:
            yield from _pairs_of("discovery.yml", f"step {step['id']} button", button, ("title",))


def place_pairs() -> Iterator[Pair]:
    """Every listed place, as an English reply shows it and as places.yml's `shown_es` does."""
    shown = places.shown_names(SPANISH)
    for name, kind in places.listed_names().items():
        yield Pair(f"places.yml {name}", places.Place(name, kind).shown(), shown.get(name), prose=False)


def all_pairs() -> List[Pair]:
    """Every text a student sees that knowledge/ holds, with its Spanish one."""
    found: List[Pair] = []
    for source in raw("sources.yml")["sources"]:
        found += _pairs_of("sources.yml", f"source {source['id']}", source, SHOWN["sources.yml"])
        for credit in source.get("credits") or []:
            found += _pairs_of("sources.yml", f"credit {credit['id']}", credit, SHOWN["credits"])
    for occupation in raw("occupations.yml")["occupations"]:
        found += _pairs_of("occupations.yml", f"occupation {occupation['id']}", occupation, SHOWN["occupations.yml"])
    for index, fact in enumerate(raw("facts.yml")["facts"]):
        found += _pairs_of("facts.yml", f"fact {index + 1} ({fact['occupation']}/{fact['topic']})", fact,
                           SHOWN["facts.yml"], ("text",))
    for gap in raw("gaps.yml")["gaps"]:
        found += _pairs_of("gaps.yml", f"gap {gap['topic']}", gap, SHOWN["gaps.yml"], ("text",))
    for job in raw("other_jobs.yml")["other_jobs"]:
        found += _pairs_of("other_jobs.yml", f"other job {job['id']}", job, SHOWN["other_jobs.yml"], ("note",))
    return found + list(discovery_pairs()) + list(place_pairs())


PAIRS = all_pairs()


def test_every_english_text_has_its_spanish_one() -> None:
    missing = [p.where for p in PAIRS if p.spanish is None or not p.spanish.strip()]
    assert not missing, f"write the Spanish text of: {missing}"
    # what the walk covers: every fact and its briefs, every name, every note, gap, reason and place
    counted = {f: sum(p.where.startswith(f) for p in PAIRS) for f in (
        "facts.yml", "occupations.yml", "other_jobs.yml", "gaps.yml", "discovery.yml", "places.yml", "sources.yml")}
    assert counted["facts.yml"] == len(REAL.facts) + sum("brief" in f for f in REAL.facts)
    assert counted["occupations.yml"] == 2 * len(REAL.occupations) + sum("button" in o for o in REAL.occupations)
    assert counted["other_jobs.yml"] == 3 * len(REAL.other_jobs)
    assert counted["gaps.yml"] == len(REAL.gaps)
    assert counted["places.yml"] == len(places.listed_names())
    assert counted["discovery.yml"] > 30 and counted["sources.yml"] == 3 * len(REAL.sources) + 1


def test_spanish_prose_is_written_not_copied() -> None:
    """A sentence's Spanish is its own text (names such as "Toronto" or a citation may stay the same)."""
    copied = [p.where for p in PAIRS if p.prose and p.spanish is not None and p.spanish == p.english]
    assert not copied, f"the Spanish text is the English one: {copied}"


def test_spanish_texts_use_tu_not_usted() -> None:
    """Written for a 15-year-old: "tú" ("puedes", "te"), never the formal "usted"."""
    formal = [p.where for p in PAIRS if p.spanish and re.search(r"\b(usted|ustedes|su merced)\b", p.spanish, re.I)]
    assert not formal, formal


# --- The same facts: numbers, years, US-state words, jobs -----------------------------------------------------

# Spelled-out numbers, as counts ("eight tasks", "ocho tareas"). "one"/"un"/"una"/"uno" are left out: they are
# also a pronoun and the article ("which one", "una parte del cuerpo"), and state no figure.
WORD_NUMBERS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100, "thousand": 1000},
    "es": {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
           "once": 11, "doce": 12, "veinte": 20, "cien": 100, "ciento": 100, "mil": 1000},
}
# A number in digits, with its thousands grouped by a comma, a point or a (thin, no-break) space, or not at all.
DIGITS = re.compile(r"(?<![\d.,])\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d])|(?<!\d)\d+")
# "most states", "most US states", "only a few states"; a bare "some" or "most" says nothing about states.
STATES_EN = re.compile(r"\b(most|some|only a few|a few)\s+(?:of the\s+)?(?:US\s+|U\.S\.\s+)?states\b", re.I)


def plain(text: str) -> str:
    """Lower case without accents, so "Sólo" and "solo" are one word."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


# The Spanish renderings of the licence words (knowledge/vocabulary.py), "sólo" or "solo" alike.
STATES_ES = [(word, re.compile(rf"\b{re.escape(plain(rendering))}\b")) for word, rendering in LICENCE_STATES_ES.items()]

# The jobs of group 3211 as texts name them, in short forms too ("sonographers", "ECG and EEG technicians"), per
# language. A test below holds this table to occupations.yml: every job is in it and its own names match it.
JOBS: Dict[str, Tuple[str, str]] = {
    "imaging_technician": (r"therapeutic equipment technicians?",
                           r"tecnicos? en imagenes medicas y equipos terapeuticos"),
    "chief_radiologic_technologist": (r"chief radiologic technolog\w*", r"tecnolog\w* radiologic\w* jef\w*"),
    "radiologic_technologist": (r"(?<!chief )radiologic (?:\(x-ray\) )?technolog\w*",
                                r"tecnolog\w* radiologic\w*\b(?! jef)"),
    "sonographer": (r"sonographers?\b", r"ecografistas?\b"),
    "nuclear_medicine_technologist": (r"nuclear medicine technolog\w*", r"tecnolog\w* en medicina nuclear"),
    "nuclear_medicine_therapist": (r"nuclear medicine therapists?", r"terapeutas? en medicina nuclear"),
    "mri_technologist": (r"\bmri technolog\w*", r"tecnolog\w* en resonancia magnetica"),
    "ct_technologist": (r'\bct (?:\(or "cat scan"\) )?technolog\w*', r"tecnolog\w* en tomografia computarizada"),
    "mammographer": (r"mammographers?\b", r"mamografistas?\b"),
    "radiation_therapist": (r"radiation therapists?\b", r"radioterapeutas?\b"),
    "ecg_technician": (r"\becg (?:and eeg )?technicians?", r"tecnicos? en ecg\b"),
    "eeg_technician": (r"\b(?:ecg and )?eeg technicians?", r"tecnicos? en (?:ecg y )?eeg\b"),
    "neurodiagnostic_technologist": (r"neurodiagnostic technolog\w*", r"tecnolog\w* en neurodiagnostico"),
    "polysomnography_technologist": (r"polysomnography (?:\(sleep study\) )?technolog\w*",
                                     r"tecnolog\w* en polisomnografia"),
    "audiometric_technician": (r"audiometric technicians?", r"tecnicos? en audiometria"),
    "optical_scanner_operator": (r"optical scanning equipment operators?", r"operador\w* de equipos de escaneo optico"),
    "medical_scanning_technician": (r"medical scanning equipment technicians?",
                                    r"tecnicos? en equipos de escaneo medico"),
    "medical_technologist": (r"(?<!chief )(?<!radiologic )\bmedical technologists?", r"tecnologos? medicos?\b"),
}
LANGUAGE_INDEX = {"en": 0, "es": 1}


@dataclass(frozen=True)
class Stated:
    """What a text states that a translation must keep: its numbers, its licence words and the jobs it names."""

    numbers: FrozenSet[int] = field(default_factory=frozenset)
    states: FrozenSet[str] = field(default_factory=frozenset)
    jobs: FrozenSet[str] = field(default_factory=frozenset)


def numbers(text: str, language: str) -> Set[int]:
    """Every number a text states, in digits or in words, as a value: "$54,620" and "54.620" are 54620."""
    text = LIST_MARK.sub(" ", text)  # "1. Run ..." numbers a list; it states no fact
    found = {int(re.sub(r"\D", "", n)) for n in DIGITS.findall(text)}
    words = WORD_NUMBERS[language]
    found |= {words[w] for w in re.findall(r"\b\w+\b", plain(text)) if w in words}
    return found


def stated(text: str, language: str) -> Stated:
    """What a text states, in its language."""
    if language == "en":
        states = {"only a few" if m.lower() == "a few" else m.lower() for m in STATES_EN.findall(text)}
    else:
        states = {word for word, pattern in STATES_ES if pattern.search(plain(text))}
    jobs = {job for job, patterns in JOBS.items()
            if re.search(patterns[LANGUAGE_INDEX[language]], plain(text), re.IGNORECASE)}
    return Stated(frozenset(numbers(text, language)), frozenset(states), frozenset(jobs))


def differences(english: str, spanish: str) -> List[str]:
    """What one of the two texts states and the other does not; empty when they state the same facts."""
    found = []
    en, sp = stated(english, "en"), stated(spanish, "es")
    for kind in ("numbers", "states", "jobs"):
        only_en, only_es = getattr(en, kind) - getattr(sp, kind), getattr(sp, kind) - getattr(en, kind)
        if only_es:
            found.append(f"{kind} only in the Spanish: {sorted(only_es)}")
        if only_en:
            found.append(f"{kind} missing from the Spanish: {sorted(only_en)}")
    return found


def test_every_spanish_text_states_the_same_numbers_states_and_jobs() -> None:
    wrong = {p.where: differences(p.english, p.spanish) for p in PAIRS if p.spanish is not None}
    wrong = {where: problems for where, problems in wrong.items() if problems}
    assert not wrong, wrong


def test_the_check_sees_the_facts_of_the_real_texts() -> None:
    """The check is not vacuous: it finds the figures, licence words and jobs the real texts state."""
    fact = next(f for f in REAL.facts if f["occupation"] == "imaging_technician" and f["topic"] == "salary")
    assert stated(fact["text"], "en") == stated(fact[es("text")], "es") == Stated(
        frozenset({70180, 65860, 54620, 2012}), frozenset(),
        frozenset({"nuclear_medicine_technologist", "sonographer", "radiologic_technologist"}))
    duties = next(f for f in REAL.facts if f["occupation"] == "imaging_technician" and f["topic"] == "duties")
    assert stated(duties[es("text")], "es").numbers == {8}  # "ocho tareas"; the list's "1." ... "8." are no facts
    stating = [p for p in PAIRS if p.spanish and (stated(p.spanish, "es").states or stated(p.spanish, "es").jobs)]
    assert len(stating) > 40


def test_each_licence_fact_states_its_word_in_both_languages() -> None:
    for fact in REAL.facts:
        if fact.get("states") in LICENCE_STATES_ORDER:
            assert stated(fact["text"], "en").states == {fact["states"]}, fact["text"]
            assert stated(fact[es("text")], "es").states == {fact["states"]}, fact[es("text")]


def test_the_job_table_knows_every_job_by_its_own_names() -> None:
    """JOBS covers occupations.yml, and each job's name and plural, in each language, name that job alone."""
    assert set(JOBS) == {o["id"] for o in REAL.occupations}
    for occupation in REAL.occupations:
        for key, language in (("name", "en"), ("plural", "en"), (es("name"), "es"), (es("plural"), "es")):
            assert stated(occupation[key], language).jobs == {occupation["id"]}, (occupation["id"], key)


# Deliberately wrong (or rightly different) translations: the check must catch each wrong one, and only those.
CASES = [
    # numbers written the Spanish way are the same number
    ("Median pay was $54,620 in 2012.", "La mediana fue de 54.620 dólares en 2012.", []),
    ("Median pay was $54,620 in 2012.", "La mediana fue de 54 620 dólares en 2012.", []),
    ("Median pay was $54,620 in 2012.", "La mediana fue de $54,620 en 2012.", []),
    ("The description lists eight tasks:", "La descripción nombra 8 tareas:", []),
    # a wrong or a missing number, year or count
    ("Median pay was $54,620 in 2012.", "La mediana fue de $54,260 en 2012.",
     ["numbers only in the Spanish: [54260]", "numbers missing from the Spanish: [54620]"]),
    ("Median pay was $54,620 in 2012.", "La mediana fue de $54,620 en 2013.",
     ["numbers only in the Spanish: [2013]", "numbers missing from the Spanish: [2012]"]),
    ("Median pay was $54,620 in 2012.", "La mediana fue de $54,620.", ["numbers missing from the Spanish: [2012]"]),
    ("The description lists eight tasks:", "La descripción nombra siete tareas:",
     ["numbers only in the Spanish: [7]", "numbers missing from the Spanish: [8]"]),
    ("Pick one of them.", "Elige los dos.", ["numbers only in the Spanish: [2]"]),
    ("Group 3211 (ISCO-08).", "Grupo 3211 (ISCO-88).", ["numbers only in the Spanish: [88]",
                                                         "numbers missing from the Spanish: [8]"]),
    # US-state words
    ("Only a few states require a licence.", "Solo unos pocos estados piden una licencia.", []),
    ("Most US states require a licence.", "La mayoría de los estados de EE. UU. piden una licencia.", []),
    ("Only a few states require a licence.", "La mayoría de los estados piden una licencia.",
     ["states only in the Spanish: ['most']", "states missing from the Spanish: ['only a few']"]),
    ("Some states require a licence.", "Muchos estados piden una licencia.",
     ["states missing from the Spanish: ['some']"]),
    ("They need a licence.", "Algunos estados piden una licencia.", ["states only in the Spanish: ['some']"]),
    # jobs of the group
    ("Sonographers use sound waves.", "Los ecografistas usan ondas de sonido.", []),
    ("Sonographers use sound waves.", "Los tecnólogos radiológicos usan ondas de sonido.",
     ["jobs only in the Spanish: ['radiologic_technologist']", "jobs missing from the Spanish: ['sonographer']"]),
    ("Radiologic technologists and sonographers.", "Los tecnólogos radiológicos.",
     ["jobs missing from the Spanish: ['sonographer']"]),
    ("A chief radiologic technologist.", "Un tecnólogo radiológico.",
     ["jobs only in the Spanish: ['radiologic_technologist']",
      "jobs missing from the Spanish: ['chief_radiologic_technologist']"]),
    ("ECG and EEG technicians.", "Técnicos en ECG y EEG.", []),
    ("ECG and EEG technicians.", "Técnicos en ECG.", ["jobs missing from the Spanish: ['eeg_technician']"]),
]


@pytest.mark.parametrize("english, spanish, expected", CASES)
def test_the_check_catches_a_wrong_translation(english: str, spanish: str, expected: List[str]) -> None:
    assert differences(english, spanish) == expected


def _real(occupation: str, topic: str) -> Dict[str, Any]:
    return next(f for f in REAL.facts if (f["occupation"], f["topic"]) == (occupation, topic))


@pytest.mark.parametrize("occupation, topic, wrong, right, expected", [
    ("imaging_technician", "salary", "$65,860", "$65,680", "numbers only in the Spanish: [65680]"),
    ("imaging_technician", "duties", "ocho tareas", "siete tareas", "numbers only in the Spanish: [7]"),
    ("nuclear_medicine_technologist", "license", "algunos estados", "la mayoría de los estados",
     "states only in the Spanish: ['most']"),
    ("imaging_technician", "specialties", "mamografistas, ", "", "jobs missing from the Spanish: ['mammographer']"),
    ("sonographer", "salary", " en 2012", "", "numbers missing from the Spanish: [2012]"),
])
def test_a_real_text_made_wrong_is_caught(occupation: str, topic: str, wrong: str, right: str,
                                          expected: str) -> None:
    fact = _real(occupation, topic)
    assert wrong in fact[es("text")]
    assert differences(fact["text"], fact[es("text")]) == []
    assert expected in differences(fact["text"], fact[es("text")].replace(wrong, right))


# --- The builder requires each Spanish text ------------------------------------------------------------------

def broken(tmp_path: Path, name: str, change: Callable[[dict], None]) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    data = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
    change(data)
    (directory / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return directory


def entry_of(key: str, **match: str) -> Callable[[dict], dict]:
    def pick(data: dict) -> dict:
        return next(e for e in data[key] if all(e.get(k) == v for k, v in match.items()))
    return pick


MISSING = [
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="duties")(d).pop("text_es"),
     "sonographer/duties", "missing `text_es`"),
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="education")(d).pop("brief_es"),
     "sonographer/education", "missing `brief_es`"),
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="duties")(d).update(brief_es="x"),
     "sonographer/duties", "`brief_es` without `brief`"),
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="salary")(d).update(
        text_es="La mediana fue de $65.860 en 2012."), "sonographer/salary", "`text_es` does not state the figure"),
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="safety")(d).update(
        text_es="Usan ondas de sonido."), "sonographer/safety", "(`text_es` too)"),
    ("facts.yml", lambda d: entry_of("facts", occupation="sonographer", topic="duties")(d).update(
        text_es="Hacen 12 cosas."), "sonographer/duties", "the number 12 is in no evidence quote"),
    ("occupations.yml", lambda d: entry_of("occupations", id="mammographer")(d).pop("name_es"),
     "occupation mammographer", "missing `name_es`"),
    ("occupations.yml", lambda d: entry_of("occupations", id="mammographer")(d).update(plural_es=" "),
     "occupation mammographer", "missing `plural_es`"),
    ("occupations.yml", lambda d: entry_of("occupations", id="sonographer")(d).pop("button_es"),
     "occupation sonographer", "missing `button_es`"),
    ("gaps.yml", lambda d: entry_of("gaps", topic="hours")(d).pop("text_es"), "gap hours", "missing `text_es`"),
    ("other_jobs.yml", lambda d: entry_of("other_jobs", id="nurse")(d).pop("note_es"), "other job nurse",
     "missing `note_es`"),
    ("other_jobs.yml", lambda d: entry_of("other_jobs", id="nurse")(d).pop("plural_es"), "other job nurse",
     "missing `plural_es`"),
    ("sources.yml", lambda d: d["sources"][0].pop("scope_es"), "source psco_3211", "missing `scope_es`"),
    ("sources.yml", lambda d: d["sources"][1]["credits"][0].pop("name_es"), "credit bls", "missing `name_es`"),
    ("discovery.yml", lambda d: entry_of("preferences", id="radiation")(d)["jobs"][0].pop("text_es"),
     "discovery", "preference radiation, radiologic_technologist: `text` has no `text_es`"),
    ("discovery.yml", lambda d: entry_of("preferences", id="babies")(d).pop("silent_es"),
     "discovery", "preference babies: `silent` has no `silent_es`"),
    ("discovery.yml", lambda d: entry_of("steps", id="focus")(d)["buttons"][2].pop("title_es"),
     "discovery", "step focus, button 'Both': `title` has no `title_es`"),
    ("discovery.yml", lambda d: entry_of("steps", id="study")(d).pop("question_es"),
     "discovery", "step study: `question` has no `question_es`"),
    ("discovery.yml", lambda d: entry_of("preferences", id="pay")(d).pop("name_es"),
     "discovery", "preference pay: `name` has no `name_es`"),
    ("places.yml", lambda d: d["shown_es"].pop("toronto"), "shown_es", "no `shown_es` for toronto"),
    ("places.yml", lambda d: d["shown_es"].update({"atlantis": "Atlántida"}), "shown_es",
     "`shown_es` names places that no list has: atlantis"),
]


@pytest.mark.parametrize("name, change, entry, problem", MISSING)
def test_a_missing_spanish_text_stops_the_build_with_its_entry(tmp_path: Path, name: str,
                                                                 change: Callable[[dict], None], entry: str,
                                                                 problem: str) -> None:
    with pytest.raises(KnowledgeError) as error:
        load(broken(tmp_path, name, change))
    assert error.value.file == name
    assert entry in error.value.entry
    assert problem in error.value.problem


# --- KnowledgeBase(language="es") ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def both(kb_url: str) -> Tuple[KnowledgeBase, KnowledgeBase]:
    """The same built file, opened in English (the default) and in Spanish."""
    return KnowledgeBase(kb_url), KnowledgeBase(kb_url, language="es")


def test_english_is_the_default_and_unchanged(both: Tuple[KnowledgeBase, KnowledgeBase]) -> None:
    en, _ = both
    assert en.language == "en"
    assert [o.name for o in en.occupations()] == [o["name"] for o in REAL.occupations]
    assert [f.text for f in en.facts()] == [f["text"].strip() for f in REAL.facts]
    assert en.topic_label("salary") == TOPIC_LABELS["salary"]
    place = en.named_place("licence in the uk")
    assert place is not None and place.shown() == "the UK"


def test_an_unknown_language_is_refused(kb_url: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        KnowledgeBase(kb_url, language="fr")


def test_spanish_texts_in_the_same_fields(both: Tuple[KnowledgeBase, KnowledgeBase]) -> None:
    _, sp = both
    assert sp.language == "es"
    for occupation in REAL.occupations:
        info = sp.occupation(occupation["id"])
        assert info is not None
        assert (info.name, info.plural, info.button) == (
            occupation[es("name")], occupation[es("plural")], occupation.get(es("button")))
    for fact in REAL.facts:
        info = sp.fact(fact["occupation"], fact["topic"])
        assert info is not None
        assert (info.text, info.brief) == (fact[es("text")].strip(), fact.get(es("brief")))
    for gap in REAL.gaps:
        info = sp.gap(gap["topic"])
        assert info is not None and info.text == gap[es("text")].strip()
    for job in REAL.other_jobs:
        info = sp.other_job(job["id"])
        assert info is not None
        note = " ".join(job[es("note")].split())
        assert (info.name, info.plural, info.note) == (job[es("name")], job[es("plural")], note)
    for source in REAL.sources:
        info = sp.sources([source["id"]])[0]
        assert (info.published_in, info.scope, info.citation) == (
            source[es("published_in")], source[es("scope")], source[es("citation")])
        assert (info.title, info.publisher, info.author) == (source["title"], source["publisher"], source.get("author"))
        for credit in source.get("credits") or []:
            assert sp.credits([credit["id"]])[0].name == credit[es("name")]
    assert {t: sp.topic_label(t) for t in TOPIC_LABELS} == TOPIC_LABELS_ES


def test_spanish_keeps_the_ids_figures_and_sources(both: Tuple[KnowledgeBase, KnowledgeBase]) -> None:
    en, sp = both
    for a, b in zip(en.occupations(), sp.occupations(), strict=True):
        assert (a.id, a.parent_id, a.featured, a.source_titles, a.source_ids, a.parent_evidence, a.not_borrowed) == (
            b.id, b.parent_id, b.featured, b.source_titles, b.source_ids, b.parent_evidence, b.not_borrowed)
        assert a.name != b.name, a.id
    for a, b in zip(en.facts(), sp.facts(), strict=True):
        assert (a.occupation_id, a.topic, a.states, a.source_ids, a.figures, a.attribution, a.radiation) == (
            b.occupation_id, b.topic, b.states, b.source_ids, b.figures, b.attribution, b.radiation)
        assert a.text != b.text
    for topic in ("outlook", "hours", "program_length", "salary_scope", "pakistan_rules"):
        a, b = en.gap(topic), sp.gap(topic)
        assert a is not None and b is not None and a.related == b.related
    for a, b in zip(en.other_jobs(), sp.other_jobs(), strict=True):
        assert (a.id, a.source_ids, a.could_be) == (b.id, b.source_ids, b.could_be)
    assert en.all_sources() == sp.all_sources()
    for a, b in zip(en.sources(en.all_sources()), sp.sources(sp.all_sources()), strict=True):
        assert (a.id, a.role, a.title, a.publisher, a.author, a.figures_year, a.published, a.credit_ids) == (
            b.id, b.role, b.title, b.publisher, b.author, b.figures_year, b.published, b.credit_ids)
    assert [(c.id, c.source_id, c.short) for c in en.all_credits()] == [
        (c.id, c.source_id, c.short) for c in sp.all_credits()]


def test_spanish_resolves_and_borrows_as_english_does(both: Tuple[KnowledgeBase, KnowledgeBase]) -> None:
    """Names and aliases are the same in every language; so is which fact a job borrows."""
    en, sp = both
    for typed in [*REAL.aliases, *REAL.generated, "sonografer", "nuclear med techs", "x ray technologists"]:
        assert en.resolve(typed) == sp.resolve(typed), typed
    for typed in REAL.other_aliases:
        assert getattr(en.other_job(typed), "id", None) == getattr(sp.other_job(typed), "id", None), typed
    assert en.field_words() == sp.field_words() and en.group().id == sp.group().id
    assert [o.id for o in en.featured()] == [o.id for o in sp.featured()]
    for occupation in REAL.occupations:
        for topic in TOPIC_LABELS:
            a, b = en.find_fact(occupation["id"], topic), sp.find_fact(occupation["id"], topic)
            assert (a and (a.occupation_id, a.topic)) == (b and (b.occupation_id, b.topic))
            assert en.figure(occupation["id"]) == sp.figure(occupation["id"])
    assert en.grouping_is_reading("chief_radiologic_technologist") == sp.grouping_is_reading(
        "chief_radiologic_technologist")


def test_spanish_discovery_and_places(both: Tuple[KnowledgeBase, KnowledgeBase]) -> None:
    en, sp = both
    a, b = en.discovery(), sp.discovery()
    assert a.preferences == read_discovery().preferences and a.steps == read_discovery().steps
    assert list(a.preferences) == list(b.preferences) and a.words == b.words and a.ignore == b.ignore
    assert b.stated("i like machines but no radiation") == a.stated("i like machines but no radiation")
    for p, q in zip(a.preferences.values(), b.preferences.values(), strict=True):
        assert (p.id, p.ranked_by, p.same_for_all, p.each, p.rules_out) == (q.id, q.ranked_by, q.same_for_all,
                                                                            q.each, q.rules_out)
        assert [(r.occupation, r.fact, r.reading) for r in (*p.jobs, *p.without, *p.silent_facts)] == [
            (r.occupation, r.fact, r.reading) for r in (*q.jobs, *q.without, *q.silent_facts)]
        assert p.name != q.name
        assert [r.text is None for r in p.jobs] == [r.text is None for r in q.jobs]
    for s, t in zip(a.steps, b.steps, strict=True):
        assert (s.id, s.preferences, [v for _, v in s.buttons], s.yes, s.no) == (
            t.id, t.preferences, [v for _, v in t.buttons], t.yes, t.no)
        assert s.question != t.question
    written = next(p for p in raw("discovery.yml")["preferences"] if p["id"] == "radiation")
    radiation = b.preferences["radiation"]
    assert radiation.name == written[es("name")]
    assert [r.text for r in radiation.jobs] == [j[es("text")] for j in written["jobs"]]
    assert b.steps[0].question == raw("discovery.yml")["steps"][0][es("question")]
    for text, shown in [("licence in the uk", "el Reino Unido"), ("jobs in toronto", "Toronto"),
                        ("pay in euros", "el pago en euros"), ("rad tech salary in new york", "Nueva York"),
                        ("is band 5 good", "la banda 5")]:
        english, spanish = en.named_place(text), sp.named_place(text)
        assert english is not None and spanish is not None
        assert (spanish.name, spanish.kind) == (english.name, english.kind) and spanish.shown() == shown
    assert sp.named_place("what does a sonographer do") is None
