"""Read-only queries the actions ask of the knowledge base.

The knowledge base is read once, in one short session, into plain dataclasses: nothing holds a
connection between requests, and answering a turn costs no query at all.

It is read in one language (`KnowledgeBase(language="es")`): every text a student sees is then that language's,
in the same fields, so code that answers from it speaks that language without a change. Ids, figures, sources,
`states` words (keys) and name resolution are the same in every language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from knowledge import discovery, models, places
from knowledge.names import Names, key
from knowledge.vocabulary import (
    ENGLISH,
    NO_RADIATION,
    RADIATION_PROTECTION,
    SPANISH,
    TOPIC_LABELS,
    TOPIC_LABELS_ES,
    translated,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = f"sqlite:///{PROJECT_DIR / 'build' / 'knowledge.db'}"


def database_url() -> str:
    """`KNOWLEDGE_DB_URL`, or the SQLite file that `make` builds."""
    return os.environ.get("KNOWLEDGE_DB_URL") or DEFAULT_DB_URL


class KnowledgeBaseMissing(RuntimeError):
    """The database is absent or not built by this project's builder."""


@dataclass(frozen=True)
class SourceInfo:
    id: str
    role: str
    title: str
    publisher: str
    author: Optional[str]
    published_in: str
    citation: str
    scope: str
    figures_year: Optional[int]
    published: Optional[str] = None  # the date the text gives for itself; None: it gives none
    credit_ids: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CreditInfo:
    """A body a source text names as the origin of some of its claims ("according to the BLS")."""

    id: str
    source_id: str
    name: str
    short: Optional[str]


@dataclass(frozen=True)
class OccupationInfo:
    id: str
    name: str
    plural: str
    parent_id: Optional[str]
    featured: bool
    source_titles: Tuple[str, ...]
    source_ids: Tuple[str, ...]
    button: Optional[str] = None
    # A quote saying it comes under its parent; None: that grouping is the project's reading
    # (KnowledgeBase.grouping_is_reading).
    parent_evidence: Optional[str] = None
    not_borrowed: Tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureInfo:
    occupation_id: str
    value: int
    unit: str
    statistic: str
    year: int
    scope: str


@dataclass(frozen=True)
class FactInfo:
    occupation_id: str
    topic: str
    text: str
    states: Optional[str]
    brief: Optional[str]
    source_ids: Tuple[str, ...]
    figures: Tuple[FigureInfo, ...]
    attribution: Tuple[str, ...] = ()  # credit ids: whom the source text credits this claim to
    radiation: Optional[str] = None  # knowledge/vocabulary.py RADIATION_MARKS


@dataclass(frozen=True)
class GapInfo:
    topic: str
    text: str
    related: Tuple[str, ...]


@dataclass(frozen=True)
class OtherJobInfo:
    """A job outside the group that people confuse with it (knowledge/other_jobs.yml)."""

    id: str
    name: str
    plural: str
    note: str
    source_ids: Tuple[str, ...]
    could_be: Tuple[str, ...] = ()  # the jobs the name may mean, the group's and others ("medical technician")


def _said(row: object, field: str, language: str) -> Any:
    """A row's text in a language: the column `field` in English, `field_es` in Spanish."""
    return getattr(row, translated(field, language))


def _occupation(row: models.Occupation, language: str = ENGLISH) -> OccupationInfo:
    return OccupationInfo(
        id=row.id, name=_said(row, "name", language), plural=_said(row, "plural", language), parent_id=row.parent_id,
        featured=row.featured, source_titles=tuple(t.title for t in row.source_titles),
        source_ids=tuple(s.id for s in row.sources), button=_said(row, "button", language),
        parent_evidence=row.parent_evidence,
        not_borrowed=tuple((row.not_borrowed or "").split()),
    )


def _fact(row: models.Fact, language: str = ENGLISH) -> FactInfo:
    return FactInfo(
        occupation_id=row.occupation_id, topic=row.topic, text=_said(row, "text", language), states=row.states,
        brief=_said(row, "brief", language),
        source_ids=tuple(s.id for s in row.sources),
        figures=tuple(FigureInfo(f.occupation_id, f.value, f.unit, f.statistic, f.year, f.scope)
                      for f in row.figures),
        attribution=tuple(c.id for c in row.credits), radiation=row.radiation,
    )


