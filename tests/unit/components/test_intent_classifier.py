"""The linear intent classifier: scaling, training, and saving without pickle."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.base import clone

from components.intent_classifier import ARRAYS, LinearIntentClassifier, _sentence_counts

# Two intents told apart by which of four "words" a message has, a few times over.
VOCABULARY = {"pay": 0, "salary": 1, "hello": 2, "hi": 3, "bye": 4}


def message(words: List[str], intent: str = "") -> Message:
    counts = np.zeros((1, len(VOCABULARY)))
    for word in words:
        counts[0, VOCABULARY[word]] += 1
    data = {"text": " ".join(words), **({"intent": intent} if intent else {})}
    features = [Features(scipy.sparse.coo_matrix(counts), "sentence", "text", "counts"),
                Features(scipy.sparse.coo_matrix(counts), "sequence", "text", "counts")]
    return Message(data=data, features=features)


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config: Any) -> LinearIntentClassifier:
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), "C": 100.0, **config},
                                               storage, Resource("classifier"), context)
    classifier.train(TrainingData(examples(three=bool(config))))
    return classifier


def examples(three: bool) -> List[Message]:
    """Two intents, or three, so that one-vs-rest and multinomial probabilities differ."""
    found = [message(w, "ask_salary") for w in (["pay"], ["salary"], ["pay", "salary"], ["pay", "pay", "pay"])]
    found += [message(w, "greet") for w in (["hello"], ["hi"], ["hi", "hello"], ["hi", "hi", "hi", "hi"])]
    if three:
        found += [message(w, "goodbye") for w in (["bye"], ["bye", "bye"], ["bye", "hi"])]
    return found


def test_long_and_short_messages_weigh_the_same(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    rows = classifier._create_X([message(["pay"]), message(["pay"] * 50)]).toarray()
    assert np.allclose(rows[0], rows[1]) and np.isclose(np.linalg.norm(rows[0]), 1.0)


def test_trains_saves_as_arrays_and_loads_the_same_model(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    probe = [message(["salary", "salary"]), message(["hello", "hi"])]
    before = [m.get("intent")["name"] for m in classifier.process(probe)]
    assert before == ["ask_salary", "greet"]
    with storage.read_from(Resource("classifier")) as directory:
        assert sorted(p.name for p in directory.iterdir()) == [ARRAYS]
        np.load(directory / ARRAYS, allow_pickle=False)  # no pickled objects inside
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage,
                                         Resource("classifier"), context)
    after = loaded.process([message(["salary", "salary"]), message(["hello", "hi"])])
    assert [m.get("intent")["name"] for m in after] == before
    assert after[0].get("intent")["confidence"] == pytest.approx(probe[0].get("intent")["confidence"])


def test_a_model_without_a_classifier_gives_no_intent(storage: LocalModelStorage) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    empty = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage,
                                        Resource("missing"), context)
    result = empty.process([message(["pay"])])[0]
    assert result.get("intent") == {"name": None, "confidence": 0.0} and result.get("intent_ranking") == []


@pytest.mark.parametrize("solver", ["liblinear", "lbfgs"])
def test_the_solver_is_a_setting_and_the_loaded_model_keeps_its_probabilities(storage: LocalModelStorage,
                                                                              solver: str) -> None:
    """config.yml picks liblinear for speed: its one-vs-rest probabilities must survive saving and loading."""
    classifier = trained(storage, solver=solver, tol=1e-4)
    assert classifier.clf.solver == solver
    probe = [message(["salary"]), message(["hello", "hi"]), message(["bye"])]
    before = [(m.get("intent")["name"], m.get("intent")["confidence"]) for m in classifier.process(probe)]
    assert [name for name, _ in before] == ["ask_salary", "greet", "goodbye"]
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LinearIntentClassifier.get_default_config(), "C": 100.0, "solver": solver, "tol": 1e-4}
    loaded = LinearIntentClassifier.load(config, storage, Resource("classifier"), context)
    after = loaded.process([message(["salary"]), message(["hello", "hi"]), message(["bye"])])
    assert [m.get("intent")["name"] for m in after] == [name for name, _ in before]
    assert [m.get("intent")["confidence"] for m in after] == pytest.approx([c for _, c in before])
    ranking = after[0].get("intent_ranking")
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_counts_and_sentence_embedding_are_scaled_as_separate_blocks(storage: LocalModelStorage) -> None:
    """The counts at unit length, the embedding at unit length times dense_weight, side by side."""
    classifier = trained(storage)
    classifier.config["dense_weight"] = 0.5
    with_vector = message(["pay"] * 3)
    with_vector.add_features(Features(np.array([[3.0, 4.0]]), "sentence", "text", "embedding"))
    row = classifier._create_X([with_vector]).toarray()[0]
    counts, vector = row[:len(VOCABULARY)], row[len(VOCABULARY):]
    assert np.isclose(np.linalg.norm(counts), 1.0)
    assert np.allclose(vector, [0.3, 0.4])


def test_the_counts_are_rasas_combined_sentence_features() -> None:
    """Three featurizers' sentence rows, stacked block by block, are what Rasa's per-message join gives; a
    message whose blocks differ takes Rasa's own path."""
    rng = np.random.default_rng(3211)

    def featurized(widths: List[int]) -> Message:
        found = Message(data={"text": "x"})
        for origin, width in zip("abc", widths, strict=False):
            row = scipy.sparse.random(1, width, density=0.3, random_state=rng, format="coo") * 5
            found.add_features(Features(row, "sentence", "text", origin))
            found.add_features(Features(scipy.sparse.random(3, width, density=0.3, random_state=rng, format="coo"),
                                        "sequence", "text", origin))
        found.add_features(Features(np.ones((1, 2)), "sentence", "text", "dense"))
        return found

    for widths in ([[4, 6, 3]] * 40, [[4, 6, 3]] * 3 + [[4, 9]]):
        messages = [featurized(w) for w in widths]
        rasas = scipy.sparse.vstack([m.get_sparse_features(attribute="text")[1].features for m in messages]) \
            if len({len(w) for w in widths}) == 1 else None
        ours = _sentence_counts(messages)
        assert ours.shape[0] == len(messages)
        if rasas is not None:
            assert ours.shape == rasas.shape and np.array_equal(ours.toarray(), rasas.toarray())
    assert _sentence_counts([]).shape[0] == 0


