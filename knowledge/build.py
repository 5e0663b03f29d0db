"""Validate the knowledge YAML, load it into SQLite, and generate what NLU needs from it.

Run `python -m knowledge.build` (the Makefile does). `--check` fails when the generated
NLU file is stale, so aliases are typed once, in `occupations.yml`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from knowledge import discovery, models, places
from knowledge.language import folded
from knowledge.names import CONTEXT_REFERENCE, OTHER_JOB, REFERENCE
from knowledge.query import database_url
from knowledge.vocabulary import (
    ENGLISH,
    GAPS,
    LANGUAGES,
    LICENCE_STATES,
    NO_RADIATION,
    RADIATION_MARKS,
    RADIATION_PROTECTION,
    SOURCE_ROLES,
    SPANISH,
    TOPIC_LABELS,
    translated,
)

KNOWLEDGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = KNOWLEDGE_DIR.parent
GENERATED_NLU = PROJECT_DIR / "data" / "generated" / "occupations.yml"

TOPICS = tuple(TOPIC_LABELS)  # what facts may be about (knowledge/vocabulary.py)
# What gaps may be about: the question topics the sources never cover, and two caveats that
# answers add (pay outside the US or after its year; Pakistan's classification has no rules).
GAP_TOPICS = (*GAPS, "salary_scope", "pakistan_rules")
FIGURE_FIELDS = ("value", "unit", "statistic", "year", "scope")
PLURAL_ENDINGS = ("er", "or", "ist", "ian", "tech", "ant")
MAX_QUOTE = 200  # characters of one evidence quote: enough to prove a fact, too few to copy an article
NUMBER = re.compile(r"\d[\d,]*\d|\d")
LIST_MARK = re.compile(r"(?m)^\s*\d+\.\s")  # "1. Run ..." numbers a list; it states no fact
# What each file shows a student, field by field: each has its translation beside it in every other language
# (`text_es`), wherever the English one is. Ids, figures, sources, aliases and evidence quotes are shared.
SHOWN = {
    "sources.yml": ("published_in", "scope", "citation"),  # titles, publishers and authors stay as published
    "credits": ("name",),  # sources.yml `credits`
    "occupations.yml": ("name", "plural", "button"),
    "facts.yml": ("text", "brief"),
    "gaps.yml": ("text",),
    "other_jobs.yml": ("name", "plural", "note"),
}
# The word a `none_described` fact's text uses for radiation, in each language.
RADIATION_WORD = {ENGLISH: "radiation", SPANISH: "radiación"}


class KnowledgeError(ValueError):
    """A problem in a knowledge file, named by file and entry so a maintainer can fix it."""

    def __init__(self, file: str, entry: str, problem: str) -> None:
        super().__init__(f"{file}: {entry}: {problem}")
        self.file, self.entry, self.problem = file, entry, problem


@dataclass
class Knowledge:
    """The validated content of the four YAML files."""

    sources: List[Dict[str, Any]]
    occupations: List[Dict[str, Any]]
    facts: List[Dict[str, Any]]
    gaps: List[Dict[str, Any]]
    aliases: Dict[str, str] = field(default_factory=dict)  # alias -> occupation id
    generated: Dict[str, str] = field(default_factory=dict)  # plural alias -> id
    fields: Set[str] = field(default_factory=set)  # aliases that name a field of work
    references: Dict[str, str] = field(default_factory=dict)  # "this group" -> occupation id
    context_references: Dict[str, str] = field(default_factory=dict)  # "this career" -> occupation id
    other_jobs: List[Dict[str, Any]] = field(default_factory=list)  # outside the group
    other_aliases: Dict[str, str] = field(default_factory=dict)  # alias (plurals too) -> other job id


def plural(alias: str) -> Optional[str]:
    """The plural people type for an alias ("rad tech" -> "rad techs"), if it has one."""
    if alias.endswith(PLURAL_ENDINGS) and not alias.endswith("s"):
        return alias + "s"
    return None


def spellings(alias: str) -> List[str]:
    """The other ways people type a name: a hyphenated one with a space or joined ("x-ray tech" as "x ray tech"
    and "xray tech"), and one with accents without some or all of them ("técnico radiólogo" as "tecnico
    radiologo" or "técnico radiologo"): each word keeps or drops its accents on its own."""
    found = [alias.replace("-", " "), alias.replace("-", "")] if "-" in alias else []
    words = alias.split(" ")
    choices = [sorted({w, folded(w)}, key=lambda v: v != w) for w in words]
    for combination in itertools.islice(itertools.product(*choices), 1, 64):  # the first is the alias itself
        variant = " ".join(combination)
        found += [v for v in [variant] + spellings(variant) if v != alias and v not in found]
    return found


def _read(directory: Path, name: str, key: str) -> List[Dict[str, Any]]:
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(name, "-", f"file not found in {directory}") from None
    except UnicodeDecodeError as error:
        raise KnowledgeError(name, "-", f"not UTF-8 ({error.reason})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KnowledgeError(name, "-", f"not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise KnowledgeError(name, "-", f"expected a top-level list `{key}:`")
    for index, entry in enumerate(data[key]):
        if not isinstance(entry, dict):
            raise KnowledgeError(name, f"entry {index + 1}", "expected a mapping")
    return data[key]


def _require(file: str, entry: str, item: Dict[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        value = item.get(key)
        if value is None or (isinstance(value, (str, list)) and not value):
            raise KnowledgeError(file, entry, f"missing `{key}`")


def _require_translations(file: str, entry: str, item: Dict[str, Any], shown: str) -> None:
    """Every text a student sees (SHOWN) has its translation beside it, and no translation stands alone."""
    for english in SHOWN[shown]:
        for language in LANGUAGES[1:]:
            key = translated(english, language)
            own = item.get(key)
            if item.get(english) is None:
                if own is not None:
                    raise KnowledgeError(file, entry, f"`{key}` without `{english}`")
            elif not isinstance(own, str) or not own.strip():
                raise KnowledgeError(file, entry, f"missing `{key}` (the {language} text of `{english}`)")


def _check_sources(file: str, entry: str, ids: Any, known: Dict[str, Any]) -> None:
    if not isinstance(ids, list) or not ids:
        raise KnowledgeError(file, entry, "needs at least one source in `sources`")
    for source_id in ids:
        if source_id not in known:
            raise KnowledgeError(file, entry, f"unknown source id `{source_id}`")


def load(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Read and validate the knowledge files; raise KnowledgeError on the first problem."""
    sources = _read(directory, "sources.yml", "sources")
    occupations = _read(directory, "occupations.yml", "occupations")
    facts = _read(directory, "facts.yml", "facts")
    gaps = _read(directory, "gaps.yml", "gaps")
    other_jobs = _read(directory, "other_jobs.yml", "other_jobs")

    source_ids: Dict[str, Any] = {}
    for index, source in enumerate(sources):
        entry = f"source {source.get('id') or index + 1}"
        _require("sources.yml", entry, source,
                 ("id", "role", "title", "publisher", "file", "scope", "citation", "licence"))
        _require_translations("sources.yml", entry, source, "sources.yml")
        if source["id"] in source_ids:
            raise KnowledgeError("sources.yml", entry, "duplicate id")
        source_ids[source["id"]] = source
    _check_roles(sources)
    credit_sources = _check_credits(sources)

    occupation_ids: Dict[str, Any] = {}
    for index, occupation in enumerate(occupations):
        entry = f"occupation {occupation.get('id') or index + 1}"
        _require("occupations.yml", entry, occupation, ("id", "name", "plural", "aliases", "source_titles"))
        _require_translations("occupations.yml", entry, occupation, "occupations.yml")
        if occupation["id"] in occupation_ids:
            raise KnowledgeError("occupations.yml", entry, "duplicate id")
        _check_sources("occupations.yml", entry, occupation.get("sources"), source_ids)
        occupation_ids[occupation["id"]] = occupation

    knowledge = Knowledge(sources, occupations, facts, gaps)
    for occupation in occupations:
        entry = f"occupation {occupation['id']}"
        parent = occupation.get("parent")
        if parent is not None and parent not in occupation_ids:
            raise KnowledgeError("occupations.yml", entry, f"unknown parent `{parent}`")
        for alias in [occupation["id"].replace("_", " "), *occupation["aliases"]]:
            key = str(alias).strip().lower()
            owner = knowledge.aliases.get(key)
            if owner is not None and owner != occupation["id"]:
                raise KnowledgeError("occupations.yml", entry, f"alias `{alias}` is also an alias of `{owner}`")
            knowledge.aliases[key] = occupation["id"]
        for word in occupation.get("fields") or []:
            if str(word).strip().lower() not in map(str.lower, occupation["aliases"]):
                raise KnowledgeError("occupations.yml", entry, f"field word `{word}` is not one of its aliases")
            knowledge.fields.add(str(word).strip().lower())
        for kind, found in (("references", knowledge.references),
                            ("context_references", knowledge.context_references)):
            for phrase in occupation.get(kind) or []:
                key = str(phrase).strip().lower()
                if found.get(key, occupation["id"]) != occupation["id"]:
                    raise KnowledgeError("occupations.yml", entry, f"reference `{phrase}` points at two occupations")
                found[key] = occupation["id"]
                for variant in spellings(key):
                    found.setdefault(variant, occupation["id"])
    for alias, occupation_id in list(knowledge.aliases.items()):
        extra = plural(alias)
        for variant in [extra] + spellings(alias) + spellings(extra or ""):
            if variant and variant not in knowledge.aliases and variant not in knowledge.generated:
                knowledge.generated[variant] = occupation_id
    knowledge.fields |= {v for word in list(knowledge.fields) for v in spellings(word)
                         if v in knowledge.aliases or v in knowledge.generated}
    for phrase, occupation_id in [*knowledge.references.items(), *knowledge.context_references.items()]:
        if phrase in knowledge.aliases or phrase in knowledge.generated or (
                phrase in knowledge.references and phrase in knowledge.context_references):
            raise KnowledgeError("occupations.yml", f"occupation {occupation_id}",
                                 f"reference `{phrase}` is also a name")
    _check_parents(occupation_ids)
    _check_group(occupations)
    _load_other_jobs(knowledge, other_jobs, source_ids)

    seen = set()
    for index, fact in enumerate(facts):
        entry = f"fact {index + 1} ({fact.get('occupation')}/{fact.get('topic')})"
        _require("facts.yml", entry, fact, ("occupation", "topic", "text"))
        _require_translations("facts.yml", entry, fact, "facts.yml")
        if fact["occupation"] not in occupation_ids:
            raise KnowledgeError("facts.yml", entry, f"unknown occupation `{fact['occupation']}`")
        if fact["topic"] not in TOPICS:
            raise KnowledgeError("facts.yml", entry, f"unknown topic `{fact['topic']}`; use one of {', '.join(TOPICS)}")
        _check_sources("facts.yml", entry, fact.get("sources"), source_ids)
        key = (fact["occupation"], fact["topic"])
        if key in seen:
            raise KnowledgeError("facts.yml", entry, "a second fact for the same occupation and topic")
        seen.add(key)
        _check_figures(entry, fact, occupation_ids)
        _check_evidence(entry, fact)
        _check_attribution(entry, fact, credit_sources)
        _check_radiation(entry, fact)
        if fact["topic"] == "license" and fact.get("states") not in LICENCE_STATES:
            raise KnowledgeError("facts.yml", entry, f"licence facts need `states`, one of {LICENCE_STATES}")

    _check_radiation_jobs(facts)
    try:  # what discovery ties to each job must be that job's own facts, in every language
        for language in LANGUAGES:
            discovery.check(discovery.read(directory / "discovery.yml", language), occupation_ids, seen, TOPICS)
    except discovery.DiscoveryError as error:
        raise KnowledgeError("discovery.yml", "discovery", str(error)) from None
    try:  # every place a reply may name has its name in every language
        places.check(directory / "places.yml")
    except ValueError as error:
        raise KnowledgeError("places.yml", "shown_es", str(error)) from None

    for index, gap in enumerate(gaps):
        entry = f"gap {gap.get('topic') or index + 1}"
        _require("gaps.yml", entry, gap, ("topic", "text"))
        _require_translations("gaps.yml", entry, gap, "gaps.yml")
        if gap["topic"] not in GAP_TOPICS:
            raise KnowledgeError("gaps.yml", entry, f"unknown gap topic; use one of {', '.join(GAP_TOPICS)}")
        for related in gap.get("related") or []:
            if related not in TOPICS and related != "titles":
                raise KnowledgeError("gaps.yml", entry, f"unknown related topic `{related}`")
    return knowledge


def _load_other_jobs(knowledge: Knowledge, other_jobs: List[Dict[str, Any]], source_ids: Dict[str, Any]) -> None:
    """Jobs outside the group: their names must never also name a job in it."""
    taken = {**knowledge.aliases, **knowledge.generated}
    ids = set()
    for index, job in enumerate(other_jobs):
        entry = f"other job {job.get('id') or index + 1}"
        _require("other_jobs.yml", entry, job, ("id", "name", "plural", "aliases", "note", "sources"))
        _require_translations("other_jobs.yml", entry, job, "other_jobs.yml")
        if job["id"] in ids or job["id"] in {o["id"] for o in knowledge.occupations}:
            raise KnowledgeError("other_jobs.yml", entry, "duplicate id")
        ids.add(job["id"])
        _check_sources("other_jobs.yml", entry, job["sources"], source_ids)
        known = {o["id"] for o in knowledge.occupations} | {j["id"] for j in other_jobs}
        for meant in job.get("could_be") or []:
            if meant not in known or meant == job["id"]:
                raise KnowledgeError("other_jobs.yml", entry, f"`could_be` names no other job: `{meant}`")
        names = [str(a).strip().lower() for a in job["aliases"]]
        written = names + [p for p in map(plural, names) if p]
        for alias in written:
            if alias in taken:
                raise KnowledgeError("other_jobs.yml", entry, f"alias `{alias}` names `{taken[alias]}` in the group")
            knowledge.other_aliases.setdefault(alias, job["id"])
        for alias in (v for a in written for v in spellings(a)):
            if alias not in taken:
                knowledge.other_aliases.setdefault(alias, job["id"])
        knowledge.other_jobs.append(job)


def _check_roles(sources: List[Dict[str, Any]]) -> None:
    """Code asks for a source by its role, so each role must name exactly one source."""
    holders: Dict[str, str] = {}
    for source in sources:
        entry, role = f"source {source['id']}", source["role"]
        if role not in SOURCE_ROLES:
            raise KnowledgeError("sources.yml", entry, f"unknown role `{role}`; use one of {', '.join(SOURCE_ROLES)}")
        if role in holders:
            raise KnowledgeError("sources.yml", entry, f"role `{role}` is also the role of `{holders[role]}`")
        holders[role] = source["id"]
    for role in SOURCE_ROLES:
        if role not in holders:
            raise KnowledgeError("sources.yml", "-", f"no source has the role `{role}`")


def _check_credits(sources: List[Dict[str, Any]]) -> Dict[str, str]:
    """Each credit (a body a source text names as the origin of its claims) has an id no other credit or
    source has, a name, and the words the text names it by; returns credit id -> its source's id."""
    owners: Dict[str, str] = {}
    ids = {s["id"] for s in sources}
    for source in sources:
        credits = source.get("credits") or []
        if not isinstance(credits, list):
            raise KnowledgeError("sources.yml", f"source {source['id']}", "`credits` must be a list")
        published = source.get("published")
        if published is not None and (not isinstance(published, str) or not published.strip()):
            raise KnowledgeError("sources.yml", f"source {source['id']}",
                                 "`published` is the date the text gives, or null when it gives none")
        for index, credit in enumerate(credits):
            entry = f"source {source['id']}, credit {credit.get('id') if isinstance(credit, dict) else index + 1}"
            if not isinstance(credit, dict):
                raise KnowledgeError("sources.yml", entry, "expected a mapping")
            _require("sources.yml", entry, credit, ("id", "name", "named_in_text"))
            _require_translations("sources.yml", entry, credit, "credits")
            if credit["id"] in owners or credit["id"] in ids:
                raise KnowledgeError("sources.yml", entry, "duplicate id (credits and sources share one namespace)")
            names = credit["named_in_text"]
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                raise KnowledgeError("sources.yml", entry, "`named_in_text` lists the words the source names it by")
            owners[credit["id"]] = source["id"]
    return owners


def attributions(fact: Dict[str, Any]) -> List[str]:
    """A fact's `attribution` as a list: one credit id or several."""
    value = fact.get("attribution")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _check_attribution(entry: str, fact: Dict[str, Any], credit_sources: Dict[str, str]) -> None:
    """An attribution names a credit of one of the fact's own sources: only that source can credit it."""
    for credit in attributions(fact):
        if not isinstance(credit, str) or credit not in credit_sources:
            known = ", ".join(sorted(credit_sources)) or "none"
            raise KnowledgeError("facts.yml", entry, f"unknown attribution `{credit}`; use one of: {known}")
        if credit_sources[credit] not in fact["sources"]:
            raise KnowledgeError("facts.yml", entry, f"attribution `{credit}` is a credit of "
                                 f"`{credit_sources[credit]}`, which the fact does not cite")


def _check_radiation(entry: str, fact: Dict[str, Any]) -> None:
    radiation = fact.get("radiation")
    if radiation is None:
        return
    if radiation not in RADIATION_MARKS:
        raise KnowledgeError("facts.yml", entry,
                             f"unknown `radiation` `{radiation}`; use one of {', '.join(RADIATION_MARKS)}")
    for language in LANGUAGES:
        if radiation == NO_RADIATION and RADIATION_WORD[language] not in fact[translated("text", language)]:
            where = "" if language == ENGLISH else f" (`{translated('text', language)}` too)"
            raise KnowledgeError("facts.yml", entry, f"a `{NO_RADIATION}` fact says in its text that the sources "
                                 f"mention no radiation for the job{where}")


def _check_radiation_jobs(facts: List[Dict[str, Any]]) -> None:
    """A job the sources describe without radiation owns no radiation-protection fact."""
    without = {f["occupation"] for f in facts if f.get("radiation") == NO_RADIATION}
    for index, fact in enumerate(facts):
        if fact.get("radiation") == RADIATION_PROTECTION and fact["occupation"] in without:
            raise KnowledgeError("facts.yml", f"fact {index + 1} ({fact['occupation']}/{fact['topic']})",
                                 f"a radiation-protection fact of a job marked `{NO_RADIATION}`")


def _check_group(occupations: List[Dict[str, Any]]) -> None:
    """The group is the one occupation without a parent; the featured jobs and buttons come from here too."""
    roots = [o["id"] for o in occupations if o.get("parent") is None]
    if len(roots) != 1:
        raise KnowledgeError("occupations.yml", "-", f"exactly one occupation (the group) has no parent, not {roots}")
    for occupation in occupations:
        button = occupation.get("button")
        if button is not None and (not isinstance(button, str) or not button.strip()):
            raise KnowledgeError("occupations.yml", f"occupation {occupation['id']}", "`button` must be a short text")
        if occupation.get("featured") and occupation["id"] in roots:
            raise KnowledgeError("occupations.yml", f"occupation {occupation['id']}", "the group cannot be featured")
    if not any(o.get("featured") for o in occupations):
        raise KnowledgeError("occupations.yml", "-", "no occupation is `featured`")
    for occupation in occupations:
        entry = f"occupation {occupation['id']}"
        evidence = occupation.get("parent_evidence")
        if evidence is not None and (not isinstance(evidence, str) or not evidence.strip()
                                     or len(evidence) > MAX_QUOTE):
            raise KnowledgeError("occupations.yml", entry,
                                 f"`parent_evidence` must be one quote of at most {MAX_QUOTE} characters")
        if evidence is not None and occupation.get("parent") in roots:
            raise KnowledgeError("occupations.yml", entry, "`parent_evidence` is for a parent other than the group "
                                 "(the classification's list of titles is the evidence for the group)")
        not_borrowed = occupation.get("not_borrowed") or []
        if not isinstance(not_borrowed, list) or any(t not in TOPICS for t in not_borrowed):
            raise KnowledgeError("occupations.yml", entry, f"`not_borrowed` lists topics, from {', '.join(TOPICS)}")


def _check_parents(occupation_ids: Dict[str, Any]) -> None:
    for occupation_id in occupation_ids:
        seen = {occupation_id}
        parent = occupation_ids[occupation_id].get("parent")
        while parent is not None:
            if parent in seen:
                raise KnowledgeError("occupations.yml", f"occupation {occupation_id}", "parents form a loop")
            seen.add(parent)
            parent = occupation_ids[parent].get("parent")


def _check_figures(entry: str, fact: Dict[str, Any], occupation_ids: Dict[str, Any]) -> None:
    figures = fact.get("figures") or []
    if fact["topic"] == "salary" and not figures:
        raise KnowledgeError("facts.yml", entry, "a salary fact needs `figures`")
    for figure in figures:
        if not isinstance(figure, dict):
            raise KnowledgeError("facts.yml", entry, "each figure must be a mapping")
        for key in FIGURE_FIELDS:
            if figure.get(key) in (None, ""):
                raise KnowledgeError("facts.yml", entry, f"a figure without its `{key}`")
        if not isinstance(figure["value"], int) or not isinstance(figure["year"], int):
            raise KnowledgeError("facts.yml", entry, "a figure's `value` and `year` must be whole numbers")
        if figure.get("occupation", fact["occupation"]) not in occupation_ids:
            raise KnowledgeError("facts.yml", entry, f"figure for unknown occupation `{figure['occupation']}`")
        for language in LANGUAGES:
            if f"{figure['value']:,}" not in fact[translated("text", language)]:
                raise KnowledgeError("facts.yml", entry, f"`{translated('text', language)}` does not state the figure "
                                     f"{figure['value']:,}")


def _check_evidence(entry: str, fact: Dict[str, Any]) -> None:
    """Every fact quotes its sources briefly, and every number it states is in a quote.

    That the quotes are verbatim in the source texts is checked by a test
    (tests/unit/knowledge/test_evidence.py), since the texts live beside the project, not in it.
    """
    quotes = fact.get("evidence")
    if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) and q.strip() for q in quotes):
        raise KnowledgeError("facts.yml", entry, "needs `evidence`: short verbatim quotes from its sources")
    for quote in quotes:
        if len(quote) > MAX_QUOTE:
            raise KnowledgeError("facts.yml", entry, f"an evidence quote longer than {MAX_QUOTE} characters")
    quoted = " ".join(" ".join(q.split()) for q in quotes)
    texts = [LIST_MARK.sub("", fact[translated("text", language)]) for language in LANGUAGES]
    stated = {number for text in texts for number in NUMBER.findall(text)}
    for figure in fact.get("figures") or []:
        stated |= {f"{figure['value']:,}", str(figure["year"])}
    for number in sorted(stated):
        if not re.search(rf"(?<![\d,]){re.escape(number)}(?![\d,]*\d)", quoted):
            raise KnowledgeError("facts.yml", entry, f"the number {number} is in no evidence quote")


def build_database(knowledge: Knowledge, url: str) -> None:
    """Write the knowledge into a fresh database at `url`.

    A SQLite file is built beside its place and renamed into it, so that the action server,
    or a second build running at the same moment, never sees it half-written.
    """
    if not url.startswith("sqlite:///"):
        _fill(knowledge, url)
        return
    target = Path(url[len("sqlite:///"):])
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        _fill(knowledge, f"sqlite:///{temporary}")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _fill(knowledge: Knowledge, url: str) -> None:
    """Drop and create the tables at `url` and write every row in one transaction."""
    engine = sa.create_engine(url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        sources = {s["id"]: models.Source(**{k: s.get(k) for k in (
            "id", "role", "title", "publisher", "author", "published_in", "file", "figures_year", "published",
            "scope", "citation", "licence", *_translations("sources.yml"))}) for s in knowledge.sources}
        session.add_all(sources.values())
        credits = {c["id"]: models.Credit(id=c["id"], source_id=s["id"], name=c["name"], short=c.get("short"),
                                          **{k: c[k] for k in _translations("credits")})
                   for s in knowledge.sources for c in s.get("credits") or []}
        session.add_all(credits.values())
        for position, occ in enumerate(knowledge.occupations):
            session.add(models.Occupation(
                id=occ["id"], name=occ["name"], plural=occ["plural"], parent_id=occ.get("parent"),
                **{k: occ.get(k) for k in _translations("occupations.yml")},
                featured=bool(occ.get("featured")), button=occ.get("button"), position=position,
                parent_evidence=occ.get("parent_evidence"), not_borrowed=" ".join(occ.get("not_borrowed") or []),
                sources=[sources[s] for s in occ["sources"]],
                source_titles=[models.SourceTitle(title=t) for t in occ["source_titles"]],
            ))
        session.flush()
        for alias, occupation_id in knowledge.aliases.items():
            session.add(models.Alias(alias=alias, occupation_id=occupation_id, generated=False,
                                     field=alias in knowledge.fields))
        for alias, occupation_id in knowledge.generated.items():
            session.add(models.Alias(alias=alias, occupation_id=occupation_id, generated=True,
                                     field=alias in knowledge.fields))
        for fact in knowledge.facts:
            session.add(models.Fact(
                occupation_id=fact["occupation"], topic=fact["topic"], text=fact["text"].strip(),
                states=fact.get("states"), brief=fact.get("brief"), sources=[sources[s] for s in fact["sources"]],
                **{k: _plain(fact.get(k)) for k in _translations("facts.yml")},
                radiation=fact.get("radiation"), credits=[credits[c] for c in attributions(fact)],
                figures=[models.Figure(
                    occupation_id=f.get("occupation", fact["occupation"]),
                    **{k: f[k] for k in FIGURE_FIELDS}) for f in fact.get("figures") or []],
            ))
        for job in knowledge.other_jobs:
            session.add(models.OtherJob(
                id=job["id"], name=job["name"], plural=job["plural"], note=" ".join(job["note"].split()),
                **{k: " ".join(job[k].split()) for k in _translations("other_jobs.yml")},
                could_be=",".join(job.get("could_be") or []), sources=[sources[s] for s in job["sources"]],
                aliases=[models.OtherJobAlias(alias=a) for a, i in knowledge.other_aliases.items() if i == job["id"]]))
        for gap in knowledge.gaps:
            session.add(models.Gap(topic=gap["topic"], text=gap["text"].strip(),
                                   related=",".join(gap.get("related") or []),
                                   **{k: _plain(gap.get(k)) for k in _translations("gaps.yml")}))
    engine.dispose()


def _translations(shown: str) -> List[str]:
    """The translated keys of a file's shown fields (`text_es`), which are also their column names."""
    return [translated(f, language) for f in SHOWN[shown] for language in LANGUAGES[1:]]


def _plain(text: Optional[str]) -> Optional[str]:
    return text.strip() if isinstance(text, str) else text


def nlu_yaml(knowledge: Knowledge) -> str:
    """Entity synonyms and a lookup table for NLU, from the aliases."""
    by_id: Dict[str, List[str]] = {}
    for alias, occupation_id in {**knowledge.aliases, **knowledge.generated}.items():
        by_id.setdefault(occupation_id, []).append(alias)
    lines = [
        "# Generated by `python -m knowledge.build` from knowledge/occupations.yml. Do not edit.",
        'version: "3.1"',
        "nlu:",
    ]
    for occupation_id in sorted(by_id):
        lines += [f"- synonym: {occupation_id}", "  examples: |"]
        lines += [f"    - {alias}" for alias in sorted(by_id[occupation_id]) if alias != occupation_id]
    lines += ["- lookup: occupation", "  examples: |"]
    lines += [f"    - {alias}" for alias in sorted({a for v in by_id.values() for a in v})]
    return "\n".join(lines) + "\n"


def ruler_patterns(knowledge: Knowledge) -> List[Dict[str, str]]:
    """Entity-ruler patterns (matched on lower-case text) with the occupation id as `id`."""
    items = {**knowledge.aliases, **knowledge.generated}
    others = sorted(knowledge.other_aliases.items())
    return [{"label": "occupation", "pattern": alias, "id": occupation_id}
            for alias, occupation_id in sorted(items.items())] + [
        {"label": OTHER_JOB, "pattern": alias, "id": job_id} for alias, job_id in others] + [
        {"label": REFERENCE, "pattern": phrase, "id": occupation_id}
        for phrase, occupation_id in sorted(knowledge.references.items())] + [
        {"label": CONTEXT_REFERENCE, "pattern": phrase, "id": occupation_id}
        for phrase, occupation_id in sorted(knowledge.context_references.items())]


def main(argv: Optional[List[str]] = None) -> int:
    """Build the database and the generated NLU file, or check that the latter is fresh."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=database_url(),
                        help="SQLAlchemy URL of the database (default: $KNOWLEDGE_DB_URL)")
    parser.add_argument("--nlu", type=Path, default=GENERATED_NLU, help="generated NLU file")
    parser.add_argument("--check", action="store_true", help="fail if the NLU file is stale")
    args = parser.parse_args(argv)
    try:
        knowledge = load()
    except KnowledgeError as error:
        print(f"knowledge base error: {error}", file=sys.stderr)
        return 1
    generated = nlu_yaml(knowledge)
    if args.check:
        current = args.nlu.read_text(encoding="utf-8") if args.nlu.exists() else ""
        if current != generated:
            print(f"{args.nlu} is stale: run `python -m knowledge.build`", file=sys.stderr)
            return 1
        return 0
    args.nlu.parent.mkdir(parents=True, exist_ok=True)
    if not args.nlu.exists() or args.nlu.read_text(encoding="utf-8") != generated:
        temporary = args.nlu.with_name(f".{args.nlu.name}.{os.getpid()}.tmp")
        temporary.write_text(generated, encoding="utf-8")
        os.replace(temporary, args.nlu)  # unchanged content keeps its date: no retraining
    build_database(knowledge, args.db)
    print(f"knowledge base: {len(knowledge.occupations)} occupations, {len(knowledge.facts)} facts, "
          f"{len(knowledge.aliases) + len(knowledge.generated)} aliases -> {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
