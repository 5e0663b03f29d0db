"""The domain's responses in the conversation's language.

Rasa picks a response variation by its `condition`s on slots, and a slot is set by an event, which a
first "hola" has not had yet. So this generator, named in endpoints.yml, works out the conversation's
language from the tracker's user messages each time (knowledge.language's sticky rule, the same as the
actions') and gives it as the slot `language`'s value when the variations are filtered: a Spanish
variation has `condition: [{type: slot, name: language, value: es}]`, the English one none.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from knowledge.language import LANGUAGE_KEY, conversation_language


def tracker_language(tracker: DialogueStateTracker) -> str:
    """The conversation's language, from every user message of the tracker, oldest first."""
    return conversation_language((e.parse_data, e.metadata) for e in tracker.events if isinstance(e, UserUttered))


class LanguageNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's templated generator, with the conversation's language as the slot `language`."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        """A variation chosen with the conversation's language, filled like Rasa's own."""
        filled_slots = {**tracker.current_slot_values(), LANGUAGE_KEY: tracker_language(tracker)}
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
