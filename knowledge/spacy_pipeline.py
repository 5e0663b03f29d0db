"""Build the project's own spaCy pipeline: blank English, lookup lemmatizer (with chat
spellings), entity ruler.

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

# Chat spellings read as the word they stand for. Rasa's featurizers use the lemma, so "wat r
# u abt" looks like "what be you about" to the intent classifier, as the training data spells it.
CHAT_SPEAK = {
    "abt": "about", "bout": "about", "wat": "what", "wot": "what", "wut": "what", "wht": "what",
    "u": "you", "ur": "your", "r": "be", "hw": "how", "whr": "where",
    "pls": "please", "plz": "please", "thx": "thanks", "thnx": "thanks", "ty": "thanks", "tysm": "thanks",
    "cuz": "because", "coz": "because", "bc": "because", "ppl": "people", "tho": "though",
    "wanna": "want", "gonna": "go", "gotta": "have", "wud": "would", "shud": "should", "cud": "could",
    "dunno": "know", "idk": "know", "rn": "now", "info": "information", "edu": "education",
    "uni": "university", "yr": "year", "yrs": "year", "hr": "hour", "hrs": "hour", "wk": "week",
    "sal": "salary", "yeah": "yes", "yea": "yes", "yep": "yes", "yup": "yes", "ye": "yes",
    "nah": "no", "naw": "no", "nope": "no", "hii": "hi", "hiii": "hi", "hiya": "hi", "heyy": "hey",
    "oi": "hey", "cya": "bye", "byee": "bye",
}


def build_pipeline() -> Language:
    """A blank `en` pipeline with a lookup lemmatizer and the occupation entity ruler."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for written, meant in CHAT_SPEAK.items():
        lemmas[written] = lemmas[written.capitalize()] = meant
    # Patterns go in after initialize(): initializing would otherwise clear them.
    ruler.add_patterns(ruler_patterns(load()))
    nlp.meta["name"] = "career_3211"
    nlp.meta["description"] = "Blank English + lookup lemmatizer + occupation entity ruler (generated)"
    return nlp


def main(argv: Optional[List[str]] = None) -> int:
    """`make spacy`: build the pipeline and save it where config.yml's SpacyNLP loads it; 1 on a bad knowledge base."""
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
