"""The batched sentence counts are, message for message, the sentence features Rasa's own featurizer gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Type

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.sentence_counts import SentenceCountVectors

EXAMPLES = [("what does a sonographer do", "ask_duties"), ("how much do they earn in 2024", "ask_salary"),
            ("do I need a license", "ask_license"), ("¿cuánto gana un técnico?", "ask_salary"),
            ("x", "chitchat"), ("ok ok ok", "chitchat")]
NEW = ["what about nuclear medicine?", "an unknown wordzz", "", "/ask_salary", "how much do sonographers earn x"]


def messages(examples: bool) -> List[Message]:
    """Tokenized messages: the training examples (with intents), or new texts, some empty."""
    found = [Message(data={"text": t, "intent": i}) for t, i in EXAMPLES] if examples else \
        [Message(data={"text": t}) for t in NEW]
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(TrainingData(found))
    return found


def trained(cls: Type[CountVectorsFeaturizer], config: Dict[str, Any], folder: Path) -> CountVectorsFeaturizer:
    folder.mkdir(parents=True)
    context = ExecutionContext(GraphSchema({}), node_name=cls.__name__)
    featurizer = cls.create({**cls.get_default_config(), **config}, LocalModelStorage(folder),
                            Resource(cls.__name__), context)
    featurizer.train(TrainingData(messages(True)))
    return featurizer


@pytest.mark.parametrize("config", [{"max_ngram": 2}, {"analyzer": "char_wb", "min_ngram": 3, "max_ngram": 4},
                                    {"OOV_token": "oov", "OOV_words": ["x"]}])
def test_the_sentence_features_of_rasas_featurizer(config: Dict[str, Any], tmp_path: Path) -> None:
    ours = trained(SentenceCountVectors, config, tmp_path / "ours")
    rasas = trained(CountVectorsFeaturizer, config, tmp_path / "rasa")
    for examples in (True, False):
        batched, one_by_one = messages(examples), messages(examples)
        ours.process(batched)
        rasas.process(one_by_one)
        for mine, theirs in zip(batched, one_by_one, strict=True):
            got = mine.get_sparse_features("text")
            expected = theirs.get_sparse_features("text")
            assert got[0] is None, "no sequence features: the classifier does not read them"
            if expected[1] is None:
                assert got[1] is None, mine.get("text")
                continue
            assert got[1] is not None and got[1].features.dtype == expected[1].features.dtype
            assert np.array_equal(got[1].features.toarray(), expected[1].features.toarray()), mine.get("text")
        assert sum(m.get_sparse_features("text")[1] is not None for m in batched) >= 3