def test_a_message_without_the_embedding_is_an_error_not_a_misaligned_row(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    with_vector = message(["pay"])
    with_vector.add_features(Features(np.array([[1.0, 0.0]]), "sentence", "text", "embedding"))
    with pytest.raises(ValueError, match="SentenceEmbeddingFeaturizer"):
        classifier._create_X([with_vector, message(["hi"])])


@pytest.mark.parametrize("dual", [False, True])
@pytest.mark.parametrize("class_weight", [None, "balanced", {"goodbye": 3.0}])
def test_the_side_by_side_fits_are_liblinears_own_one_vs_rest(tmp_path: Path, class_weight: Any, dual: bool) -> None:
    """Worker processes only share the work: the model is the one a single liblinear fit makes, for any class
    weights, and with the dual solver, whose random order of coordinates a shared generator would change."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = trained(LocalModelStorage(tmp_path / "one"), n_jobs=1, class_weight=class_weight, dual=dual, tol=0.01)
    two = trained(LocalModelStorage(tmp_path / "two"), n_jobs=2, class_weight=class_weight, dual=dual, tol=0.01)
    assert list(two.clf.classes_) == list(one.clf.classes_) == ["ask_salary", "goodbye", "greet"]
    assert np.allclose(two.clf.coef_, one.clf.coef_, atol=1e-8)
    assert np.allclose(two.clf.intercept_, one.clf.intercept_, atol=1e-8)
    if not dual:  # the primal solver has no randomness: liblinear's own one-vs-rest fit is the same model
        X, y = one._create_training_matrix(TrainingData(examples(three=True)))
        own = clone(one.clf).fit(X, y)
        assert np.allclose(own.coef_, one.clf.coef_, atol=1e-8)
    probe = [message(["salary", "bye"]), message(["hi", "bye"])]
    assert [r["confidence"] for m in two.process(probe) for r in m.get("intent_ranking")] == pytest.approx(
        [r["confidence"] for m in one.process([message(["salary", "bye"]), message(["hi", "bye"])])
         for r in m.get("intent_ranking")])
