"""The sentence embedding: all-MiniLM-L6-v2 run in numpy gives sentence-transformers' own vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.special import erf as exact_erf

from components import sentence_embedding
from components.sentence_embedding import SentenceEmbeddingFeaturizer, archive_path, erf, minilm, similarity

# Three texts encoded by sentence-transformers 6.3.0 on PyTorch (CPU) from the same package, once.
REFERENCE = Path(__file__).with_name("minilm_reference.json")


def test_numpy_encoder_gives_sentence_transformers_vectors() -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = minilm().encode(reference["texts"])
    theirs = np.array(reference["embeddings"])
    assert ours.shape == theirs.shape == (3, 384)
    assert np.abs(ours - theirs).max() < 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_fast_erf_is_within_a_millionth_of_the_exact_one() -> None:
    x = np.linspace(-8, 8, 200_001).astype(np.float32)
    assert np.abs(erf(x) - exact_erf(x)).max() < 1e-6


def test_encoding_does_not_depend_on_the_batch() -> None:
    """Texts are padded to their batch's longest: padding must not move a vector."""
    alone = minilm().encode(["do sonographers use radiation"])
    batched = minilm().encode(["hi", "do sonographers use radiation", "a much longer message " * 10])
    assert np.abs(alone[0] - batched[1]).max() < 1e-5


def test_batches_on_threads_give_the_vectors_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The training data is encoded on one thread per core: the rows land where they belong, unchanged.

    To rounding: one batch on this thread keeps BLAS on every core, and on some CPUs (AVX-512 ones) OpenBLAS's
    products on two threads differ from one thread's in the last bits (1.3e-7 at most, measured). A row in the
    wrong place would differ by about 1."""
    texts = [f"question number {i} about {'sonographers ' * (i % 7)}pay" for i in range(150)]
    threaded = minilm().encode(texts, threads=3)
    assert np.allclose(threaded, minilm().encode(texts, threads=1), rtol=0, atol=1e-6)
    monkeypatch.setattr(sentence_embedding, "MAX_THREADS", 1)
    assert np.array_equal(threaded, minilm().encode(texts, threads=3))
    assert np.allclose(threaded, minilm().encode(texts), rtol=0, atol=1e-6)


def test_paraphrases_are_nearer_than_other_questions() -> None:
    """With no job name to dominate (job names weigh heavily: hence the counts beside it)."""
    assert similarity("how much do they earn", "what is their salary") > \
        similarity("how much do they earn", "what do they do all day") + 0.2


def test_the_model_is_read_from_the_installed_package() -> None:
    assert archive_path().name == "model.zip" and archive_path().is_file()
    with pytest.raises(RuntimeError, match="make install"):
        archive_path("no_such_model_package")


def test_every_message_gets_a_row_and_a_button_payload_gets_zeros(tmp_path: Path) -> None:
    featurizer = SentenceEmbeddingFeaturizer.create(
        SentenceEmbeddingFeaturizer.get_default_config(), LocalModelStorage(tmp_path), Resource("embedding"),
        ExecutionContext(GraphSchema({}), "test"))
    messages = [Message(data={"text": t}) for t in ("what does a sonographer do", "/ask_salary", "   ")]
    featurizer.process(messages)
    rows = [m.get_dense_features("text")[1].features for m in messages]
    assert [r.shape for r in rows] == [(1, 384)] * 3
    assert np.isclose(np.linalg.norm(rows[0]), 1.0) and not rows[1].any() and not rows[2].any()
    training = TrainingData([Message(data={"text": "hi", "intent": "greet"}), Message(data={"intent": "greet"})])
    featurizer.process_training_data(training)
    assert training.training_examples[0].get_dense_features("text")[1] is not None
