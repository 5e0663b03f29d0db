"""Say where the last answer came from."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge_base


class ActionSources(Action):
    """Cites the sources of the last answer in full, or both sources if there was none yet."""

    def name(self) -> Text:
        return "action_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = knowledge_base()
        shown = tracker.get_slot("sources_shown")
        ids = [i for i in shown if isinstance(i, str)] if isinstance(shown, list) else []
        sources = kb.sources(ids)
        if sources:
            intro = "That answer comes from:"
        else:
            sources = kb.sources(kb.all_sources())
            intro = "I haven't answered a question yet. Everything I say comes from these sources:"
        lines = [intro]
        for source in sources:
            year = f", figures for {source.figures_year}" if source.figures_year else ""
            author = f", by {source.author}" if source.author else ""
            lines.append(f"• “{source.title}”{author}, {source.published_in} ({source.scope}{year}).")
        dispatcher.utter_message(text="\n".join(lines))
        return []
