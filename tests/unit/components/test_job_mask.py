"""The word counts with job names masked: which words become the mask, on the real ruler patterns."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from components.job_mask import MASKS, JobMaskedCountVectors
from knowledge.build import load
from knowledge.names import OCCUPATION, OTHER_JOB
from knowledge.spacy_pipeline import build_pipeline

REAL = load()
JOB, OTHER = MASKS[OCCUPATION], MASKS[OTHER_JOB]


@pytest.fixture(scope="module")
def featurizer(tmp_path_factory: pytest.TempPathFactory) -> JobMaskedCountVectors:
    path = tmp_path_factory.mktemp("spacy") / "pipeline"
    build_pipeline().to_disk(path)
    config = {**JobMaskedCountVectors.get_default_config(), "pipeline_path": str(path), "use_lemma": False}
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("storage")))
    context = ExecutionContext(GraphSchema({}), node_name="job_mask")
    return JobMaskedCountVectors.create(config, storage, Resource("job_mask"), context)


def words(featurizer: JobMaskedCountVectors, text: str) -> List[str]:
    message = Message(data={"text": text})
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process([message])
    return featurizer._get_message_tokens_by_attribute(message, "text")


def test_every_alias_of_the_group_is_masked(featurizer: JobMaskedCountVectors) -> None:
    for alias in [*REAL.aliases, *REAL.generated]:
        found = words(featurizer, f"what does a {alias} do")
        assert found[:3] == ["what", "does", "a"] and found[-1] == "do", (alias, found)
        assert set(found[3:-1]) == {JOB}, (alias, found)


def test_jobs_outside_the_group_and_misspellings(featurizer: JobMaskedCountVectors) -> None:
    for other in REAL.other_aliases:
        found = words(featurizer, f"how much do {other} earn")
        assert found[:3] == ["how", "much", "do"] and set(found[3:-1]) == {OTHER}, (other, found)
    assert words(featurizer, "wht do nucular medcine techs do") == ["wht", "do", JOB, JOB, JOB, "do"]


def test_other_words_and_button_payloads_are_left_alone(featurizer: JobMaskedCountVectors) -> None:
    assert words(featurizer, "how do i become a lawyer") == ["how", "do", "i", "become", "a", "lawyer"]
    assert JOB not in words(featurizer, '/ask_salary{"occupation": "sonographer"}')
    assert JOB not in words(featurizer, "") and JOB not in words(featurizer, "<b>" * 500)
