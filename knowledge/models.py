"""SQLAlchemy models of the knowledge base: the builder writes them, the actions read them.

Every text a student sees has a Spanish column beside it (`name` and `name_es`); KnowledgeBase(language=...)
picks one. Ids, figures and sources are shared.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

fact_sources = sa.Table(
    "fact_sources",
    Base.metadata,
    sa.Column("fact_id", sa.ForeignKey("facts.id"), primary_key=True),
    sa.Column("source_id", sa.ForeignKey("sources.id"), primary_key=True),
)

fact_credits = sa.Table(
    "fact_credits",
    Base.metadata,
    sa.Column("fact_id", sa.ForeignKey("facts.id"), primary_key=True),
    sa.Column("credit_id", sa.ForeignKey("credits.id"), primary_key=True),
)

occupation_sources = sa.Table(
    "occupation_sources",
    Base.metadata,
    sa.Column("occupation_id", sa.ForeignKey("occupations.id"), primary_key=True),
    sa.Column("source_id", sa.ForeignKey("sources.id"), primary_key=True),
)


class Source(Base):
    """One source text; `citation` is the line the assistant shows under an answer."""

    __tablename__ = "sources"
    id = sa.Column(sa.String(64), primary_key=True)
    role = sa.Column(sa.String(32), nullable=False, unique=True)  # knowledge/vocabulary.py SOURCE_ROLES
    title = sa.Column(sa.Text, nullable=False)
    publisher = sa.Column(sa.Text, nullable=False)
    author = sa.Column(sa.Text)
    published_in = sa.Column(sa.Text, nullable=False)
    published_in_es = sa.Column(sa.Text, nullable=False)
    file = sa.Column(sa.Text, nullable=False)
    figures_year = sa.Column(sa.Integer)
    published = sa.Column(sa.Text)  # the date the text gives for itself; None: it gives none
    scope = sa.Column(sa.Text, nullable=False)
    scope_es = sa.Column(sa.Text, nullable=False)
    citation = sa.Column(sa.Text, nullable=False)
    citation_es = sa.Column(sa.Text, nullable=False)
    licence = sa.Column(sa.Text, nullable=False)
    credits = relationship("Credit", order_by="Credit.id")


class Credit(Base):
    """A body that a source text itself names as the origin of some of its claims (the article's BLS)."""

    __tablename__ = "credits"
    id = sa.Column(sa.String(64), primary_key=True)
    source_id = sa.Column(sa.ForeignKey("sources.id"), nullable=False)
    name = sa.Column(sa.Text, nullable=False)  # "the US Bureau of Labor Statistics"
    name_es = sa.Column(sa.Text, nullable=False)
    short = sa.Column(sa.Text)  # "BLS"


class Occupation(Base):
    """An occupation or job title of group 3211; `parent` lends its facts."""

    __tablename__ = "occupations"
    id = sa.Column(sa.String(64), primary_key=True)
    name = sa.Column(sa.Text, nullable=False)
    name_es = sa.Column(sa.Text, nullable=False)
    plural = sa.Column(sa.Text, nullable=False)
    plural_es = sa.Column(sa.Text, nullable=False)
    parent_id = sa.Column(sa.ForeignKey("occupations.id"))
    featured = sa.Column(sa.Boolean, nullable=False, default=False)
    button = sa.Column(sa.Text)  # a short name for a button, where the name is too long or unclear
    button_es = sa.Column(sa.Text)
    # A verbatim quote saying the job comes under its parent; none: the grouping is the project's reading.
    parent_evidence = sa.Column(sa.Text)
    not_borrowed = sa.Column(sa.Text, nullable=False, default="")  # topics a parent's fact would mislead on
    position = sa.Column(sa.Integer, nullable=False)
    aliases = relationship("Alias", back_populates="occupation")
    source_titles = relationship("SourceTitle", order_by="SourceTitle.id")
    sources = relationship("Source", secondary=occupation_sources)


class Alias(Base):
    """A lower-case name people type for an occupation (plurals included)."""

    __tablename__ = "aliases"
    alias = sa.Column(sa.String(128), primary_key=True)
    occupation_id = sa.Column(sa.ForeignKey("occupations.id"), nullable=False, index=True)
    generated = sa.Column(sa.Boolean, nullable=False, default=False)
    field = sa.Column(sa.Boolean, nullable=False, default=False)  # names a field of work ("radiology")
    occupation = relationship("Occupation", back_populates="aliases")


class SourceTitle(Base):
    """A job title exactly as the classification lists it."""

    __tablename__ = "source_titles"
    id = sa.Column(sa.Integer, primary_key=True)
    occupation_id = sa.Column(sa.ForeignKey("occupations.id"), nullable=False, index=True)
    title = sa.Column(sa.Text, nullable=False)


class Fact(Base):
    """What the sources say about one occupation on one topic, in our own words."""

    __tablename__ = "facts"
    __table_args__ = (sa.UniqueConstraint("occupation_id", "topic"),)
    id = sa.Column(sa.Integer, primary_key=True)
    occupation_id = sa.Column(sa.ForeignKey("occupations.id"), nullable=False, index=True)
    topic = sa.Column(sa.String(32), nullable=False)
    text = sa.Column(sa.Text, nullable=False)
    text_es = sa.Column(sa.Text, nullable=False)
    states = sa.Column(sa.String(32))  # the article's word, in English: a key (vocabulary.LICENCE_STATES)
    brief = sa.Column(sa.Text)
    brief_es = sa.Column(sa.Text)
    radiation = sa.Column(sa.String(32))  # knowledge/vocabulary.py RADIATION_MARKS, or None
    sources = relationship("Source", secondary=fact_sources, order_by="Source.id")
    credits = relationship("Credit", secondary=fact_credits, order_by="Credit.id")  # `attribution` in facts.yml
    figures = relationship("Figure", order_by="Figure.id")


class Figure(Base):
    """A number from a source, with the year and scope it holds for."""

    __tablename__ = "figures"
    id = sa.Column(sa.Integer, primary_key=True)
    fact_id = sa.Column(sa.ForeignKey("facts.id"), nullable=False, index=True)
    occupation_id = sa.Column(sa.ForeignKey("occupations.id"), nullable=False)
    value = sa.Column(sa.Integer, nullable=False)
    unit = sa.Column(sa.Text, nullable=False)
    statistic = sa.Column(sa.Text, nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    scope = sa.Column(sa.Text, nullable=False)


class Gap(Base):
    """A topic the sources are silent on; `related` names topics they do cover."""

    __tablename__ = "gaps"
    topic = sa.Column(sa.String(32), primary_key=True)
    text = sa.Column(sa.Text, nullable=False)
    text_es = sa.Column(sa.Text, nullable=False)
    related = sa.Column(sa.Text, nullable=False, default="")


other_job_sources = sa.Table(
    "other_job_sources",
    Base.metadata,
    sa.Column("other_job_id", sa.ForeignKey("other_jobs.id"), primary_key=True),
    sa.Column("source_id", sa.ForeignKey("sources.id"), primary_key=True),
)


class OtherJob(Base):
    """A job people confuse with this group but outside it, with what the sources say of it."""

    __tablename__ = "other_jobs"
    id = sa.Column(sa.String(64), primary_key=True)
    name = sa.Column(sa.Text, nullable=False)
    name_es = sa.Column(sa.Text, nullable=False)
    plural = sa.Column(sa.Text, nullable=False)
    plural_es = sa.Column(sa.Text, nullable=False)
    note = sa.Column(sa.Text, nullable=False)
    note_es = sa.Column(sa.Text, nullable=False)
    could_be = sa.Column(sa.Text, nullable=False, default="")  # comma-separated ids of the jobs it may mean
    sources = relationship("Source", secondary=other_job_sources)
    aliases = relationship("OtherJobAlias", cascade="all, delete-orphan")


class OtherJobAlias(Base):
    """A name typed for an other job; never one of an occupation's aliases."""

    __tablename__ = "other_job_aliases"
    alias = sa.Column(sa.String(128), primary_key=True)
    other_job_id = sa.Column(sa.ForeignKey("other_jobs.id"), nullable=False, index=True)
