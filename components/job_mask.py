"""Word counts of a message with every job name replaced by one token.

"what does a sonographer do" and "what does an EEG technician do" are the same question about
different jobs. The plain word counts see two different sentences, so each question shape has to
be learnt once per job name; these counts see "what does a __job__ do" in both, and the classifier
learns the shape once. They are added beside the plain counts, not instead of them: some names do
carry a hint of the question ("ultrasound" in "are ultrasound waves harmful").

Job names are found as the actions find them: the knowledge base's aliases exactly (from the
project's spaCy pipeline, as the entity ruler has them) and misspellings through the one name
resolver, so a name is masked the same way in training and at run time, whatever the training
data's annotations say.

The Rasa internals this relies on are listed in bot/rasa_patches.py, which checks at start-up that they
still exist.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.sentence_counts import SentenceCountVectors
from knowledge.names import OCCUPATION, OTHER_JOB, Names

MASKS = {OCCUPATION: "__job__", OTHER_JOB: "__otherjob__"}
SPANS_CACHED = 20_000  # texts whose job names are kept: more than the training examples, a few MB


def patterns_from_pipeline(pipeline_path: Path, label: str) -> Dict[str, str]:
    """The entity ruler's patterns with one label, lower case, to their ids."""
    found: Dict[str, str] = {}
    patterns = Path(pipeline_path) / "entity_ruler" / "patterns.jsonl"
    for line in patterns.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pattern = json.loads(line)
            if pattern.get("label") == label:
                found[str(pattern["pattern"]).lower()] = pattern["id"]
    return found


def names_from_pipeline(pipeline_path: Path) -> Tuple[Dict[str, str], Dict[str, str]]:
    """The aliases of the group's jobs and of the jobs outside it, from the entity ruler's patterns.

    References ("this group") are left out: they point at a job without naming it.
    """
    return patterns_from_pipeline(pipeline_path, OCCUPATION), patterns_from_pipeline(pipeline_path, OTHER_JOB)


class JobSpans:
    """Where job names are in a text: the name resolver's one alias scanner, then misspellings."""

    def __init__(self, aliases: Dict[str, str], others: Dict[str, str]) -> None:
        self.names = Names(aliases, others)
        # Training reads every example twice (the vocabulary, then the features): the second scan is a look-up.
        self.find = lru_cache(maxsize=SPANS_CACHED)(self._find)

    def _find(self, text: str) -> Tuple[Tuple[int, int, str], ...]:
        """(start, end, kind) of each job name, in order: what the word counts see as one masked word."""
        return tuple((f.start, f.end, f.kind) for f in self.names.mentions(text))


@lru_cache(maxsize=2)
def job_spans(pipeline_path: Path, written_ns: int) -> JobSpans:
    """One scanner, and so one cache of found names, per pipeline as written: Rasa's graph trains one instance
    of the featurizer and featurizes the training data with another."""
    return JobSpans(*names_from_pipeline(pipeline_path))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class JobMaskedCountVectors(SentenceCountVectors):
    """The sentence's word counts with job names masked (components/sentence_counts.py); see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's settings plus where the entity ruler's patterns, the job names, are."""
        return {**SentenceCountVectors.get_default_config(), "pipeline_path": "build/spacy_pipeline"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, model_storage, resource, execution_context, *args, **kwargs)
        pipeline = Path(config["pipeline_path"])
        self.spans = job_spans(pipeline, (pipeline / "entity_ruler" / "patterns.jsonl").stat().st_mtime_ns)

    def _get_message_tokens_by_attribute(self, message: Message, attribute: Text) -> List[Text]:
        if attribute != TEXT:
            return super()._get_message_tokens_by_attribute(message, attribute)
        text = message.get(TEXT) or ""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        spans = () if text.startswith("/") else self.spans.find(text)
        words: List[Text] = []
        for token in tokens:  # one word per token: Rasa lines these features up with the other featurizers'
            kind = next((k for start, end, k in spans if token.start < end and start < token.end), None)
            words.append(MASKS[kind] if kind else token.lemma if self.use_lemma else token.text)
        return words
