"""Search the knowledge base's own texts for the words of a message.

Why: when the classifier is unsure, the fallback can still answer from the closest fact (and
say that it is only the closest) instead of "sorry, I'm not sure"; and a duties question about
one of the group's eight official tasks can get that task instead of the whole list.

Documents are the facts, with a fact whose text is a numbered list (the group's duties: the
eight tasks of the classification) split into one document per item, and the gaps of the
question topics (what the sources don't say: outlook, hours, programme length), which belong to
the whole group. Each keeps its occupation, topic and sources. Words are lower-cased and
lemmatised with the lookup table of the project's spaCy pipeline (the NLU's own lemmas, chat
spellings included), read straight from `build/spacy_pipeline`: loading spaCy in the action
server would cost about 5 s and 450 MB, this costs 0.01 s. Stop words go. Job names are not
words to match: the name resolver (knowledge/names.py) finds them, they are cut out of the
message and the documents, and a named job limits the search to its own facts and its
ancestors' (two jobs on different lines, to their common ancestors').

A document explains a message's words (weighted by TF-IDF, scikit-learn's formula, computed in
plain Python for 50 documents rather than paying scikit-learn's 1.2 s import): fully when the
word is one of its topic's words (TOPIC_WORDS: "income" for pay), by TEXT_CREDIT when its text
merely uses it. A word that no document has counts against every document ("how much do nurses
earn" is half unknown). The score is the best document's share minus RIVAL_WEIGHT times the
best share of a document of another topic, so "how much per hour" (pay, or working hours?)
scores low. Within a topic, the named job's own fact comes before an ancestor's.

Everything is built once per knowledge base (`searcher(kb)`, about 0.1 s) and is deterministic:
ties go to the earlier fact of facts.yml.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import re
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from knowledge.names import OCCUPATION, Found
from knowledge.query import PROJECT_DIR, FactInfo, KnowledgeBase
from knowledge.vocabulary import GAPS

# The fallback answers from the search when the best document scores at least this much.
# Chosen with `python -m harness.search_scores --threshold-sweep` on the current model's held-out
# predictions (results/nlu-scores.json): the lowest threshold at which at least 90% of the answers
# are right and at most 5% of the out-of-scope messages are answered, both over the messages that
# fall back and over every held-out message as if each fell back (a sample that a better model
# does not shrink). At 0.55, 100 of the 104 answers to held-out messages are right and no
# out-of-scope message is answered; at 0.50, 106 of 138. Scores at or below TEXT_CREDIT are
# matches of a fact's text alone, never of its topic's words (docs/evaluation.md).
THRESHOLD = 0.55
# A duties question names one task when that task scores at least this much and the next task
# scores at most TASK_MARGIN times as much ("storing radioactive waste": task 8, not all eight).
TASK_THRESHOLD = 0.2
TASK_MARGIN = 0.67
# A word of the message that a document's text uses (not its topic's words) explains this much of it:
# "help" in "can help you get hired" does not make "help me" a licence question.
TEXT_CREDIT = 0.5
# The score is the best topic's coverage minus this share of the next topic's: a word that is one
# topic's and only appears in another's text ("licence" in how to get one) still counts for the first.
RIVAL_WEIGHT = 0.5
MAX_TEXT = 1000  # characters: the channels refuse longer messages; anything longer is not searched

LOOKUPS = PROJECT_DIR / "build" / "spacy_pipeline" / "lemmatizer" / "lookups" / "lookups.bin"
TOKEN = re.compile(r"[a-z]+")
# "wat dose a sonographer do": "dose" after a question word is "does", not a radiation dose.
MISSPELT_DOES = re.compile(r"(^|\b(?:what|wat|wot|how|hw|who|why|when|which|where))\s*dose\b")
NUMBERED = re.compile(r"^\s*(\d+)\.\s+(.+)$")

# Words that ask about a topic, whether or not its facts use them: every document also holds its
# topic's words, so "income?" finds the pay facts. Lemmas, as the lookup table gives them. Each list
# is the topic's plain words, then the words that the training questions of the topic's intent use
# (at least 3 of them, and 80% of the questions with that word): `python -m harness.search_scores
# --data data/nlu --topic-words` lists those. Words that chat also uses ("night", "robot",
# "year", "quick") are left out: "good night" is not a question about working hours.
TOPIC_WORDS: Dict[str, str] = {
    "overview": "overview description describe introduction",
    "duties": "duty task responsibility responsible daily routine involve procedure hand spend",
    "safety": "safety safe risk risky danger dangerous harm harmful hazard health exposure exposed expose protect "
              "protection hurt pregnant radiation wear injury effect",
    "equipment": "equipment machine machinery tool device technology scanner use camera gamma operate",
    "education": "education train training study school degree college qualification qualify learn level "
                 "prerequisite entry",
    "license": "license licence licensing licensed certify certification certificate exam register registration "
               "registry credential permit board arrt state law legal",
    "salary": "salary pay earn earnings income wage money paycheck median average range low high hour hourly "
              "annual yearly rate scale",
    "best_paying": "industry employer employ sector setting workplace clinic center centre lab outpatient private",
    "specialties": "specialty speciality specialise specialize specialization specialisation branch area focus "
                   "modality",
    # what the sources do not say (gaps.yml): these questions find the gap, not a fact that only sounds near
    "outlook": "outlook demand future growth grow prospect hire hiring opportunity replace automation graduate "
               "opening shortage",
    "hours": "hour shift weekend schedule holiday overtime balance daytime overnight",
    "program_length": "long duration length till",
}
# Words a student may use for a word of the documents (document side only, so a message's
# "disposal" finds "throw away", never the other way round).
SYNONYMS: Dict[str, str] = {
    "dose": "dosage",
    "throw": "dispose disposal waste",
    "store": "storage keep",
    "unusual": "abnormal reaction problem",
    "watch": "monitor observe",
    "image": "picture scan",
    "picture": "image scan",
    "machine": "equipment scanner",
    "radioactive": "radiation radiopharmaceutical",
    "medicine": "drug",
    "drug": "medicine",
    "check": "quality review",
    "record": "document",
    "doctor": "physician",
    "protective": "protection protect shield",
    "procedure": "talk explain",
    "give": "administer inject injection",
    "position": "positioning",
    "setting": "control",
    "screen": "monitor display",
    "licence": "license",
    "specialise": "specialize specialty",
}
# Words that change what a topic's question asks: which place ("where do they earn the most") or a
# comparison ("who earns more", "mri vs ct"). No fact answers them by topic alone, so they count as words that
# no document has, and lower the score. Read as typed: the lemmatiser makes "most" and "much" one word.
UNANSWERED = frozenset(
    "where more most less least fewer than better worse safer vs versus compare comparison difference".split())
# Stop words: scikit-learn's English list without the few that are content here, plus chat words.
STOP_WORDS = frozenset(
    "a about above across after afterwards again against all almost alone along already also although always am "
    "among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became "
    "because become becomes becoming been before beforehand behind being below beside besides between beyond both "
    "but by can cannot cant co con could couldnt cry de do done down due during each eg either else elsewhere "
    "enough etc even ever every everyone everything everywhere except few fifteen fifty first five for former "
    "formerly forty found four from further get go had has hasnt have he hence her here hereafter hereby herein "
    "hereupon hers herself him himself his how however hundred i ie if in inc indeed into is it its itself last "
    "latter latterly least less ltd made many may me meanwhile might mine more moreover most mostly much must my "
    "myself namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off "
    "often on once one only onto or other others otherwise our ours ourselves out over own per perhaps please "
    "rather re same seem seemed seeming seems several she should since so some somehow someone something "
    "sometime sometimes somewhere still such ten than that the their them themselves then thence there "
    "thereafter thereby therefore therein thereupon these they this those though three through throughout thru "
    "thus to together too toward towards twelve twenty two un under until up upon us very via was we were what "
    "whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which "
    "while whither who whoever whom whose why will with within without would yet you your yours yourself "
    "yourselves "
    # chat, contractions and question frames that say nothing about a topic
    "im ive id ill youre dont doesnt didnt isnt arent wasnt wont cant don doesn didn isn aren ll ve "
    "hi hey hello ok okay yes yeah lol like just really actually basically thing stuff kind sort lot "
    "tell know want wanna need think say ask question let mean thank thanks pls plz explain "
    "make made doe whats wat good well see different "
    # words of every job in this field
    "job work career main take".split())


def _murmur64(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A: how spaCy's string store keys a word in its lookup tables."""
    mult, mask, shift = 0xC6A4A7935BD1E995, (1 << 64) - 1, 47
    length = len(data)
    value = (seed ^ (length * mult)) & mask
    end = length - length % 8
    for (block,) in struct.iter_unpack("<Q", data[:end]):
        block = (block * mult) & mask
        block ^= block >> shift
        value ^= (block * mult) & mask
        value = (value * mult) & mask
    if data[end:]:
        value ^= int.from_bytes(data[end:], "little")
        value = (value * mult) & mask
    value ^= value >> shift
    value = (value * mult) & mask
    return value ^ (value >> shift)


