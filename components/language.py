"""Which language each message is written in, English or Spanish, for the replies to follow the student.

lingua (lingua-language-detector, high-accuracy mode, restricted to English and Spanish, its models loaded
with the component) scores each message; the parse data gets {"code": "es", "margin": 0.83}, margin being
|P(es) - P(en)|. The conversation's language is decided from these by knowledge.language's sticky rule, not
here: one message ("ok") says little. Buttons' payloads ("/ask_salary") and texts with no letters get none.
Measured on short messages in docs/language-detection.md (81 % of 1-2-word messages right on its own).
Where lingua is unsure (a margin below SWITCH_MARGIN), everyday words decide (knowledge.language.word_vote). A
message of one word that is no everyday word of either language ("ok", "sonographer") never switches a
conversation: lingua gave "ok" a sure English margin, and a Spanish conversation's "ok" got an English reply.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.language import ENGLISH, FIRST_MARGIN, LANGUAGE_KEY, SPANISH, SWITCH_MARGIN, word_vote

MAX_CHARACTERS = 1000  # enough to tell the language; a huge message costs no more
WORD = re.compile(r"[^\W\d_]+")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent):
    """Writes each message's detected language and the detector's margin into the parse data."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No settings: the languages and the mode were chosen in docs/language-detection.md."""
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self.codes = {Language.ENGLISH: ENGLISH, Language.SPANISH: SPANISH}
        self.detector = (LanguageDetectorBuilder.from_languages(*self.codes)
                         .with_preloaded_language_models().build())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        """Load the detector with the model, so the first student does not wait for it."""
        return cls(config)

    def detect(self, text: str) -> Optional[Dict[str, Any]]:
        """{"code", "margin"} for a text, or None for a button's payload or a text lingua cannot score."""
        if not text or text.startswith("/"):
            return None
        scores = {self.codes[c.language]: c.value for c in
                  self.detector.compute_language_confidence_values(text[:MAX_CHARACTERS])}
        es, en = scores.get(SPANISH, 0.0), scores.get(ENGLISH, 0.0)
        if es + en <= 0:
            return None
        share = es / (es + en)
        code, margin = SPANISH if share > 0.5 else ENGLISH, round(abs(2 * share - 1), 4)
        one_word = len(WORD.findall(text[:MAX_CHARACTERS])) == 1
        vote = word_vote(text[:MAX_CHARACTERS]) if margin < SWITCH_MARGIN or one_word else None
        if vote is not None and (margin < SWITCH_MARGIN or vote != code):
            # lingua is unsure, or its one word is an everyday word of the other language: the everyday words
            # decide, enough to start a conversation, never to switch one
            return {"code": vote, "margin": FIRST_MARGIN}
        if one_word and vote is None:  # "ok", "sonographer", "MRI": lingua's sure margin on one such word is a guess
            margin = min(margin, FIRST_MARGIN)
        return {"code": code, "margin": margin}

    def process(self, messages: List[Message]) -> List[Message]:
        """Annotate each message; its parse data carries the result to the tracker and the actions."""
        for message in messages:
            found = self.detect(message.get(TEXT) or "")
            if found is not None:
                message.set(LANGUAGE_KEY, found, add_to_output=True)
        return messages
