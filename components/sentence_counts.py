"""Rasa's CountVectorsFeaturizer for a classifier that reads sentence features only, a batch at a time.

Rasa 3.6 featurizes message by message, and each message gets a row of counts per token (the sequence
features, which DIET and CRF read), its intent's counts, and the sentence's counts: three sklearn calls per
message, each with its fixed overhead. The linear intent classifier (components/intent_classifier.py) reads
the sentence's counts only. Here the texts of all the messages go through one `transform`, and each message
gets its sentence row: the same vocabulary and the same sentence features as Rasa's featurizer (a unit test
compares them), in a fraction of the time (docs/training-speed.md).

The Rasa internals this relies on are listed in bot/rasa_patches.py, which checks at start-up that they
still exist.
"""

from __future__ import annotations

from typing import List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentenceCountVectors(CountVectorsFeaturizer):
    """CountVectorsFeaturizer that gives each message's text its sentence counts only; see the module docstring."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Each message with words gets its sentence's counts, from one `transform` of the whole batch."""
        vectorizer = (self.vectorizers or {}).get(TEXT)
        if vectorizer is None:
            return super().process(messages)  # untrained: Rasa's own message and log
        tokens = [self._get_processed_message_tokens_by_attribute(m, TEXT) for m in messages]
        counted = [i for i, found in enumerate(tokens) if found]
        if not counted:
            return messages
        rows = vectorizer.transform([" ".join(tokens[i]) for i in counted]).tocsr()
        rows.sort_indices()
        for row, index in enumerate(counted):
            start, end = rows.indptr[row], rows.indptr[row + 1]
            sentence = coo_matrix((rows.data[start:end], (np.zeros(end - start, dtype=rows.indices.dtype),
                                                          rows.indices[start:end])), shape=(1, rows.shape[1]))
            self.add_features_to_message(None, sentence, TEXT, messages[index])
        return messages
