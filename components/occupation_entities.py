"""Settle the `occupation` entities after the extractors, before the fallback classifier.

The entity ruler finds exact aliases from the knowledge base. This component adds the job
names it cannot find, misspellings ("radiograhper", "nucular medcine techs"), through the
knowledge base's one name resolver (knowledge.names); keeps one entity per span, the
ruler's first; keeps another extractor's finds only when they are close to a known alias,
with its id; and treats a message that is nothing but a job name ("ultrasound", "mri
tech?") as `inform_occupation`, since that is what a student answering "which job?" means.

Names of jobs outside the group (knowledge/other_jobs.yml: "radiologist") become `other_job`
entities, and are never read as the nearest job in the group ("radiologist" is one letter
from "radiologic").

A phrase that points at the whole group without naming it ("this group", "imaging jobs": the
knowledge base's `references`) names it only when the message names no job at all: "what jobs are
in this group" asks about the group, "is a sleep tech in this group" about the sleep tech.

A membership question that the classifier reads as out of scope ("is a dentist in this group") is
`ask_titles`, so the student gets a plain "no" for a job that is not on the list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.job_mask import names_from_pipeline, patterns_from_pipeline
from knowledge.names import CONTEXT_REFERENCE, CUTOFF, OCCUPATION, OTHER_JOB, REFERENCE, Names, asked_member

ENTITY = OCCUPATION
OTHER = OTHER_JOB
RULER = "SpacyEntityExtractor"
SPELLING = "misspelling"  # `found_by` of the names this component finds itself
TITLES = "ask_titles"  # the intent of a membership question
OUT_OF_SCOPE = "out_of_scope"
# What a bare job name may come with, in English and in Spanish ("what about MRI techs?", "¿y el ecografista?").
FILLER = re.compile(r"^(?:what|how|and|about|for|the|a|an|of|ok|okay|um|so|then|pls|please|y|e|el|la|los|las|un|una|"
                    r"de|del|sobre|acerca|qu[eé]|tal|pues|vale|entonces|porfa|por favor|\W)*$", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class OccupationEntities(GraphComponent):
    """Merges occupation entities and recognises bare job names; see the module docstring."""

    NAME = "OccupationEntities"  # the `extractor` of every entity it keeps: what NLU evaluation scores

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the job names are, and how close a misspelling must be to count."""
        return {"pipeline_path": "build/spacy_pipeline", "cutoff": CUTOFF}

    def __init__(self, config: Dict[Text, Any]) -> None:
        aliases, others = names_from_pipeline(Path(config["pipeline_path"]))
        self.names = Names(aliases, others, cutoff=float(config["cutoff"]))
        self.references = patterns_from_pipeline(Path(config["pipeline_path"]), REFERENCE)
        self.context_references = patterns_from_pipeline(Path(config["pipeline_path"]), CONTEXT_REFERENCE)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OccupationEntities":
        """Rasa's graph builds the component through this; it has nothing to train or store."""
        return cls(config)

    def resolve(self, value: Any) -> Optional[str]:
        """The occupation id for an extracted value, or None when it names no job in the group."""
        return self.names.resolve(value)

    def classify(self, value: Any) -> Optional[Tuple[str, str]]:
        """(`occupation` or `other_job`, id) for an extracted value, or None when it names no known job."""
        return self.names.classify(value)

    def process(self, messages: List[Message]) -> List[Message]:
        """Settle each message's job entities before the fallback classifier reads them."""
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        entities = message.get(ENTITIES) or []
        unrelated = [e for e in entities if e.get("entity") not in (ENTITY, OTHER, REFERENCE, CONTEXT_REFERENCE)]
        references = [e for e in entities if e.get("entity") == REFERENCE
                      and str(e.get("value", "")).lower() in self.references]
        context = [e for e in entities if e.get("entity") == CONTEXT_REFERENCE
                   and str(e.get("value", "")).lower() in self.context_references]
        found = sorted((e for e in entities if e.get("entity") in (ENTITY, OTHER)),
                       key=lambda e: (e.get(EXTRACTOR) != RULER, e.get("entity") != OTHER, e.get("start", 0)))
        kept: List[Dict[str, Any]] = []
        for entity in found:
            if any(entity.get("start", 0) < k.get("end", 0) and k.get("start", 0) < entity.get("end", 0)
                   for k in kept):
                continue
            if entity.get("entity") == OTHER:
                job = self.classify(entity.get("value")) or (OTHER, str(entity.get("value")))
            else:
                job = self.classify(entity.get("value")) or self.classify(entity.get("text"))
            if job is None:
                continue
            kept.append({**entity, "entity": job[0], "value": job[1], EXTRACTOR: self.NAME,
                         "found_by": entity.get(EXTRACTOR)})
        text = message.get(TEXT) or ""
        spans = [(k.get("start", 0), k.get("end", 0)) for k in kept]
        for name in [] if text.startswith("/") else self.names.find(text, spans):  # "/intent{...}" is a button
            kept.append({"entity": name.kind, "start": name.start, "end": name.end, "value": name.id,
                         "text": name.text, "confidence_entity": 1.0, EXTRACTOR: self.NAME, "found_by": SPELLING})
        kept = kept if text.startswith("/") else self._outside_phrases(text, kept)
        if not text.startswith("/"):  # "how much does a cardiologist earn": a job, outside the group
            spans = [(k.get("start", 0), k.get("end", 0)) for k in kept]
            kept += [{"entity": OTHER, "start": start, "end": end, "value": job, "text": text[start:end],
                      "confidence_entity": 1.0, EXTRACTOR: self.NAME, "found_by": "profession word"}
                     for start, end, job in self.names.professions(text, spans)]
        if not kept and references:  # "what jobs are in this group": the group, when no job is named
            first = min(references, key=lambda e: e.get("start", 0))
            kept.append({**first, "entity": ENTITY, "value": self.references[str(first["value"]).lower()],
                         EXTRACTOR: self.NAME, "found_by": REFERENCE})
        elif not kept and context:  # "how much does this career pay": the job in context, else the group (actions)
            first = min(context, key=lambda e: e.get("start", 0))
            kept.append({**first, "value": self.context_references[str(first["value"]).lower()],
                         EXTRACTOR: self.NAME, "found_by": CONTEXT_REFERENCE})
        kept.sort(key=lambda e: e.get("start", 0))
        message.set(ENTITIES, unrelated + kept, add_to_output=True)
        self._bare_job_name(message, kept)
        self._membership(message)

    def _outside_phrases(self, text: str, kept: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """A group name inside a longer job phrase ("nuclear medicine physician") is that other job."""
        found: List[Dict[str, Any]] = []
        for entity in kept:
            wider = self.names.outside_phrase(text, entity.get("start", 0), entity.get("end", 0)) \
                if entity.get("entity") == ENTITY else None
            if wider is None:
                found.append(entity)
                continue
            start, end, job = wider
            found = [f for f in found if not (f.get("start", 0) < end and start < f.get("end", 0))]
            found.append({**entity, "entity": OTHER, "start": start, "end": end, "value": job,
                          "text": text[start:end], "found_by": "job phrase"})
        return [f for f in found if not any(o is not f and o["entity"] == OTHER and o.get("start", 0) <=
                                            f.get("start", 0) and f.get("end", 0) <= o.get("end", 0) and
                                            f["entity"] == ENTITY for o in found)]

    @staticmethod
    def _membership(message: Message) -> None:
        """"Is a dentist in this group?" read as out of scope is still a membership question: it gets a plain
        "no" from the titles action, not the general "my sources only cover ..."."""
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        if intent.get("name") != OUT_OF_SCOPE or text.startswith("/") or asked_member(text) is None:
            return
        _set_intent(message, TITLES)

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
        _set_intent(message, "inform_occupation")


def _set_intent(message: Message, name: str) -> None:
    """The form of the message decides its intent: first in the ranking, with full confidence."""
    intent = {"name": name, "confidence": 1.0}
    ranking = [intent] + [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
