"""The builder: the real knowledge base loads, broken files are named, generated files are fresh."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

from knowledge import build
from knowledge.build import KnowledgeError, load
from knowledge.query import KnowledgeBase, KnowledgeBaseMissing
from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION, SOURCE_ROLES

KNOWLEDGE = Path(build.KNOWLEDGE_DIR)
REAL = load()  # the project's knowledge files: expectations come from them, never typed here
NAMES = {**REAL.aliases, **REAL.generated}  # what people type -> occupation id
SOURCE_OF_ROLE = {s["role"]: s["id"] for s in REAL.sources}


def test_real_knowledge_base_is_valid_and_complete(kb: KnowledgeBase) -> None:
    ids = {o.id for o in kb.occupations()}
    assert len(ids) >= 15
    assert kb.featured() and kb.group().parent_id is None
    for job in kb.featured():
        for topic in ("overview", "duties", "license", "salary", "education", "best_paying"):
            assert kb.fact(job.id, topic) is not None, (job.id, topic)
    for topic in ("overview", "duties", "safety", "equipment"):
        assert kb.fact(kb.group().id, topic) is not None


def test_every_source_role_names_one_source(kb: KnowledgeBase) -> None:
    assert {kb.source_for_role(role).role for role in SOURCE_ROLES} == set(SOURCE_ROLES)
    assert kb.source_for_role(CLASSIFICATION).id != kb.source_for_role(CAREER_ARTICLE).id
    with pytest.raises(KeyError):
        kb.source_for_role("blog")


@pytest.mark.parametrize("typed, expected", [
    ("Sonographers", "diagnostic medical sonographer"),
    ("ultrasound tech", "diagnostic medical sonographer"),
    ("x-ray techs", "radiologic technologist"),
    ("rad tech", "radiologic technologist"),
    ("nuke med tech", "nuclear medicine technologist"),
    ("nuclear medicine", "nuclear medicine technologist"),
    ("sonografer", "diagnostic medical sonographer"),
    ("Mammo grapher", "mammographer"),
    ("cat scan technologist", "CT technologist"),
    ("computer aided tomography technologist", "CT technologist"),
    ("magnetic resonance imaging technologist", "MRI technologist"),
    ("radiation therapy technologist", "radiation therapist"),
    ("medical radiation therapist", "radiation therapist"),
    ("electrocardiograph equipment operator", "ECG technician"),
    ("EKG tech", "ECG technician"),
    ("electroencephalograph technician", "EEG technician"),
    ("neurodiagnostic technologist", "neurodiagnostic technologist"),
    ("polysomnography technician", "polysomnography technologist"),
    ("audiometric equipment operator", "audiometric technician"),
    ("optical scanner operator", "optical scanning equipment operator"),
    ("scanning equipment technician", "medical scanning equipment technician"),
    ("chief radiologic technologist", "chief radiologic technologist"),
    ("nuclear medicine therapist", "nuclear medicine therapist"),
    ("medical technologist", "medical technologist"),
])
def test_every_title_is_recognised_by_the_names_people_use(kb: KnowledgeBase, typed: str, expected: str) -> None:
    """What people type resolves to the job of that name (names, not ids: ids are the code's business)."""
    resolved = kb.resolve(typed)
    job = kb.occupation(resolved) if resolved else None
    assert job is not None and job.name == expected, (typed, resolved)


@pytest.mark.parametrize("typed", ["", "   ", "nurse", "pilot", "x" * 5000, "'; DROP TABLE aliases; --", None, 42])
def test_unknown_names_resolve_to_nothing(kb: KnowledgeBase, typed: object) -> None:
    assert kb.resolve(typed) is None  # type: ignore[arg-type]


def test_specific_titles_borrow_from_their_nearest_ancestor(kb: KnowledgeBase) -> None:
    """Every title without its own fact on a topic gets the nearest ancestor's that has one,
    except on the topics it lists as `not_borrowed`, where it gets none."""
    borrowed = 0
    for job in kb.occupations():
        for topic in {f.topic for f in kb.facts()}:
            if kb.fact(job.id, topic) is None and topic in job.not_borrowed:
                assert kb.find_fact(job.id, topic) is None, (job.id, topic)
            elif kb.fact(job.id, topic) is None:
                owners = [o for o in kb.lineage(job.id) if kb.fact(o, topic) is not None]
                fact = kb.find_fact(job.id, topic)
                assert (fact.occupation_id if fact else None) == (owners[0] if owners else None), (job.id, topic)
                borrowed += bool(owners) and owners[0] != kb.group().id
    assert borrowed, "no title borrows from a parent below the group: the lineage is not exercised"


def test_salary_figures_carry_the_year_and_scope_of_their_source(kb: KnowledgeBase) -> None:
    for job in kb.featured():
        fact, figure = kb.fact(job.id, "salary"), kb.figure(job.id)
        assert fact is not None and figure is not None and figure.statistic
        for source in kb.sources(fact.source_ids):
            assert (figure.year, figure.scope) == (source.figures_year, source.scope), (job.id, source.id)
        assert f"{figure.value:,}" in fact.text and str(figure.year) in fact.text


def test_generated_nlu_file_once_built_is_fresh() -> None:
    """Not committed: `make unit` builds it first, so here it exists and must match knowledge/*.yml."""
    if not build.GENERATED_NLU.exists():
        pytest.skip(f"{build.GENERATED_NLU} is not built yet (`make kb` builds it)")
    assert build.main(["--check"]) == 0, "run `make kb`"


def test_ruler_patterns_come_from_aliases_with_plurals() -> None:
    patterns = {p["pattern"]: p["id"] for p in build.ruler_patterns(load())}
    assert patterns["sonographers"] == REAL.aliases["sonographer"]  # a generated plural, its singular's job
    assert patterns["rad techs"] == REAL.aliases["rad tech"]
    assert patterns["x-ray tech"] == REAL.aliases["x-ray tech"]
    references = {p["pattern"]: p["id"] for p in build.ruler_patterns(load()) if p["label"] == "reference"}
    assert references["this group"] == "imaging_technician" and not set(references) & set(REAL.aliases)


def test_spacy_pipeline_finds_occupations(tmp_path: Path) -> None:
    import spacy

    from knowledge.spacy_pipeline import build_pipeline

    build_pipeline().to_disk(tmp_path / "pipeline")
    nlp = spacy.load(tmp_path / "pipeline")
    doc = nlp("how much do X-ray techs and Sonographers make")
    assert [(e.text, e.ent_id_) for e in doc.ents] == [
        ("X-ray techs", NAMES["x-ray techs"]), ("Sonographers", NAMES["sonographers"])]
    assert [t.lemma_ for t in nlp("they were earning")] == ["they", "be", "earn"]
    # chat spellings survive the save and load: the classifier sees the words the training data uses
    assert [t.lemma_ for t in nlp("wat r u abt pls")] == ["what", "be", "you", "about", "please"]


# --- Broken files: each error names the file and the entry -------------------------------------

def broken(tmp_path: Path, name: str, change: Callable[[dict], None]) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    data = yaml.safe_load((directory / name).read_text())
    change(data)
    (directory / name).write_text(yaml.safe_dump(data, sort_keys=False))
    return directory


def first(key: str, **match: str) -> Callable[[dict], dict]:
    def pick(data: dict) -> dict:
        return next(e for e in data[key] if all(e.get(k) == v for k, v in match.items()))
    return pick


CASES = [
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(sources=["nowhere"]),
     "fact", "unknown source id `nowhere`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).pop("sources"),
     "sonographer/duties", "needs at least one source"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="salary")(d)["figures"][0].pop("year"),
     "sonographer/salary", "a figure without its `year`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="salary")(d)["figures"][0].update(
        value=99999), "sonographer/salary", "does not state the figure 99,999"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="license")(d).pop("evidence"),
     "sonographer/license", "needs `evidence`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="salary")(d).update(
        evidence=["Diagnostic medical sonographers may specialize"]), "sonographer/salary", "is in no evidence quote"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d)["evidence"].append("x" * 201),
     "sonographer/duties", "longer than 200 characters"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="license")(d).pop("states"),
     "sonographer/license", "need `states`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(topic="hobbies"),
     "sonographer/hobbies", "unknown topic"),
    ("facts.yml", lambda d: d["facts"].append(dict(first("facts", occupation="sonographer", topic="duties")(d))),
     "sonographer/duties", "a second fact"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(occupation="nurse"),
     "nurse/duties", "unknown occupation `nurse`"),
    ("occupations.yml", lambda d: first("occupations", id="mammographer")(d)["aliases"].append("rad tech"),
     "occupation mammographer", f"alias `rad tech` is also an alias of `{NAMES['rad tech']}`"),
    ("occupations.yml", lambda d: first("occupations", id="mammographer")(d).update(parent="dentist"),
     "occupation mammographer", "unknown parent `dentist`"),
    ("occupations.yml", lambda d: first("occupations", id="mammographer")(d).update(sources=["blog"]),
     "occupation mammographer", "unknown source id `blog`"),
    ("sources.yml", lambda d: first("sources", role=CLASSIFICATION)(d).pop("citation"),
     f"source {SOURCE_OF_ROLE[CLASSIFICATION]}", "missing `citation`"),
    ("sources.yml", lambda d: first("sources", role=CLASSIFICATION)(d).pop("role"),
     f"source {SOURCE_OF_ROLE[CLASSIFICATION]}", "missing `role`"),
    ("sources.yml", lambda d: first("sources", role=CLASSIFICATION)(d).update(role="blog"),
     f"source {SOURCE_OF_ROLE[CLASSIFICATION]}", "unknown role `blog`"),
    ("sources.yml", lambda d: first("sources", role=CAREER_ARTICLE)(d).update(role=CLASSIFICATION),
     f"source {SOURCE_OF_ROLE[CAREER_ARTICLE]}", f"role `{CLASSIFICATION}` is also the role of"),
    ("occupations.yml", lambda d: first("occupations", id="mammographer")(d).pop("parent"),
     "-", "exactly one occupation (the group) has no parent"),
    ("occupations.yml", lambda d: [o.pop("featured", None) for o in d["occupations"]],
     "-", "no occupation is `featured`"),
    ("gaps.yml", lambda d: first("gaps", topic="hours")(d).update(related=["nightlife"]),
     "gap hours", "unknown related topic"),
    ("other_jobs.yml", lambda d: first("other_jobs", id="radiologist")(d)["aliases"].append("rad techs"),
     "other job radiologist", f"alias `rad techs` names `{NAMES['rad techs']}` in the group"),
    ("other_jobs.yml", lambda d: first("other_jobs", id="radiologist")(d).update(sources=["blog"]),
     "other job radiologist", "unknown source id `blog`"),
    ("other_jobs.yml", lambda d: first("other_jobs", id="radiologist")(d).pop("note"),
     "other job radiologist", "missing `note`"),
    ("occupations.yml", lambda d: first("occupations", id="sonographer")(d).update(parent_evidence="sonography"),
     "occupation sonographer", "`parent_evidence` is for a parent other than the group"),
    ("occupations.yml", lambda d: first("occupations", id="sonographer")(d).update(parent_evidence=""),
     "occupation sonographer", "`parent_evidence` must be one quote"),
    ("occupations.yml", lambda d: first("occupations", id="sonographer")(d).update(not_borrowed=["gossip"]),
     "occupation sonographer", "`not_borrowed` lists topics"),
    # attributions: a credit of one of the fact's own sources (sources.yml `credits`)
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(attribution="nih"),
     "sonographer/duties", "unknown attribution `nih`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(
        attribution=["bls", "who"]), "sonographer/duties", "unknown attribution `who`"),
    ("facts.yml", lambda d: first("facts", occupation="imaging_technician", topic="duties")(d).update(
        attribution="bls"), "imaging_technician/duties", "which the fact does not cite"),
    ("sources.yml", lambda d: first("sources", role=CAREER_ARTICLE)(d)["credits"][0].pop("named_in_text"),
     f"source {SOURCE_OF_ROLE[CAREER_ARTICLE]}, credit bls", "missing `named_in_text`"),
    ("sources.yml", lambda d: first("sources", role=CAREER_ARTICLE)(d)["credits"][0].update(
        id=SOURCE_OF_ROLE[CLASSIFICATION]), f"source {SOURCE_OF_ROLE[CAREER_ARTICLE]}, credit", "duplicate id"),
    ("sources.yml", lambda d: first("sources", role=CAREER_ARTICLE)(d).update(published=2012),
     f"source {SOURCE_OF_ROLE[CAREER_ARTICLE]}", "`published` is the date the text gives"),
    # radiation marks: known values; a job described without radiation owns no radiation-protection fact
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(radiation="lots"),
     "sonographer/duties", "unknown `radiation` `lots`"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="duties")(d).update(
        radiation="none_described"), "sonographer/duties", "says in its text that the sources mention no radiation"),
    ("facts.yml", lambda d: first("facts", occupation="sonographer", topic="equipment")(d).update(
        radiation="protection"), "sonographer/equipment", "a radiation-protection fact of a job marked"),
    # a reference ("this group") points at one occupation, and is never also a name
    ("occupations.yml", lambda d: first("occupations", id="sonographer")(d).update(references=["this group"]),
     "occupation sonographer", "reference `this group` points at two occupations"),
    ("occupations.yml", lambda d: first("occupations", id="sonographer")(d).update(references=["rad tech"]),
     "occupation sonographer", "reference `rad tech` is also a name"),
]


