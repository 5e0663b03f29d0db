"""Settle the `occupation` entities after both extractors, before the fallback classifier.

The entity ruler (exact aliases from the knowledge base) and DIET (misspellings, new
phrasings) often find the same words. Keep one entity per span, the ruler's first; keep
DIET's other finds only when they are close to a known alias, and give them its id; and
treat a message that is nothing but a job name ("ultrasound", "mri tech?") as
`inform_occupation`, since that is what a student answering "which job?" means.

Names of jobs outside the group (knowledge/other_jobs.yml: "radiologist") become `other_job`
entities, and are never read as the nearest job in the group ("radiologist" is one letter
from "radiologic").
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

ENTITY = "occupation"
OTHER = "other_job"
RULER = "SpacyEntityExtractor"
FILLER = re.compile(r"^(?:what|how|and|about|for|the|a|an|of|ok|okay|um|so|then|pls|please|\W)*$", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class OccupationEntities(GraphComponent):
    """Merges occupation entities and recognises bare job names; see the module docstring."""

    NAME = "OccupationEntities"  # the `extractor` of every entity it keeps: what NLU evaluation scores

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"pipeline_path": "build/spacy_pipeline", "cutoff": 0.8}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.cutoff = float(config["cutoff"])
        patterns = Path(config["pipeline_path"]) / "entity_ruler" / "patterns.jsonl"
        self.aliases: Dict[str, str] = {}
        self.others: Dict[str, str] = {}
        for line in patterns.read_text(encoding="utf-8").splitlines():
            if line.strip():
                pattern = json.loads(line)
                names = self.others if pattern.get("label") == OTHER else self.aliases
                names[str(pattern["pattern"]).lower()] = pattern["id"]
        self.ids = set(self.aliases.values())
        self.other_ids = set(self.others.values())

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OccupationEntities":
        return cls(config)

    def resolve(self, value: Any) -> Optional[str]:
        """The occupation id for an extracted value, or None when it names no job in the group."""
        found = self.classify(value)
        return found[1] if found and found[0] == ENTITY else None

    def classify(self, value: Any) -> Optional[Tuple[str, str]]:
        """(`occupation` or `other_job`, id) for an extracted value, or None when it names no known job."""
        if not isinstance(value, str):
            return None
        key = value.lower().strip()
        if key in self.ids or key in self.aliases:
            return ENTITY, self.aliases.get(key, key)
        if key in self.other_ids or key in self.others:
            return OTHER, self.others.get(key, key)
        close = difflib.get_close_matches(key, [*self.aliases, *self.others], n=1, cutoff=self.cutoff)
        if not close:
            return None
        return (ENTITY, self.aliases[close[0]]) if close[0] in self.aliases else (OTHER, self.others[close[0]])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        entities = message.get(ENTITIES) or []
        unrelated = [e for e in entities if e.get("entity") not in (ENTITY, OTHER)]
        found = sorted((e for e in entities if e.get("entity") in (ENTITY, OTHER)),
                       key=lambda e: (e.get(EXTRACTOR) != RULER, e.get("entity") != OTHER, e.get("start", 0)))
        kept: List[Dict[str, Any]] = []
        for entity in found:
            if any(entity.get("start", 0) < k.get("end", 0) and k.get("start", 0) < entity.get("end", 0)
                   for k in kept):
                continue
            if entity.get("entity") == OTHER:
                job = (OTHER, self.others.get(str(entity.get("value")).lower(), str(entity.get("value"))))
            else:
                job = self.classify(entity.get("value")) or self.classify(entity.get("text"))
            if job is None:
                continue
            kept.append({**entity, "entity": job[0], "value": job[1], EXTRACTOR: self.NAME,
                         "found_by": entity.get(EXTRACTOR)})
        kept.sort(key=lambda e: e.get("start", 0))
        message.set(ENTITIES, unrelated + kept, add_to_output=True)
        self._bare_job_name(message, kept)

    @staticmethod
    def _bare_job_name(message: Message, kept: List[Dict[str, Any]]) -> None:
        text = message.get(TEXT) or ""
        if not kept or text.startswith("/"):
            return
        rest = text
        for entity in sorted(kept, key=lambda e: -e.get("start", 0)):
            rest = rest[: entity.get("start", 0)] + " " + rest[entity.get("end", 0):]
        if not FILLER.match(rest.strip()):
            return
        intent = {"name": "inform_occupation", "confidence": 1.0}
        ranking = [intent] + [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != intent["name"]]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
