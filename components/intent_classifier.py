"""A linear intent classifier that trains in seconds: logistic regression on scaled counts.

Rasa's `LogisticRegressionClassifier` fits raw token and character n-gram counts with a fixed
regularisation, so a long message outweighs a short one and the solver needs many iterations.
This one scales each message's counts (log(1 + count), then unit length), so messages of any
length weigh the same, and makes the regularisation strength `C` and the class weights
settings chosen on data (`make eval` compares candidates). The solver is liblinear by default:
one-vs-rest binary fits converge in a few seconds where the multinomial lbfgs fit took most of a
cold `rasa train` (docs/training-speed.md, `python -m bench.training_speed`). The scaling is
stateless: nothing is fitted but the model. The model is saved as plain arrays (numpy, no
pickle): loading it takes milliseconds, where Rasa's skops file costs the server several seconds
of start-up.

The Rasa internals this relies on are listed in bot/rasa_patches.py, which checks at start-up that they
still exist.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.preprocessing import normalize

logger = logging.getLogger(__name__)
ARRAYS = "linear_intent_classifier.npz"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression on log-scaled, unit-length sentence features; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus the ones `make eval` chose (C, class weights, solver)."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "max_iter": 1000,
                "class_weight": "balanced", "solver": "liblinear", "dense_weight": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        """Rasa's graph builds the component through this, named after its node."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def persist(self) -> None:
        """Save the fitted model as plain arrays, which load in milliseconds and run no pickle."""
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / ARRAYS, coef=self.clf.coef_, intercept=self.clf.intercept_,
                     classes=np.array(self.clf.classes_, dtype=str))

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        """The saved arrays, or an untrained component (every message falls back) when none are saved."""
        component = cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / ARRAYS, allow_pickle=False) as arrays:
                    component.clf.coef_, component.clf.intercept_ = arrays["coef"], arrays["intercept"]
                    component.clf.classes_ = arrays["classes"].astype(object)
        except (ValueError, OSError, KeyError):
            logger.warning("No trained intent classifier in the model; every message will fall back.")
            return component
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's prediction, or no intent while untrained, so the fallback answers, not a guess."""
        if not hasattr(self.clf, "coef_"):  # untrained: no intent, so the fallback classifier answers
            for message in messages:
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
            return messages
        return super().process(messages)

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """The counts log-scaled to unit length, beside the dense sentence features (if any) at unit
        length times `dense_weight`: each block weighs the same for a message of any length."""
        sparse, dense = [], []
        for message in messages:
            counts = message.get_sparse_features(attribute=TEXT)[1]
            sparse.append(csr_matrix(counts.features if counts else []))
            vector = message.get_dense_features(attribute=TEXT)[1]
            if vector is not None:
                dense.append(vector.features)
        counts = csr_matrix(vstack(sparse), dtype=np.float64)
        counts.data = np.log1p(np.abs(counts.data)) * np.sign(counts.data)
        counts = normalize(counts, norm="l2", copy=False)
        if not dense:
            return counts
        if len(dense) != len(messages):
            raise ValueError("A message has no sentence embedding: is SentenceEmbeddingFeaturizer in the pipeline?")
        vectors = normalize(np.vstack(dense).astype(np.float64), norm="l2") * float(self.config["dense_weight"])
        return hstack([counts, csr_matrix(vectors)], format="csr")
