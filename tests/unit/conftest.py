"""Fixtures: a knowledge base built from the real YAML, and the actions pointed at it."""

from __future__ import annotations

from typing import Iterator

import pytest

from actions import context
from knowledge.build import build_database, load
from knowledge.query import KnowledgeBase


@pytest.fixture(scope="session")
def kb_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh knowledge base built from the project's own knowledge/*.yml."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'knowledge.db'}"
    build_database(load(), url)
    return url


@pytest.fixture()
def kb(kb_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[KnowledgeBase]:
    """The knowledge base the actions use, pointed at the freshly built file."""
    monkeypatch.setenv("KNOWLEDGE_DB_URL", kb_url)
    context.reset_knowledge_base()
    yield context.knowledge_base()
    context.reset_knowledge_base()