class KnowledgeBase:
    """The whole knowledge base, read once through SQLAlchemy and then served from memory.

    It is small (a few hundred rows) and read-only at run time, so one read at start-up
    replaces several queries per turn; every process that opens it sees the same file.
    """

    def __init__(self, url: Optional[str] = None, language: str = ENGLISH) -> None:
        translated("text", language)  # an unknown language raises ValueError before anything is read
        self.language = language
        self.url = url or database_url()
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///"):])
            if not path.is_file():
                raise KnowledgeBaseMissing(
                    f"knowledge base file {path} is missing: build it with `make kb` "
                    "(or `python -m knowledge.build`)")
        engine = sa.create_engine(self.url)
        try:
            with Session(engine) as session:
                self._load(session)
        except sa.exc.SQLAlchemyError as error:
            raise KnowledgeBaseMissing(
                f"knowledge base at {self.url} cannot be read ({error.__class__.__name__}): "
                "rebuild it with `make kb` (or `python -m knowledge.build`)") from None
        finally:
            engine.dispose()
        if not self._occupations:
            raise KnowledgeBaseMissing(f"knowledge base at {self.url} is empty: rebuild it with `make kb`")

    def _load(self, session: Session) -> None:
        occupations = session.scalars(sa.select(models.Occupation).order_by(models.Occupation.position).options(
            selectinload(models.Occupation.source_titles), selectinload(models.Occupation.sources))).all()
        language = self.language
        self._occupations: Dict[str, OccupationInfo] = {row.id: _occupation(row, language) for row in occupations}
        self._aliases: Dict[str, str] = dict(session.execute(
            sa.select(models.Alias.alias, models.Alias.occupation_id)).all())
        self._fields: Dict[str, str] = dict(session.execute(
            sa.select(models.Alias.alias, models.Alias.occupation_id).where(models.Alias.field.is_(True))).all())
        facts = session.scalars(sa.select(models.Fact).order_by(models.Fact.id).options(
            selectinload(models.Fact.sources), selectinload(models.Fact.figures),
            selectinload(models.Fact.credits))).all()
        self._facts: Dict[Tuple[str, str], FactInfo] = {(f.occupation_id, f.topic): _fact(f, language) for f in facts}
        self._gaps: Dict[str, GapInfo] = {
            row.topic: GapInfo(row.topic, _said(row, "text", language), tuple(r for r in row.related.split(",") if r))
            for row in session.scalars(sa.select(models.Gap))}
        rows = session.scalars(sa.select(models.Source).options(selectinload(models.Source.credits))).all()
        self._sources: Dict[str, SourceInfo] = {
            r.id: SourceInfo(r.id, r.role, r.title, r.publisher, r.author, _said(r, "published_in", language),
                             _said(r, "citation", language), _said(r, "scope", language), r.figures_year, r.published,
                             tuple(c.id for c in r.credits))
            for r in rows}
        self._credits: Dict[str, CreditInfo] = {
            c.id: CreditInfo(c.id, c.source_id, _said(c, "name", language), c.short) for r in rows for c in r.credits}
        others = session.scalars(sa.select(models.OtherJob).options(
            selectinload(models.OtherJob.sources), selectinload(models.OtherJob.aliases))).all()
        self._other_jobs: Dict[str, OtherJobInfo] = {
            o.id: OtherJobInfo(o.id, _said(o, "name", language), _said(o, "plural", language),
                               _said(o, "note", language), tuple(s.id for s in o.sources),
                               tuple(i for i in o.could_be.split(",") if i))
            for o in others}
        self._other_aliases: Dict[str, str] = {a.alias: o.id for o in others for a in o.aliases}
        session.execute(sa.select(models.SourceTitle).limit(1)).all()  # every table of this schema exists
        self.names = Names(self._aliases, self._other_aliases, self._occupations, self._other_jobs)

    def resolve(self, text: Optional[str]) -> Optional[str]:
        """The occupation id that `text` names: an id, an alias, or a close misspelling (knowledge.names)."""
        return self.names.resolve(text)

    def field(self, text: object) -> Optional[str]:
        """The occupation whose field `text` names exactly ("radiology", "ultrasound"), else None."""
        return self._fields.get(key(text)) if isinstance(text, str) else None

    def field_words(self) -> List[str]:
        """Every alias that names a field of work (occupations.yml `fields`)."""
        return list(self._fields)

    def in_field(self, occupation_id: str) -> List[OccupationInfo]:
        """The job a field word names and the jobs under it (radiology: radiologic, MRI, CT, chief technologists)."""
        return [o for o in self.occupations() if occupation_id in self.lineage(o.id)]

    def other_job(self, text: Optional[str]) -> Optional[OtherJobInfo]:
        """The job outside the group that `text` names exactly (an id or an alias), if any."""
        if not isinstance(text, str):
            return None
        return self._other_jobs.get(text) or self._other_jobs.get(self._other_aliases.get(key(text), ""))

    def other_jobs(self) -> List[OtherJobInfo]:
        """Every job outside the group, for the tests that go through them all."""
        return list(self._other_jobs.values())

    def occupation(self, occupation_id: str) -> Optional[OccupationInfo]:
        """One occupation by id, None for an unknown one, so a stale id never raises in an action."""
        return self._occupations.get(occupation_id)

    def occupations(self) -> List[OccupationInfo]:
        """Every occupation in the order of occupations.yml."""
        return list(self._occupations.values())

    def group(self) -> OccupationInfo:
        """The whole group: the one occupation without a parent (the builder checks there is one)."""
        return next(o for o in self._occupations.values() if o.parent_id is None)

    def featured(self) -> List[OccupationInfo]:
        """The jobs the career article describes in detail (`featured` in occupations.yml), in file order."""
        return [o for o in self._occupations.values() if o.featured]

    def source_for_role(self, role: str) -> SourceInfo:
        """The source that plays this role (knowledge/vocabulary.py SOURCE_ROLES), so code never types an id."""
        found = next((s for s in self._sources.values() if s.role == role), None)
        if found is None:
            raise KeyError(f"no source has the role {role!r}: rebuild the knowledge base with `make kb`")
        return found

    def grouping_is_reading(self, occupation_id: str) -> bool:
        """True when the job comes under a parent other than the group with no quote saying so.

        The classification's list of titles places every job in the group; that a chief radiologic
        technologist is a kind of radiologic technologist is the project's reading of the title.
        """
        occupation = self._occupations.get(occupation_id)
        if occupation is None or occupation.parent_id is None:
            return False
        parent = self._occupations.get(occupation.parent_id)
        return parent is not None and parent.parent_id is not None and occupation.parent_evidence is None

    def lineage(self, occupation_id: str) -> List[str]:
        """The occupation, its parent, the parent's parent... up to the group."""
        chain: List[str] = []
        current: Optional[str] = occupation_id
        while current is not None and current in self._occupations and current not in chain:
            chain.append(current)
            current = self._occupations[current].parent_id
        return chain

    def fact(self, occupation_id: str, topic: str) -> Optional[FactInfo]:
        """The job's own fact on a topic, never an ancestor's: find_fact is the one that borrows."""
        return self._facts.get((occupation_id, topic))

    def facts(self) -> List[FactInfo]:
        """Every fact, for the answers that look through them all (a topic's sources, a credit's topics)."""
        return list(self._facts.values())

    def find_fact(self, occupation_id: str, topic: str) -> Optional[FactInfo]:
        """The fact for this occupation, or else the nearest ancestor's (`occupation_id` says whose).

        None when the occupation has no fact of its own and lists the topic as `not_borrowed`
        (an MRI technologist's safety is not the radiation safety of its parent).
        A job the sources describe without radiation (uses_no_radiation) borrows no radiation-protection
        fact either: a sonographer's safety is not the X-ray rules of the group.
        """
        own = self._occupations.get(occupation_id)
        if own is not None and topic in own.not_borrowed:
            return self.fact(occupation_id, topic)
        for candidate in self.lineage(occupation_id):
            found = self.fact(candidate, topic)
            if found is not None:
                return None if self.withheld(occupation_id, found) else found
        return None

    def withheld(self, occupation_id: str, fact: FactInfo) -> bool:
        """True when `fact` is another job's radiation-protection fact and this job uses no radiation."""
        return (fact.occupation_id != occupation_id and fact.radiation == RADIATION_PROTECTION
                and self.uses_no_radiation(occupation_id))

    def uses_no_radiation(self, occupation_id: str) -> bool:
        """True when a fact of the job's own says the sources describe it and mention no radiation."""
        return self.no_radiation_fact(occupation_id) is not None

    def no_radiation_fact(self, occupation_id: str) -> Optional[FactInfo]:
        """The job's own fact that says the sources mention no radiation for it (facts.yml `none_described`)."""
        return next((f for (o, _), f in self._facts.items() if o == occupation_id and f.radiation == NO_RADIATION),
                    None)

    def figure(self, occupation_id: str, topic: str = "salary") -> Optional[FigureInfo]:
        """The job's own figure on a topic, never a parent's, so no number is given for the wrong job."""
        found = self.fact(occupation_id, topic)
        if found is None:
            return None
        return next((f for f in found.figures if f.occupation_id == occupation_id), None)

    def gap(self, topic: str) -> Optional[GapInfo]:
        """What the sources do not say on a topic (gaps.yml), so the answer can say so plainly."""
        return self._gaps.get(topic)

    def all_sources(self) -> List[str]:
        """Every source id, for answers that checked them all."""
        return sorted(self._sources)

    def sources(self, ids: Iterable[str]) -> List[SourceInfo]:
        """The sources with these ids, in the order given, unknown ids dropped."""
        return [self._sources[i] for i in dict.fromkeys(ids) if i in self._sources]

    def credits(self, ids: Iterable[str]) -> List[CreditInfo]:
        """The credits with these ids, in the order given, unknown ids (and source ids) dropped."""
        return [self._credits[i] for i in dict.fromkeys(ids) if isinstance(i, str) and i in self._credits]

    def all_credits(self) -> List[CreditInfo]:
        """Every credit, so that each one a reply may name can be checked."""
        return list(self._credits.values())

    def topic_label(self, topic: str) -> str:
        """How an answer in this knowledge base's language names a topic ("pay", "el sueldo")."""
        return (TOPIC_LABELS_ES if self.language == SPANISH else TOPIC_LABELS)[topic]

    def discovery(self) -> discovery.Discovery:
        """The preferences and the guided path (knowledge/discovery.yml) with their texts in this language."""
        return discovery.discovery(self.language)

    def named_place(self, text: object) -> Optional[places.Place]:
        """The place a message names (knowledge/places.py), whose shown() names it in this language."""
        return places.named_place(text, self.language)