@pytest.mark.parametrize("name, change, entry, problem", CASES)
def test_broken_file_is_named_with_its_entry(tmp_path: Path, name: str, change: Callable[[dict], None],
                                             entry: str, problem: str) -> None:
    directory = broken(tmp_path, name, change)
    with pytest.raises(KnowledgeError) as error:
        load(directory)
    assert error.value.file == name
    assert entry in error.value.entry
    assert problem in error.value.problem


def test_invalid_yaml_and_missing_file_are_named(tmp_path: Path) -> None:
    directory = broken(tmp_path, "gaps.yml", lambda d: None)
    (directory / "gaps.yml").write_text("gaps: [unclosed\n")
    with pytest.raises(KnowledgeError, match=r"gaps.yml: -: not valid YAML"):
        load(directory)
    (directory / "gaps.yml").write_bytes(b"gaps:\n  - topic: \xff\xfe\n")
    with pytest.raises(KnowledgeError, match=r"gaps.yml: -: not UTF-8"):
        load(directory)
    (directory / "facts.yml").unlink()
    with pytest.raises(KnowledgeError, match=r"facts.yml: -: file not found"):
        load(directory)


def test_missing_or_corrupt_database_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseMissing, match="make kb"):
        KnowledgeBase(f"sqlite:///{tmp_path / 'absent.db'}")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(KnowledgeBaseMissing, match="make kb"):
        KnowledgeBase(f"sqlite:///{corrupt}")


