"""A linear intent classifier that trains in seconds: logistic regression on scaled counts.

Rasa's `LogisticRegressionClassifier` fits raw token and character n-gram counts with a fixed
regularisation, so a long message outweighs a short one and the solver needs many iterations.
This one scales each message's counts (log(1 + count), then unit length), so messages of any
length weigh the same, and makes the regularisation strength `C` and the class weights
settings chosen on data (`make eval` compares candidates). The solver is liblinear by default:
one-vs-rest binary fits converge in a few seconds where the multinomial lbfgs fit took most of a
cold `rasa train` (docs/training-speed.md, `python -m bench.training_speed`). With `dual: true` liblinear
solves the dual problem, which suits more features (57,000) than examples (7,000): at a tolerance of 0.01
it reaches the primal fit's weights to within 0.7 % in 0.61 of its time. Those binary fits are
independent, so they run side by side in `n_jobs` worker processes (components/one_against_rest.py), and
the model does not depend on their number: with the primal solver each is the fit liblinear's own
one-vs-rest makes; the dual solver draws its order of coordinates from a generator seeded for each fit.
Processes, not threads: that generator is one per process, and threads sharing it would make the model
depend on their timing. The scaling is
stateless: nothing is fitted but the model. The model is saved as plain arrays (numpy, no
pickle): loading it takes milliseconds, where Rasa's skops file costs the server several seconds
of start-up.

The Rasa internals this relies on are listed in bot/rasa_patches.py, which checks at start-up that they
still exist.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Text

import numpy as np
from joblib import Parallel, delayed
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack
from sklearn.preprocessing import normalize
from sklearn.utils.class_weight import compute_class_weight

from components.one_against_rest import one_against_rest

logger = logging.getLogger(__name__)
ARRAYS = "linear_intent_classifier.npz"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression on log-scaled, unit-length sentence features; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus the ones `make eval` chose (C, class weights, solver)."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "max_iter": 1000,
                "class_weight": "balanced", "solver": "liblinear", "dense_weight": 1.0, "n_jobs": 0, "dual": False}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"],
                            dual=bool(self.config["dual"]))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        """Rasa's graph builds the component through this, named after its node."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def threads(self) -> int:
        """`n_jobs`, or with 0 (the default) one per core, at most 4: CI has 2, a laptop 4 or more."""
        wanted = int(self.config.get("n_jobs") or 0)
        return wanted if wanted > 0 else max(1, min(4, os.cpu_count() or 1))

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the training data; liblinear's one-vs-rest fits run side by side (see the module docstring)."""
        X, labels = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            return self._resource
        y = np.asarray(labels)
        classes = np.unique(y)
        if self.config["solver"] != "liblinear" or len(classes) < 3:
            self.clf.fit(X, y)
        else:
            weights = self.clf.class_weight
            if weights == "balanced":
                weights = dict(zip(classes, compute_class_weight("balanced", classes=classes, y=y), strict=True))
            fits = Parallel(n_jobs=self.threads())(
                delayed(one_against_rest)(self.clf, X, y, label, (weights or {}).get(label, 1.0)) for label in classes)
            self.clf.coef_ = np.vstack([coef for coef, _ in fits])
            self.clf.intercept_ = np.concatenate([intercept for _, intercept in fits])
            self.clf.classes_, self.clf.n_features_in_ = classes, X.shape[1]
            self.clf.n_iter_ = np.zeros(len(classes), dtype=np.int32)
        self.persist()
        return self._resource

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
        counts = csr_matrix(_sentence_counts(messages), dtype=np.float64)
        counts.data = np.log1p(np.abs(counts.data)) * np.sign(counts.data)
        counts = normalize(counts, norm="l2", copy=False)
        dense = [vector.features for vector in (m.get_dense_features(attribute=TEXT)[1] for m in messages)
                 if vector is not None]
        if not dense:
            return counts
        if len(dense) != len(messages):
            raise ValueError("A message has no sentence embedding: is SentenceEmbeddingFeaturizer in the pipeline?")
        vectors = normalize(np.vstack(dense).astype(np.float64), norm="l2") * float(self.config["dense_weight"])
        return hstack([counts, csr_matrix(vectors)], format="csr")


def _sentence_counts(messages: List[Message]) -> csr_matrix:
    """Every message's sparse sentence features side by side, featurizer after featurizer, one row each: what
    Rasa's `get_sparse_features` gives, without its per-message copies and joins of the sequence features
    too (10 of the 14 s the training matrix took). Each featurizer's rows are stacked in one go."""
    if not messages:
        return csr_matrix((0, 0))
    blocks = [[f.features for f in m.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
               and f.is_sparse()] for m in messages]
    shapes = {tuple(b.shape[1] for b in found) for found in blocks}
    if len(shapes) != 1 or any(b.shape[0] != 1 for found in blocks for b in found):  # not one row per featurizer
        rows = [m.get_sparse_features(attribute=TEXT)[1] for m in messages]
        return csr_matrix(vstack([csr_matrix(r.features if r else []) for r in rows]))
    columns = []
    for k, width in enumerate(next(iter(shapes))):
        parts = [found[k].tocoo() for found in blocks]
        columns.append(coo_matrix((np.concatenate([p.data for p in parts]),
                                   (np.repeat(np.arange(len(parts)), [p.nnz for p in parts]),
                                    np.concatenate([p.col for p in parts]))), shape=(len(parts), width)))
    return hstack(columns, format="csr") if columns else csr_matrix((len(messages), 0))
