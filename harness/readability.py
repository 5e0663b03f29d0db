"""How plain the assistant's words are, measured (issue 22): every text it can say, scored with textstat's
Flesch-Kincaid grade, worst first, in docs/readability.md (`make readability`, part of `make eval`).

Why here, and read from the real sources: the students are about 15, so their grade 8 or below is the
target (95 % of the texts, tests/unit/harness/test_readability.py holds it). A hand-kept copy of the texts
would drift, so they are read where they live: domain.yml's responses (every variation, and the buttons),
the knowledge base that knowledge/build.py builds (facts, their brief comparison values, gaps, the notes on
jobs outside the group), the bot's own replies (bot/), and the actions themselves, run on that knowledge
base for every job, topic, comparison and kind of question (cases()): what they add around the facts
(framing, comparison rows' labels, source lines) is cut out of each reply and scored on its own, once per template
(the same words for another job are one text). Whole replies are scored too, for information.

A job title is a long word that no plain rewrite can shorten ("diagnostic medical sonographer" is 11
syllables), and a list of them is hard to read whatever the sentence around it. So each text also gets a
second grade with every job title, title as the classification spells it, field and source name counted as
one short word (`plain_grade`): the wording around the names, which a rewrite can change. The gate is on
that grade; the grade as said is reported beside it, so what the names cost stays in view. A text under
MIN_WORDS words is listed apart, not scored: the formula's sentence length means little there.

    python -m harness.readability [--out docs/readability.md]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import yaml

from harness.servers import PROJECT_DIR

GRADE_TARGET = 8.0  # Flesch-Kincaid grade: a 15-year-old's school year and below
SHARE_TARGET = 0.95  # issue 22: at least this share of the scored texts at or below GRADE_TARGET
MIN_WORDS = 8  # fewer words than this: too short for a meaningful grade, listed apart
SHORT_NAME = "job"  # what a name counts as in the second grade: one word of one syllable
DOC = PROJECT_DIR / "docs" / "readability.md"
SOURCE_LINE = re.compile(r"^(?:Source|Sources checked): ")
NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?")
SENTENCE = re.compile(r"(?<=[.?!])\s+")

# Kinds of text, in the order the document lists them.
RESPONSE = "response"  # domain.yml
BUTTON = "button"  # a button's title, in domain.yml or from an action
FACT = "fact"  # knowledge/facts.yml
BRIEF = "brief"  # a fact's few words for a comparison's row
GAP = "gap"  # knowledge/gaps.yml
OUTSIDE_NOTE = "outside-job note"  # knowledge/other_jobs.yml
DISCOVERY_TEXT = "discovery text"  # knowledge/discovery.yml: reasons, summaries, guided questions
FRAMING = "framing"  # what an action says around the facts
SOURCE = "source line"  # "Source: ..." under an answer
BOT = "bot reply"  # bot/: input checks, safeguarding, faults
KINDS = (RESPONSE, BUTTON, FACT, BRIEF, GAP, OUTSIDE_NOTE, DISCOVERY_TEXT, FRAMING, SOURCE, BOT)


@dataclass(frozen=True)
class Said:
    """One text the assistant can say, where it comes from, and how many rendered variants it stands for."""

    kind: str
    where: str
    text: str
    variants: int = 1


@dataclass(frozen=True)
class Scored:
    """A text with its word count and its two grades (as said; with names as one short word)."""

    said: Said
    words: int
    grade: float
    plain_grade: float

    @property
    def short(self) -> bool:
        """Too few words for the formula to mean much: listed apart, not counted in the share."""
        return self.words < MIN_WORDS


@dataclass
class Report:
    """Every text scored, and every whole reply the actions gave, for the document and the gate."""

    texts: List[Scored]
    replies: List[Scored] = field(default_factory=list)
    cases: int = 0

    @property
    def scored(self) -> List[Scored]:
        """The texts long enough to score, worst first."""
        return sorted((s for s in self.texts if not s.short), key=lambda s: (-s.grade, s.said.text))

    @property
    def short(self) -> List[Scored]:
        """The texts too short to score, by kind and text."""
        return sorted((s for s in self.texts if s.short), key=lambda s: (KINDS.index(s.said.kind), s.said.text))

    def share(self, plain: bool = False) -> float:
        """The share of scored texts at or below the target grade (as said, or with names as one word)."""
        scored = self.scored
        within = [s for s in scored if (s.plain_grade if plain else s.grade) <= GRADE_TARGET]
        return len(within) / len(scored) if scored else 1.0

    def above(self) -> List[Scored]:
        """The scored texts above the target grade, worst first."""
        return [s for s in self.scored if s.grade > GRADE_TARGET]


def verdict(report: Report, shown: int = 10) -> Optional[str]:
    """None when the target is met; else the share and the worst texts, to rewrite (the gate's message)."""
    share = report.share(plain=True)
    if share >= SHARE_TARGET:
        return None
    worst = sorted(report.scored, key=lambda s: (-s.plain_grade, s.said.text))[:shown]
    listing = "\n".join(f"  {s.plain_grade:5.1f} (as said {s.grade:5.1f}) {s.said.kind}, {s.said.where}: "
                        f"{_cell(s.said.text)}" for s in worst)
    return (f"{_percent(share)} of {len(report.scored)} scored texts are at grade {GRADE_TARGET:g} or below with "
            f"names as one word ({_percent(report.share())} as said), under the target {SHARE_TARGET:.0%}. "
            f"Rewrite the worst in short sentences and common words, keeping every fact:\n{listing}")


def grade(text: str) -> float:
    """textstat's Flesch-Kincaid grade (US English syllables: CMUdict, else Pyphen's hyphenation)."""
    import textstat

    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def word_count(text: str) -> int:
    """Words as textstat counts them for the grade, so the short rule and the score agree."""
    import textstat

    return int(textstat.lexicon_count(text))


class Names:
    """The names that a plain rewrite cannot shorten: job titles, the classification's spelling of them,
    field words, and the sources' own names. Replaced by SHORT_NAME for the second grade, and, with
    numbers, to tell a template's variants apart from its words."""

    def __init__(self, kb: Any) -> None:
        names = {n for o in kb.occupations() for n in (o.name, o.plural, *o.source_titles)}
        names |= {n for o in kb.other_jobs() for n in (o.name, o.plural)}
        names |= set(kb.field_words())
        for source in kb.sources(kb.all_sources()):
            names |= {source.title, source.citation, source.publisher, source.published_in, source.scope}
            names |= {n for n in (source.author,) if n}
        names |= {n for c in kb.all_credits() for n in (c.name, c.short) if n}
        self.pattern = _any(names)
        from knowledge.vocabulary import TOPIC_LABELS

        self.labels = _any(TOPIC_LABELS.values())

    def plain(self, text: str) -> str:
        """The text with every name as one short word."""
        return self.pattern.sub(SHORT_NAME, text)

    def template(self, text: str) -> str:
        """What variants of one text share: its words, with names, lists of names, topics and numbers blanked."""
        row = ROW.match(text)  # "• Pay (median, ...): $54,620 vs not given": its values, whatever they are
        if row:
            text = row.group(1) + " vs ".join("value" for _ in text[row.end():].split(" vs "))
        blanked = self.labels.sub("topic", NUMBER.sub("0", self.plain(text)))
        return LIST.sub(lambda m: m.group(1), blanked)


def _any(words: Iterable[Optional[str]]) -> "re.Pattern[str]":
    """Any of these words or phrases, whole, in any case, longest first."""
    found = sorted({w for w in words if w and w.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in found) + r")(?![\w-])", re.IGNORECASE)


ROW = re.compile(r"^(• (?:Pay|Licence|Education)\b[^:]*: )")
LIST = re.compile(r"\b(job|topic|value)(?:(?:, | and | or | vs |; |, and )\1\b)+")


def score(said: Said, names: Names) -> Scored:
    """Both grades of one text."""
    return Scored(said, word_count(said.text), grade(said.text), grade(names.plain(said.text)))


# --- the texts that live in files ---------------------------------------------------------------------------


def english(variations: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A response's English variations: those with no condition on the slot `language`."""
    return [v for v in variations if not any(c.get("name") == "language" for c in v.get("condition") or [])]


def domain_texts(path: Path = PROJECT_DIR / "domain.yml") -> List[Said]:
    """Every English response variation of domain.yml, and its buttons' titles (a Flesch-Kincaid grade is an
    English measure: the Spanish variations, conditioned on the slot `language`, are left out)."""
    found: List[Said] = []
    responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
    for name, every in responses.items():
        variations = english(every)
        for number, variation in enumerate(variations, start=1):
            where = f"domain.yml {name}" + (f" (variation {number})" if len(variations) > 1 else "")
            if variation.get("text"):
                found.append(Said(RESPONSE, where, variation["text"]))
            found += [Said(BUTTON, where, b["title"]) for b in variation.get("buttons") or [] if b.get("title")]
    return found


def knowledge_texts(kb: Any) -> List[Said]:
    """The knowledge base's texts as the builder loaded them: facts, briefs, gaps, outside jobs' notes."""
    from knowledge.build import GAP_TOPICS

    found = [Said(FACT, f"facts.yml {f.occupation_id} / {f.topic}", f.text) for f in kb.facts()]
    found += [Said(BRIEF, f"facts.yml {f.occupation_id} / {f.topic} (brief)", f.brief) for f in kb.facts() if f.brief]
    found += [Said(GAP, f"gaps.yml {t}", gap.text) for t in GAP_TOPICS if (gap := kb.gap(t)) is not None]
    found += [Said(OUTSIDE_NOTE, f"other_jobs.yml {j.id}", j.note) for j in kb.other_jobs()]
    return found + discovery_texts()


def discovery_texts() -> List[Said]:
    """knowledge/discovery.yml's words: each preference's reasons, summary and silence, each guided question."""
    from knowledge.discovery import discovery

    found: List[Said] = []
    for p in discovery().preferences.values():
        where = f"discovery.yml {p.id}"
        found += [Said(DISCOVERY_TEXT, where, t) for t in (p.summary, p.silent) if t]
        found += [Said(DISCOVERY_TEXT, f"{where} / {r.occupation}", r.text)
                  for r in (*p.jobs, *p.without, *p.silent_facts) if r.text]
    for step in discovery().steps:
        found.append(Said(DISCOVERY_TEXT, f"discovery.yml step {step.id}", step.question))
        found += [Said(BUTTON, f"discovery.yml step {step.id}", title) for title, _ in step.buttons]
    return found


REPLY_CONSTANT = re.compile(r"^[A-Z_]+_REPLY$")


def bot_texts() -> List[Said]:
    """The bot's own replies: the input checks', the safeguarding reply (with and without a counsellor's
    contact), and the fault replies of bot/input.py, read from its source (importing it loads Rasa)."""
    from bot import safeguarding, sanitize

    found = [Said(BOT, "bot/sanitize.py EMPTY_REPLY", sanitize.EMPTY_REPLY),
             Said(BOT, "bot/sanitize.py TOO_LONG_REPLY", sanitize.TOO_LONG_REPLY),
             Said(BOT, "bot/safeguarding.py reply", safeguarding.reply()),
             Said(BOT, "bot/safeguarding.py reply (with a contact)", safeguarding.reply(
                 {"counsellor_name": "Ms Rivera", "counsellor_email": "careers@school.example"}))]
    tree = ast.parse((PROJECT_DIR / "bot" / "input.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and REPLY_CONSTANT.match(node.targets[0].id):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                found.append(Said(BOT, f"bot/input.py {node.targets[0].id}", value))
    return found


# --- the texts the actions build: run for every case ----------------------------------------------------------

# Questions whose form changes the answer (actions/forms.py), with the intents each may be read as.
FORM_QUESTIONS = {
    "which states are those": ["ask_license", "ask_salary", "ask_source"],
    "which state pays best": ["ask_salary", "ask_best_paying"],
    "do i need a licence in canada": ["ask_license", "ask_overview"],
    "how much do they earn in pakistan": ["ask_salary", "ask_license"],
    "what is a safe yearly dose": ["ask_safety"],
    "who supervises them": ["ask_duties", "ask_overview"],
    "is it a good job": ["ask_overview", "ask_salary"],
    "is ultrasound safe for my baby": ["ask_safety"],
    "do they use radiation": ["ask_safety", "ask_equipment"],
    "which job pays the most": ["ask_salary", "ask_titles"],
    "which one needs a licence in the fewest states": ["ask_license", "ask_titles"],
    "which needs the most schooling": ["ask_education", "ask_titles"],
    "what do your sources say about licensing": ["ask_source"],
}
# One comparison question of each kind: no topic, each topic, the difference, and the extremes.
COMPARE_QUESTIONS = ["", "what's the difference", "who earns the most", "whose pay is lowest",
                     "which needs the shortest training", "how long is the training", "which needs a licence in "
                     "the most states", "compare their duties", "which is safer", "what equipment do they use",
                     "which industry pays best", "can they specialise", "compare pay and licensing"]
SOURCE_QUESTIONS = ["where is that from", "who wrote the article?", "when was it published?",
                    "where is the pay info from", "when was the classification published", "source?"]
# Messages the fallback gets: a topic's words with a job's name (its search answers), and nonsense.
FALLBACK_WORDS = ["income", "licence", "equipment", "tasks", "specialties", "training", "is it risky",
                  "which industry", "working hours", "job outlook", "how many years"]
ACTION_OF = {"ask_titles": "action_titles", "ask_source": "action_sources",
             "compare_occupations": "action_compare", "ask_counsellor": "action_counsellor",
             "nlu_fallback": "action_fallback"}

Case = Tuple[str, Dict[str, Any], Dict[str, Any]]  # action, latest message, slots
RANKED = ("ask_salary", "ask_duties", "ask_license")  # the intents a message's ranking lists after its own


def message(kb: Any, intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None,
            metadata: Optional[Dict[str, Any]] = None, ranked: Sequence[str] = RANKED) -> Dict[str, Any]:
    """A latest message as the NLU gives it; without `entities`, the names in `text` as the NLU finds them."""
    if entities is None:
        entities = [{"entity": f.kind, "start": f.start, "end": f.end, "value": f.id, "text": f.text}
                    for f in kb.names.mentions(text)] if text and not text.startswith("/") else []
    ranking = [{"name": intent, "confidence": 0.5}] + [{"name": n, "confidence": 0.2} for n in ranked if n != intent]
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities,
            "intent_ranking": ranking, "metadata": metadata or {}}


def job(occupation_id: str) -> Dict[str, Any]:
    """An occupation entity as a button's payload carries it (no span)."""
    return {"entity": "occupation", "value": occupation_id}


def cases(kb: Any) -> Iterator[Case]:
    """Every kind of question each action answers, for every job the knowledge base has, and none."""
    from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION, GAPS, TOPIC_BY_INTENT, TOPIC_LABELS

    group = kb.group().id
    everyone = [o.id for o in kb.occupations()]
    members = [o for o in everyone if o != group]
    for occupation_id in [None, *everyone]:  # each topic, and "what about <job>?" after each topic
        entities = [job(occupation_id)] if occupation_id else []
        for intent in TOPIC_BY_INTENT:
            yield "action_answer", message(kb, intent, entities=entities), {}
        for topic in [*TOPIC_LABELS, *GAPS]:
            yield "action_answer", message(kb, "inform_occupation", entities=entities), {"topic": topic}
    for (question, intents), occupation_id in itertools.product(FORM_QUESTIONS.items(), [None, *everyone]):
        for intent in intents:
            slots = {"topic": "license", "occupation": occupation_id}
            yield ACTION_OF.get(intent, "action_answer"), message(kb, intent, question), slots
    for word in kb.field_words():  # "how much does radiology pay"
        text = f"how much does {word} pay"
        start = text.index(word)
        entity = {**job(kb.field(word)), "start": start, "end": start + len(word), "text": word}
        yield "action_answer", message(kb, "ask_salary", text, [entity]), {}
    tasks = kb.fact(group, "duties")
    items = [line.strip() for line in (tasks.text if tasks else "").splitlines() if re.match(r"\s*\d+\. ", line)]
    for item, occupation_id in itertools.product(items, [None, *members]):  # one of the group's tasks
        entities = [job(occupation_id)] if occupation_id else []
        yield "action_answer", message(kb, "ask_duties", f"do they {item[3:].lower()}", entities), {}
    for other in kb.other_jobs():
        entity = {"entity": "other_job", "value": other.id, "text": other.name}
        yield "action_answer", message(kb, "ask_overview", entities=[entity]), {}
        yield "action_titles", message(kb, "ask_titles", entities=[entity]), {}
        yield "action_compare", message(kb, "compare_occupations", entities=[entity, job(members[0])]), {}
        yield "action_compare", message(kb, "compare_occupations", entities=[entity]), {}
    for pair, question in itertools.product([*itertools.combinations(members, 2), ()], COMPARE_QUESTIONS):
        yield "action_compare", message(kb, "compare_occupations", question, [job(o) for o in pair]), {}
    for occupation_id in [None, *everyone]:
        yield "action_titles", message(kb, "ask_titles", entities=[job(occupation_id)] if occupation_id else []), {}
    for question in ("is a plumber one of these jobs", "mri tech jobs in toronto"):
        yield "action_titles", message(kb, "ask_titles", question), {}
    classification, article = kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id
    credits = [c.id for c in kb.all_credits()]
    for question, shown in itertools.product(SOURCE_QUESTIONS, ([], [classification], [article],
                                                                 [article, *credits], [article, classification])):
        yield "action_sources", message(kb, "ask_source", question), {"sources_shown": shown}
    contact = {"school": "Hillside High School", "counsellor_name": "Ms Rivera",
               "counsellor_email": "careers@hillside.example", "counsellor_phone": "+1 555 010 0200"}
    links = [{"title": "Radiography open day at Lakeside College", "url": "https://lakeside.example/open-day"}]
    for metadata in ({}, contact, {**contact, "counsellor_links": links}):  # with the school's next steps too
        yield "action_counsellor", message(kb, "ask_counsellor", metadata=metadata), {}
    plurals = [None, *(kb.occupation(o).plural for o in members)]
    for words, plural in itertools.product(FALLBACK_WORDS, plurals):
        yield "action_fallback", message(kb, "nlu_fallback", f"{words} {plural}" if plural else words), {}
    from actions.support import SUGGESTIONS

    yield from discovery_cases(kb)
    suggested = list(SUGGESTIONS)
    for start in range(0, len(suggested), 3):  # each "did you mean" button
        yield "action_fallback", message(kb, "nlu_fallback", "asdfgh", ranked=suggested[start:start + 3]), {}


def discovery_cases(kb: Any) -> Iterator[Case]:
    """Finding a job: no preference, each preference liked, disliked or not minded, alone and in pairs, with the
    guided path done or not; a typed yes or no to each guided question, and a job outside the group."""
    from harness.dialogue import LAST_EVENTS
    from knowledge.discovery import ANY_PREFIX, NOT_PREFIX, discovery

    found = discovery()
    values = [v for p in found.preferences for v in (p, NOT_PREFIX + p, ANY_PREFIX + p)]
    settled = [ANY_PREFIX + step.preferences[0] for step in found.steps]  # every guided question answered

    def wanting(*chosen: str) -> Dict[str, Any]:
        return message(kb, "explore_jobs", entities=[{"entity": "preference", "value": v} for v in chosen])

    yield "action_explore_jobs", message(kb, "explore_jobs", "help me find a job"), {}
    for value in values:
        yield "action_explore_jobs", wanting(value), {}
        yield "action_explore_jobs", wanting(value), {"preferences": settled}
    for first, second in itertools.combinations(found.preferences, 2):
        yield "action_explore_jobs", wanting(first, second), {}
        yield "action_explore_jobs", wanting(first, NOT_PREFIX + second), {"preferences": settled}
    for step, intent in itertools.product(found.steps, ("affirm", "deny")):
        asked = [{"event": "slot", "name": "discovery_step", "value": step.id}]
        yield "action_yes_no", message(kb, intent, "yes" if intent == "affirm" else "no"), {LAST_EVENTS: asked}
    yield "action_yes_no", message(kb, "affirm", "yes"), {}
    for other in kb.other_jobs()[:1]:
        entity = {"entity": "other_job", "value": other.id, "text": other.name}
        yield "action_explore_jobs", message(kb, "explore_jobs", entities=[entity]), {}


async def _run(found: Dict[str, Any], all_cases: Sequence[Case]) -> List[Tuple[str, Dict[str, Any]]]:
    from rasa_sdk.executor import CollectingDispatcher

    from harness.dialogue import tracker

    messages: List[Tuple[str, Dict[str, Any]]] = []
    for name, latest, slots in all_cases:
        dispatcher = CollectingDispatcher()
        await found[name].run(dispatcher, tracker(latest, slots), {})
        messages += [(name, m) for m in dispatcher.messages]
    return messages


def replies(kb: Any) -> Tuple[List[Tuple[str, Dict[str, Any]]], int]:
    """Every message the actions utter over CASES (run on `kb`, the actions' own knowledge base), with the
    action that said it, and how many cases were run; every action of the project must appear among them."""
    from harness.dialogue import custom_actions

    found = custom_actions()
    all_cases = list(cases(kb))
    missing = set(found) - {name for name, _, _ in all_cases}
    if missing:
        raise RuntimeError(f"harness/readability.py runs no case of {sorted(missing)}: add them to cases()")
    return asyncio.run(_run(found, all_cases)), len(all_cases)


def kb_spans(kb: Any) -> List[str]:
    """What a reply may carry from the knowledge base, longest first: whole texts, their lines and sentences.
    These are scored as the knowledge base's, so they are cut out of a reply before its framing is scored."""
    texts = [f.text for f in kb.facts()] + [s.text for s in knowledge_texts(kb)
                                            if s.kind in (GAP, OUTSIDE_NOTE, DISCOVERY_TEXT)]
    spans = set(texts)
    for text in texts:
        for line in text.splitlines():
            spans.add(line.strip())
            spans |= {s for s in SENTENCE.split(line.strip()) if len(s.split()) >= 4}
    return sorted((s for s in spans if s), key=len, reverse=True)


def pieces(text: str, spans: Sequence[str]) -> Iterator[Tuple[str, str]]:
    """A reply's own words: (kind, piece) for each source line, each comparison row's label, and each line of
    framing once the knowledge base's texts are cut out."""
    body: List[str] = []
    for line in text.splitlines():
        row = ROW.match(line)
        if SOURCE_LINE.match(line):
            yield SOURCE, line.strip()
        elif row:  # a comparison's row is a table's, not a sentence: its values are briefs, figures, state words
            yield FRAMING, row.group(1).strip()
        else:
            body.append(line)
    rest = "\n".join(body)
    for span in spans:
        rest = rest.replace(span, "\0")
    for piece in re.split(r"[\0\n]+", rest):
        if re.search(r"[A-Za-z]", piece):
            yield FRAMING, piece.strip()


def action_texts(kb: Any, messages: Sequence[Tuple[str, Dict[str, Any]]], names: Names) -> List[Scored]:
    """The actions' own words (framing, source lines, buttons), one text per template: variants that differ
    only in names and numbers are one text, with the highest grades of any of them."""
    spans = kb_spans(kb)
    templates: Dict[Tuple[str, str], Dict[str, set]] = {}
    for action, msg in messages:
        said = [*pieces(msg.get("text") or "", spans), *((BUTTON, b["title"]) for b in msg.get("buttons") or [])]
        for kind, piece in said:
            template = templates.setdefault((kind, names.template(piece)), {"variants": set(), "actions": set()})
            template["variants"].add(piece)
            template["actions"].add(action)
    found = []
    for (kind, _), template in templates.items():
        where = "actions/ " + ", ".join(sorted(template["actions"]))
        scored = [score(Said(kind, where, v, len(template["variants"])), names) for v in template["variants"]]
        worst = max(scored, key=lambda s: (s.grade, s.said.text))
        found.append(Scored(worst.said, worst.words, worst.grade, max(s.plain_grade for s in scored)))
    return found


def measure(kb: Any = None) -> Report:
    """Every text scored, and every distinct whole reply. `kb`: the actions' knowledge base (by default the
    one actions/context.py opens, build/knowledge.db or KNOWLEDGE_DB_URL)."""
    if kb is None:
        from actions.context import knowledge_base

        kb = knowledge_base()
    names = Names(kb)
    messages, count = replies(kb)
    scored: Dict[Tuple[str, str], Scored] = {}
    for s in [score(said, names) for said in domain_texts() + knowledge_texts(kb) + bot_texts()] + \
            action_texts(kb, messages, names):
        scored.setdefault((s.said.kind, s.said.text), s)  # a button in domain.yml and an action's is one text
    whole = sorted({m["text"] for _, m in messages if m.get("text")})
    replies_scored = [Scored(Said("reply", "actions/", t), word_count(t), grade(as_lines(t)), grade(names.plain(
        as_lines(t)))) for t in whole]
    return Report(list(scored.values()), replies_scored, count)


def as_lines(text: str) -> str:
    """A reply as the chat shows it, each line a unit: a line without a full stop (a row, a heading, a source line)
    gets one, so that the formula does not read a comparison's rows as one long sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(line if line[-1] in ".!?" else line + "." for line in lines)


# --- the document -------------------------------------------------------------------------------------------


def _cell(text: str, limit: int = 0) -> str:
    text = text.replace("|", "\\|").replace("\n", " / ")
    return text if not limit or len(text) <= limit else text[:limit - 1] + "…"


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def document(report: Report, measured: str) -> str:
    """docs/readability.md: what was measured, how, the share against the target, and every text worst first."""
    from importlib.metadata import version

    scored, short = report.scored, report.short
    within = len(scored) - len(report.above())
    counts = {k: sum(1 for s in report.texts if s.said.kind == k) for k in KINDS}
    replies_within = sum(1 for r in report.replies if r.grade <= GRADE_TARGET)
    replies_plain = sum(1 for r in report.replies if r.plain_grade <= GRADE_TARGET)
    lines = [
        "# Readability: every text the assistant can say",
        "",
        f"Measured by `python -m harness.readability` (`make readability`, part of `make eval`) at {measured}, "
        f"with textstat {version('textstat')}'s Flesch-Kincaid grade (US school years; syllables "
        "from CMUdict, else Pyphen's hyphenation, both shipped in the packages: nothing is downloaded). The "
        "students are about 15, so the target is grade "
        f"{GRADE_TARGET:g} or below for at least {SHARE_TARGET:.0%} of the texts (issue 22). "
        "`tests/unit/harness/test_readability.py` fails below that share, counting names as one short word "
        "(below), and names the worst texts.",
        "",
        f"**{_percent(report.share(plain=True))} of {len(scored)} scored texts are at grade {GRADE_TARGET:g} or "
        f"below with names counted as one short word (the gate: {SHARE_TARGET:.0%}); {within} "
        f"({_percent(report.share())}) as said, names and all.** {len(short)} more are shorter than {MIN_WORDS} "
        "words and listed apart, unscored.",
        "",
        "## What is covered",
        "",
        "Every text is read where it lives, not from a copy:",
        "",
        f"- `domain.yml`: every response and every variation ({counts[RESPONSE]}), and the buttons' titles "
        f"({counts[BUTTON]} buttons, with the actions' buttons).",
        f"- The knowledge base as `knowledge/build.py` builds it: every fact ({counts[FACT]}), the facts' brief "
        f"values for comparison rows ({counts[BRIEF]}), every gap ({counts[GAP]}) and every note on a job outside "
        f"the group ({counts[OUTSIDE_NOTE]}).",
        f"- The actions, run on that knowledge base through their own code ({report.cases} cases, "
        f"{len(report.replies)} distinct replies): every topic for every job and for none, \"what about ...\" "
        "after every topic, each form of question (which states, another country, a safe dose, who supervises, "
        "a good job, a patient's own scan, \"do they use radiation\", which job pays most), field words, each of "
        "the group's tasks, every pair of jobs compared with each kind of comparison question, the titles, the "
        "sources questions, the counsellor with and without a contact, and the fallback's search. What the "
        "actions add around the facts is cut out of each reply and scored on its own: framing sentences "
        f"({counts[FRAMING]}) and source lines ({counts[SOURCE]}). A template said for several jobs or values is "
        "one text; the variant with the highest grade stands for it (the `variants` column). A comparison's rows "
        "(\"• Pay (...): $54,620 vs not given\") are a table, not sentences: a row's label is framing, and its "
        "values are the knowledge base's briefs (scored above), figures and state words.",
        f"- The bot's own replies ({counts[BOT]}): an empty or too long message, the safeguarding reply, and the "
        "fault replies of `bot/input.py`.",
        "",
        "Not covered: the widget's own labels and its default greeting (`bot/static/`, in JavaScript), the "
        "counsellors' insights page and report (adults, not students), and the counsellor's contact details, "
        "which the school writes. A whole reply is its parts together; the whole replies are scored below for "
        "information, not gated, since a fact said in many replies would count many times.",
        "",
        "## How names count",
        "",
        "Job titles are long words that no plain rewrite can shorten: \"diagnostic medical sonographer\" is "
        "three words and eleven syllables, and the formula reads it as hard. A student who asked about "
        "sonographers needs the name, and the facts are about the jobs the sources name, so the names stay. "
        "The `grade` column is the grade as said, names and all. The `names as one word` column scores the same "
        "text with every job title, the classification's spelling of a title, each field word (\"radiology\") "
        f"and the sources' names (titles, authors, publishers, the BLS) replaced by one short word (\"{SHORT_NAME}"
        "\"): what is left is the wording around the names, sentence length and every other word, which a "
        "rewrite can make plain. The gate is on that grade, because it measures what the writing can change; "
        "the grade as said is shown beside it and its share above, so the cost of the names is not hidden. A "
        "list of five job names is hard to read whatever the sentence around it: the worst texts as said are "
        "the lists of names (the titles, comparisons of many jobs).",
        "",
        f"A text under {MIN_WORDS} words (textstat's word count) is too short for a meaningful grade: one long "
        "word decides it. Those are listed at the end, not hidden and not counted in the share.",
        "",
        "## Scored texts, worst first",
        "",
        "| # | grade | names as one word | words | kind | from | variants | text |",
        "|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for number, s in enumerate(scored, start=1):
        lines.append(f"| {number} | {s.grade:.1f} | {s.plain_grade:.1f} | {s.words} | {s.said.kind} | "
                     f"{_cell(s.said.where)} | {s.said.variants} | {_cell(s.said.text)} |")
    lines += [
        "",
        f"## Too short to score (under {MIN_WORDS} words)",
        "",
        "| kind | from | variants | text |",
        "|---|---|---:|---|",
    ]
    lines += [f"| {s.said.kind} | {_cell(s.said.where)} | {s.said.variants} | {_cell(s.said.text)} |" for s in short]
    worst = sorted(report.replies, key=lambda r: -r.grade)[:10]
    lines += [
        "",
        "## Whole replies, for information",
        "",
        f"{replies_within} of {len(report.replies)} distinct replies of the actions "
        f"({_percent(replies_within / len(report.replies) if report.replies else 1)}) are at grade "
        f"{GRADE_TARGET:g} or below as a whole, source line included, and {replies_plain} "
        f"({_percent(replies_plain / len(report.replies) if report.replies else 1)}) with names as one word. Each "
        "line is read as a sentence (a row or a heading without a full stop gets one, as the chat shows it on a "
        "line of its own). A whole reply names its jobs and sources again and again, and a comparison lists "
        "them: the names, not the wording, are most of what is hard in it. The ten hardest as said:",
        "",
        "| grade | names as one word | words | reply |",
        "|---:|---:|---:|---|",
    ]
    lines += [f"| {r.grade:.1f} | {r.plain_grade:.1f} | {r.words} | {_cell(r.said.text, 400)} |" for r in worst]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Iterable[str]] = None) -> None:
    """Measure and write the document; print the share and the texts above the target."""
    from harness.provenance import measured_at

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(list(argv) if argv is not None else None)
    report = measure()
    args.out.write_text(document(report, measured_at()), encoding="utf-8")
    print(f"{_percent(report.share())} of {len(report.scored)} scored texts at grade {GRADE_TARGET:g} or below "
          f"({_percent(report.share(plain=True))} with names as one word), {len(report.short)} too short; "
          f"{args.out.relative_to(PROJECT_DIR) if args.out.is_relative_to(PROJECT_DIR) else args.out}")
    print(verdict(report) or f"the target is met: at least {SHARE_TARGET:.0%} at grade {GRADE_TARGET:g} or below")


if __name__ == "__main__":
    main()