def test_build_cli_reports_errors_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    assert build.main(["--db", url, "--nlu", str(tmp_path / "nlu.yml")]) == 0
    assert (tmp_path / "nlu.yml").read_text() == build.nlu_yaml(load())
    assert KnowledgeBase(url).resolve("sonographers") == "sonographer"


def test_builds_at_the_same_moment_leave_a_whole_database_that_readers_can_use(tmp_path: Path) -> None:
    """`make eval` and `make bench` started together once failed on "table already exists"."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'kb.db'}"
    command = [sys.executable, "-m", "knowledge.build", "--db", url, "--nlu", str(tmp_path / "nlu.yml")]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    reads = []
    while any(b.poll() is None for b in builds):  # read while they write: never a half-built file
        if (tmp_path / "kb.db").exists():
            reads.append(KnowledgeBase(url).resolve("sonographers"))
    results = [b.communicate() for b in builds]
    assert [b.returncode for b in builds] == [0] * 4, results
    assert set(reads) <= {"sonographer"}
    assert KnowledgeBase(url).resolve("x-ray tech") == NAMES["x-ray tech"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb.db", "nlu.yml"]  # no temporary left behind


def test_the_groups_number_points_at_the_group_without_being_a_name() -> None:
    """"does the ecg technician belong to 3211" asks about the ECG technician: the number is a reference."""
    knowledge = load()
    assert knowledge.references["3211"] == knowledge.references["group 3211"] == "imaging_technician"
    assert "3211" not in knowledge.aliases and "3211" not in knowledge.generated
    assert knowledge.generated["x ray technician"] == knowledge.aliases["x-ray technician"]