def load_lemmas(path: Path = LOOKUPS) -> Callable[[str], str]:
    """word -> lemma from the project's spaCy pipeline; else spacy-lookups-data's table; else the word.

    The pipeline's table adds the chat spellings ("u", "r", "sal") that the NLU reads; the
    packaged table serves a checkout where `make spacy` has not run yet.
    """
    if path.is_file():
        import msgpack

        tables = msgpack.unpackb(path.read_bytes(), raw=False, strict_map_key=False)
        hashed: Dict[int, str] = tables.get("lemma_lookup") or {}
        return lambda word: hashed.get(_murmur64(word.encode("utf8")), word)
    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is not None and spec.origin:
        packaged = Path(spec.origin).parent / "data" / "en_lemma_lookup.json.gz"
        if packaged.is_file():
            with gzip.open(packaged, "rt", encoding="utf8") as handle:
                plain: Dict[str, str] = json.load(handle)
            return lambda word: plain.get(word, word)
    return lambda word: word


@dataclass(frozen=True)
class Document:
    """A fact, one numbered task of a fact, or a gap, with its occupation, topic and sources.

    A gap (what the sources don't say) belongs to the whole group, whose sources were all checked.
    """

    occupation_id: str
    topic: str
    text: str  # the fact's text, the task's sentence without its number, or the gap's text
    source_ids: Tuple[str, ...]
    fact: Optional[FactInfo] = None  # None for a gap
    task: Optional[int] = None  # the task's number in the fact's list

    @property
    def line(self) -> str:
        """The text as the fact writes it: a task keeps its number ("6. Measure ...")."""
        return f"{self.task}. {self.text}" if self.task is not None else self.text

    @property
    def intro(self) -> str:
        """What the task's list says before its items, without the colon ("The group's ... lists eight tasks")."""
        if self.fact is None or self.task is None:
            return ""
        lines = [line.strip() for line in self.fact.text.splitlines() if line.strip() and not NUMBERED.match(line)]
        return " ".join(lines).rstrip(":")


