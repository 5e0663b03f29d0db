"""Build the project's own spaCy pipeline: blank English, lookup lemmatizer, entity ruler.

Official spaCy models cannot be downloaded here, so `SpacyNLP` loads this directory by
path. The ruler's patterns come from the knowledge base's aliases, never typed twice.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

import spacy
from spacy.language import Language

from knowledge.build import PROJECT_DIR, KnowledgeError, load, ruler_patterns

DEFAULT_OUTPUT = PROJECT_DIR / "build" / "spacy_pipeline"


def build_pipeline() -> Language:
    """A blank `en` pipeline with a lookup lemmatizer and the occupation entity ruler."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data
    # Patterns go in after initialize(): initializing would otherwise clear them.
    ruler.add_patterns(ruler_patterns(load()))
    nlp.meta["name"] = "career_3211"
    nlp.meta["description"] = "Blank English + lookup lemmatizer + occupation entity ruler (generated)"
    return nlp


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        nlp = build_pipeline()
    except KnowledgeError as error:
        print(f"knowledge base error: {error}", file=sys.stderr)
        return 1
    nlp.to_disk(args.output)
    print(f"spaCy pipeline with {len(nlp.get_pipe('entity_ruler'))} patterns -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
