"""Read-only queries the actions ask of the knowledge base.

Every call opens its own short session and returns plain dataclasses, so nothing holds a
connection between requests and the results are safe to use after the session is closed.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, sessionmaker

from knowledge import models

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
    title: str
    publisher: str
    author: Optional[str]
    published_in: str
    citation: str
    scope: str
    figures_year: Optional[int]


@dataclass(frozen=True)
class OccupationInfo:
    id: str
    name: str
    plural: str
    parent_id: Optional[str]
    featured: bool
    source_titles: Tuple[str, ...]
    source_ids: Tuple[str, ...]


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


@dataclass(frozen=True)
class GapInfo:
    topic: str
    text: str
    related: Tuple[str, ...]


def _occupation(row: models.Occupation) -> OccupationInfo:
    return OccupationInfo(
        id=row.id, name=row.name, plural=row.plural, parent_id=row.parent_id,
        featured=row.featured, source_titles=tuple(t.title for t in row.source_titles),
        source_ids=tuple(s.id for s in row.sources),
    )


def _fact(row: models.Fact) -> FactInfo:
    return FactInfo(
        occupation_id=row.occupation_id, topic=row.topic, text=row.text, states=row.states, brief=row.brief,
        source_ids=tuple(s.id for s in row.sources),
        figures=tuple(FigureInfo(f.occupation_id, f.value, f.unit, f.statistic, f.year, f.scope)
                      for f in row.figures),
    )


class KnowledgeBase:
    """The knowledge base behind one engine; one session per call."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or database_url()
        if self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///"):])
            if not path.is_file():
                raise KnowledgeBaseMissing(
                    f"knowledge base file {path} is missing: build it with `make kb` "
                    "(or `python -m knowledge.build`)")
        self.engine = sa.create_engine(self.url)
        self._sessions = sessionmaker(bind=self.engine, future=True)
        try:
            with self._sessions() as session:
                # Touch every table and column, so a file from an older schema fails here, not mid-chat.
                for model in (models.Source, models.Occupation, models.Alias, models.SourceTitle,
                              models.Fact, models.Figure, models.Gap):
                    session.execute(sa.select(model).limit(1)).all()
                count = session.scalar(sa.select(sa.func.count()).select_from(models.Occupation))
        except sa.exc.SQLAlchemyError as error:
            raise KnowledgeBaseMissing(
                f"knowledge base at {self.url} cannot be read ({error.__class__.__name__}): "
                "rebuild it with `make kb` (or `python -m knowledge.build`)") from None
        if not count:
            raise KnowledgeBaseMissing(
                f"knowledge base at {self.url} is empty: rebuild it with `make kb`")

    def session(self) -> Session:
        return self._sessions()

    def resolve(self, text: Optional[str]) -> Optional[str]:
        """The occupation id that `text` names: an id, an alias, or a close misspelling."""
        if not isinstance(text, str):
            return None
        key = " ".join(text.lower().replace("_", " ").split())[:128]
        if not key:
            return None
        with self.session() as session:
            ids = set(session.scalars(sa.select(models.Occupation.id)))
            if text in ids:
                return text
            hit = session.get(models.Alias, key)
            if hit is not None:
                return hit.occupation_id
            aliases = dict(session.execute(sa.select(models.Alias.alias, models.Alias.occupation_id)).all())
        close = difflib.get_close_matches(key, aliases, n=1, cutoff=0.85)
        return aliases[close[0]] if close else None

    def occupation(self, occupation_id: str) -> Optional[OccupationInfo]:
        with self.session() as session:
            row = session.get(models.Occupation, occupation_id, options=[
                selectinload(models.Occupation.source_titles), selectinload(models.Occupation.sources)])
            return _occupation(row) if row else None

    def occupations(self) -> List[OccupationInfo]:
        """Every occupation in the order of occupations.yml."""
        with self.session() as session:
            rows = session.scalars(sa.select(models.Occupation).order_by(models.Occupation.position).options(
                selectinload(models.Occupation.source_titles), selectinload(models.Occupation.sources)))
            return [_occupation(row) for row in rows]

    def lineage(self, occupation_id: str) -> List[str]:
        """The occupation, its parent, the parent's parent... up to the group."""
        chain: List[str] = []
        with self.session() as session:
            current: Optional[str] = occupation_id
            while current is not None and current not in chain:
                chain.append(current)
                row = session.get(models.Occupation, current)
                current = row.parent_id if row else None
        return chain

    def fact(self, occupation_id: str, topic: str) -> Optional[FactInfo]:
        with self.session() as session:
            row = session.scalars(sa.select(models.Fact).where(
                models.Fact.occupation_id == occupation_id, models.Fact.topic == topic).options(
                selectinload(models.Fact.sources), selectinload(models.Fact.figures))).first()
            return _fact(row) if row else None

    def facts(self) -> List[FactInfo]:
        with self.session() as session:
            rows = session.scalars(sa.select(models.Fact).order_by(models.Fact.id).options(
                selectinload(models.Fact.sources), selectinload(models.Fact.figures)))
            return [_fact(row) for row in rows]

    def find_fact(self, occupation_id: str, topic: str) -> Optional[FactInfo]:
        """The fact for this occupation, or else the nearest ancestor's (`occupation_id` says whose)."""
        for candidate in self.lineage(occupation_id):
            found = self.fact(candidate, topic)
            if found is not None:
                return found
        return None

    def figure(self, occupation_id: str, topic: str = "salary") -> Optional[FigureInfo]:
        found = self.fact(occupation_id, topic)
        if found is None:
            return None
        return next((f for f in found.figures if f.occupation_id == occupation_id), None)

    def gap(self, topic: str) -> Optional[GapInfo]:
        with self.session() as session:
            row = session.get(models.Gap, topic)
            if row is None:
                return None
            return GapInfo(row.topic, row.text, tuple(r for r in row.related.split(",") if r))

    def sources(self, ids: Iterable[str]) -> List[SourceInfo]:
        """The sources with these ids, in the order given, unknown ids dropped."""
        wanted = list(dict.fromkeys(ids))
        with self.session() as session:
            rows: Dict[str, models.Source] = {
                row.id: row for row in session.scalars(sa.select(models.Source).where(models.Source.id.in_(wanted)))}
            return [SourceInfo(r.id, r.title, r.publisher, r.author, r.published_in, r.citation, r.scope,
                               r.figures_year)
                    for r in (rows[i] for i in wanted if i in rows)]