@dataclass(frozen=True)
class Hit:
    """The best document for a message, its score, and the jobs the message names."""

    document: Document
    score: float
    jobs: Tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """A message as the search reads it: the group's jobs and outside jobs it names, and its words."""

    jobs: Tuple[str, ...]
    other_jobs: Tuple[str, ...]
    words: Tuple[str, ...]


class Searcher:
    """Which fact (or task, or gap) a message asks about, and how sure that is (see the module docstring)."""

    def __init__(self, kb: KnowledgeBase, lemma: Optional[Callable[[str], str]] = None) -> None:
        self.kb = kb
        self.lemma = lemma or load_lemmas()
        self.roots = [o.id for o in kb.occupations() if o.parent_id is None]
        self.documents = self._documents(kb, self.roots)
        fields = [self._fields(d) for d in self.documents]
        self.text_words = [set(text) for text, _ in fields]
        self.topic_words = [topic for _, topic in fields]
        size = len(fields)
        frequency = Counter(word for text, topic in fields for word in {*text, *topic})
        self.idf = {w: math.log((1 + size) / (1 + df)) + 1 for w, df in frequency.items()}
        self.unknown_idf = math.log(1 + size) + 1  # a word no document has: as rare as can be
        self.vectors = [self._normalised(text, topic) for text, topic in fields]
        self.text_vectors = [self._normalised(text, set()) for text, _ in fields]  # to tell a list's items apart

    @staticmethod
    def _documents(kb: KnowledgeBase, roots: Sequence[str]) -> List[Document]:
        """Every fact (a numbered list as one document per item), then the gaps of the question topics."""
        documents = []
        for fact in kb.facts():
            numbered = [m for m in (NUMBERED.match(line) for line in fact.text.splitlines()) if m]
            if len(numbered) >= 2:
                documents += [Document(fact.occupation_id, fact.topic, m.group(2).strip(), fact.source_ids, fact,
                                       int(m.group(1))) for m in numbered]
            else:
                documents.append(Document(fact.occupation_id, fact.topic, fact.text, fact.source_ids, fact))
        for topic in GAPS:
            gap = kb.gap(topic)
            if gap is not None and roots:
                documents.append(Document(roots[0], topic, gap.text, tuple(kb.all_sources())))
        return documents

    def _fields(self, document: Document) -> Tuple[Counter, Set[str]]:
        """The document's words (its text's lemmas and their synonyms) and its topic's words."""
        words = Counter(w for w in self.read(document.text, others=False).words if w not in UNANSWERED)
        synonyms = {s for w in words for s in self.lemmas(SYNONYMS.get(w, ""))} - set(words)
        return words + Counter(synonyms), set(self.lemmas(TOPIC_WORDS.get(document.topic, "")))

    def _normalised(self, text: Counter, topic: Set[str]) -> Dict[str, float]:
        """TF-IDF weights (a topic's word counting as one more occurrence) to unit length."""
        weights = {w: (1 + math.log(text[w] + (w in topic))) * self.idf[w] for w in {*text, *topic}}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        return {w: v / norm for w, v in weights.items()}

    def lemmas(self, text: str) -> List[str]:
        """The content lemmas of a text with no job names in it."""
        text = MISSPELT_DOES.sub(r"\1 does", text.lower())
        lemmas = (token if token in UNANSWERED else self.lemma(token) for token in TOKEN.findall(text))
        return [w for w in lemmas if len(w) > 1 and (w not in STOP_WORDS or w in UNANSWERED)]

    def read(self, text: str, others: bool = True, mentions: Optional[Sequence[Found]] = None) -> Query:
        """The jobs a text names and its other words' lemmas. A message's names are the NLU's entities
        (`mentions`: spans and ids, found once per message); a text the NLU has not read (a fact, a training
        example) is scanned by the name resolver. `others=False` for the facts' own texts: their "tell a
        doctor" is a word, not a job asked about."""
        names = self.kb.names.mentions(text, others=others) if mentions is None else mentions
        jobs = [m.id for m in names if m.kind == OCCUPATION]
        outside = [m.id for m in names if m.kind != OCCUPATION]
        spans = [(m.start, m.end) for m in names]
        rest = "".join(" " if any(a <= i < b for a, b in spans) else c for i, c in enumerate(text))
        return Query(tuple(dict.fromkeys(jobs)), tuple(dict.fromkeys(outside)), tuple(self.lemmas(rest)))

    def query(self, text: object, mentions: Optional[Sequence[Found]] = None,
              jobs: Iterable[str] = ()) -> Optional[Query]:
        """The message as a query, or None for what is not a searchable text (a payload, too long, no text).

        `mentions`: the job names the NLU found in it (its entities, as Found); None scans the text itself.
        `jobs`: occupation ids the answer is about besides (the conversation's job).
        """
        if not isinstance(text, str) or len(text) > MAX_TEXT or text.lstrip().startswith("/"):
            return None
        if mentions is not None:
            mentions = [m for m in mentions if 0 <= m.start < m.end <= len(text)
                        and (m.kind != OCCUPATION or self.kb.occupation(m.id) is not None)]
        read = self.read(re.sub(r"<[^>]{0,200}>", lambda m: " " * len(m.group()), text), mentions=mentions)
        if read.other_jobs:
            return None  # "how much do radiologists earn": a job outside the group has none of these facts
        named = [j for j in jobs if isinstance(j, str) and self.kb.occupation(j) is not None]
        return Query(tuple(dict.fromkeys([*read.jobs, *named])), read.other_jobs, read.words)

    def _weights(self, words: Iterable[str]) -> Dict[str, float]:
        """The message's words, weighted by TF-IDF; a word no document has weighs the most."""
        return {w: (1 + math.log(n)) * (self.unknown_idf if w in UNANSWERED else self.idf.get(w, self.unknown_idf))
                for w, n in Counter(words).items()}

    def coverage(self, weights: Dict[str, float], index: int) -> float:
        """How much of the message a document explains: a topic's word fully, a word of its text by TEXT_CREDIT."""
        total = sum(weights.values())
        if not total:
            return 0.0
        topic, text = self.topic_words[index], self.text_words[index]
        return sum(v * (1.0 if w in topic else TEXT_CREDIT if w in text else 0.0)
                   for w, v in weights.items()) / total

    def cosine(self, weights: Dict[str, float], index: int, text_only: bool = False) -> float:
        """TF-IDF cosine of the message and a document (`text_only`: without its topic's words)."""
        vector = (self.text_vectors if text_only else self.vectors)[index]
        norm = math.sqrt(sum(v * v for v in weights.values()))
        return sum(v * vector.get(w, 0.0) for w, v in weights.items()) / norm if norm else 0.0

    def _allowed(self, jobs: Sequence[str]) -> List[int]:
        """The documents of the named job and its ancestors; every document when none is named.

        Of two jobs on one line ("an MRI tech, or a rad tech?") the narrower counts; of two on
        different lines ("a radiographer, then mammography") only what they share: the facts of
        their common ancestors.
        """
        if not jobs:
            return list(range(len(self.documents)))
        lineages = [set(self.kb.lineage(job)) for job in jobs]
        shared = set.intersection(*lineages)
        return [i for i, d in enumerate(self.documents) if d.occupation_id in shared]

    def _distance(self, jobs: Sequence[str], index: int) -> int:
        """How far a document's job is from the named ones (0: a named job's own fact); without one, the group first."""
        owner = self.documents[index].occupation_id
        if not jobs:
            return 0 if owner in self.roots else 1
        return min((self.kb.lineage(job).index(owner) for job in jobs if owner in self.kb.lineage(job)), default=99)

    def search(self, text: object, mentions: Optional[Sequence[Found]] = None,
               jobs: Iterable[str] = ()) -> Optional[Hit]:
        """The best document for `text` and how sure that is, or None when nothing matches at all.

        A document's coverage is how much of the message it explains; the score is the best
        topic's coverage minus the best coverage of any other topic, so a message that two topics
        explain equally well ("how much per hour": pay, or working hours?) scores 0. Within the
        topic, the named job's own fact comes before an ancestor's. `mentions` are the job names the
        NLU found, `jobs` the conversation's. A task that is not clearly the one asked about gives way to its list.
        """
        query = self.query(text, mentions, jobs)
        if query is None:
            return None
        weights = self._weights(query.words)
        ranked = sorted(((self.coverage(weights, i), -self._distance(query.jobs, i), self.cosine(weights, i), -i)
                         for i in self._allowed(query.jobs)), reverse=True)
        if not ranked or ranked[0][0] <= 0:
            return None
        best = self.documents[-ranked[0][3]]
        runner_up = next((r[0] for r in ranked if self.documents[-r[3]].topic != best.topic), 0.0)
        if best.task is not None and self._clear_task(query, best) is None:
            assert best.fact is not None  # a task is an item of a fact's list
            best = Document(best.occupation_id, best.topic, best.fact.text, best.source_ids, best.fact)
        return Hit(best, round(ranked[0][0] - RIVAL_WEIGHT * runner_up, 4), query.jobs)

    def answer(self, text: object, mentions: Optional[Sequence[Found]] = None, jobs: Iterable[str] = (),
               threshold: float = THRESHOLD) -> Optional[Hit]:
        """The best document when it scores at least `threshold`: what the fallback may say."""
        hit = self.search(text, mentions, jobs)
        return hit if hit is not None and hit.score >= threshold else None

    def task(self, text: object, mentions: Optional[Sequence[Found]] = None,
             jobs: Iterable[str] = ()) -> Optional[Document]:
        """The one numbered task (of a duties list in these jobs' lineage) that `text` clearly asks about."""
        query = self.query(text, mentions, jobs)
        if query is None:
            return None
        weights = self._weights(query.words)
        tasks = sorted(((self.cosine(weights, i, text_only=True), -i) for i in self._allowed(query.jobs)
                        if self.documents[i].task is not None), reverse=True)
        return self._clear_task(query, self.documents[-tasks[0][1]]) if tasks and tasks[0][0] > 0 else None

    def _clear_task(self, query: Query, best: Document) -> Optional[Document]:
        """`best` when, on the items' own words, it scores TASK_THRESHOLD and its list's next item TASK_MARGIN of it.

        The topic's words are the same for every item of a list, so they decide nothing between them.
        """
        siblings = [i for i, d in enumerate(self.documents) if d.fact is best.fact and d.task is not None]
        weights = self._weights(query.words)
        scored = sorted(((self.cosine(weights, i, text_only=True), -i) for i in siblings), reverse=True)
        if not scored or self.documents[-scored[0][1]] is not best or scored[0][0] < TASK_THRESHOLD:
            return None
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        return best if runner_up <= TASK_MARGIN * scored[0][0] else None


_lock = threading.Lock()
_cached: List[Tuple[KnowledgeBase, Searcher]] = []
MAX_SEARCHERS = 4  # one per knowledge base in use (the actions keep one per language); a test's old ones go


def searcher(kb: KnowledgeBase) -> Searcher:
    """The process's searcher for this knowledge base, built on first use (about 0.1 s), so that conversations
    in two languages (two knowledge bases) do not rebuild it at every switch."""
    with _lock:
        found = next((s for k, s in _cached if k is kb), None)
        if found is None:
            found = Searcher(kb)
            _cached.append((kb, found))
            del _cached[:-MAX_SEARCHERS]
        return found


def select_task(kb: KnowledgeBase, fact: FactInfo, text: object, jobs: Iterable[str] = (),
                mentions: Optional[Sequence[Found]] = None) -> Optional[Document]:
    """The one item of `fact`'s numbered list (the group's eight tasks) that `text` clearly asks about, if any.

    "Who stores the radioactive waste?" gets task 8 instead of all eight; "what do they do?" gets
    None, and so does a fact that is not a list.
    """
    task = searcher(kb).task(text, mentions, jobs)
    return task if task is not None and task.fact == fact else None

