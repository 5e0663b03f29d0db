"""What a student says they like or dislike, and which of the group's jobs the sources tie to it
(knowledge/discovery.yml).

The file is checked against the occupations and facts when the knowledge base is built (`check`), and
read as it is at run time, like places.yml: it is small and changes with the knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

import yaml

from knowledge.language import folded
from knowledge.vocabulary import ENGLISH, LANGUAGES, translated

DISCOVERY = Path(__file__).with_name("discovery.yml")
MAX_TEXT = 1000  # a longer message is read in its first part only
LIKE, DISLIKE, ANY = "like", "dislike", "any"
NOT_PREFIX, ANY_PREFIX = "not_", "any_"  # how a button says "would rather not" and "doesn't mind"
NUMBER = re.compile(r"\d")

# The cues below read folded text (knowledge.language.folded: lower case, no accents, ñ kept), so a Spanish cue is
# written once without accents and matches "está bien" and "esta bien" alike. Each pattern is the English cues, then
# the Spanish ones (`_ES`) with a wider window, since Spanish puts articles and prepositions between a cue and its
# word ("no quiero trabajar con la radiación"). The English "no" is never the Spanish "no sé" (I don't know) nor,
# after a word, the "no" of "las máquinas no la radiación", which is the next word's.
NO = r"no(?!\W+se\b)"
NO_AFTER = r"no(?!\W+(?:se|la|las|el|los|un|una)\b)"
# Spanish negations before a word: "sin", "nada de", "odio", "me da miedo", "me asustan", "evitar", "lejos de"; "no
# quiero", "no me gustan" and "prefiero no" have the English "no". "menos" is not "al menos", "más o menos", and
# "más que nada" is "mostly".
NEGATION_BEFORE_ES = (r"sin|(?<!\bque )nada|nunca|jamas|odio|odiaria|detesto|evitar|evito|evitaria|lejos de|cero|"
                      r"ningun|ninguna|ninguno|tampoco|excepto|salvo|fuera de|(?<!\bal )(?<!\blo )(?<!\bo )menos|"
                      r"miedo|asusta|asustan|asustaria|aburre|aburren|paso de|para nada|nel|nop")
# Just before a word: "no radiation", "not into x-rays", "i don't want radiation", "i hate needles".
NEGATION_BEFORE = re.compile(
    rf"\b(?:{NO}|not|without|never|nothing|avoid|avoiding|hate|dislike|against|less|zero|none|"
    r"don'?t|dont|do not|doesn'?t|does not|won'?t|wouldn'?t|isn'?t|aren'?t|can'?t|cannot|"
    r"rather not|scared of|afraid of|away from|stay away|nope|hates|hated|can'?t stand|cant stand|not into|"
    r"not interested in|not a fan of)\b(?:\W+\w+){0,5}\W*$|"
    rf"\b(?:{NEGATION_BEFORE_ES})\b(?:\W+\w+){{0,6}}\W*$", re.IGNORECASE)
NEGATION_ANYWHERE = re.compile(
    rf"\b(?:{NO}|not|without|never|avoid|hate|dislike|don'?t|dont|do not|rather not|scared of|afraid of|"
    r"sin|nunca|odio|detesto|evitar|evito|miedo|asusta|asustan|tampoco|(?<!\bque )nada|excepto|salvo)\b",
    re.IGNORECASE)
# "no me importa(n)", "me da igual", "no me molesta(n)": the student doesn't mind (Spanish, before or after a word).
NEUTRAL_ES = (r"no me (?:importa|importan|molesta|molestan|asusta|asustan|preocupa|preocupan|incomoda|incomodan|"
              r"da miedo|dan miedo)|(?:me )?(?:da|dan) (?:igual|lo mismo)|me vale")
NEUTRAL_BEFORE_ANYWHERE = re.compile(
    rf"\b(?:don'?t|dont|do not|wouldn'?t) mind\b|\bidc\b|\bdon'?t care\b|\b(?:{NEUTRAL_ES})\b", re.IGNORECASE)
# Just before a word, and winning over a negation: "i don't mind radiation", "not scared of x-rays"; in Spanish
# "no me importa la radiación", "está bien la radiación", "sin problema con", unless a negation follows the cue
# ("está bien si no hay radiación").
NEUTRAL_BEFORE = re.compile(
    r"\b(?:(?:don'?t|dont|do not|wouldn'?t|would not) mind|fine with|ok(?:ay)? with|cool with|happy with|"
    r"comfortable with|no problem with|not (?:scared|afraid|worried|bothered) (?:of|about|by)|"
    r"doesn'?t matter|don'?t care about|dont care about|do not care about|idc about|idc|ok w|okay w|fine w|"
    r"whatever about)\b(?:\W+\w+){0,2}\W*$|"
    rf"\b(?:{NEUTRAL_ES}|(?:esta|estoy|estaria) (?:bien|ok|tranqui) con|esta bien|me parece bien|ok con|"
    r"sin (?:problema|problemas|miedo) (?:con|a|de)|no (?:tengo|hay) (?:problema|problemas|miedo) (?:con|a|de)|"
    r"no le tengo miedo a|no pasa nada con)\b(?:\W+(?!no\b|sin\b)\w+){0,4}\W*$", re.IGNORECASE)
# Just after a word: "radiation is fine", "x-rays don't bother me" (neither); "radiation scares me" (no). In Spanish
# "la radiación está bien", "la radiación no me molesta", "la radiación me da igual".
NEUTRAL_AFTER = re.compile(
    r"^\W*(?:is|are|'s|s|would be|will be)?\s*(?:fine|ok|okay|alright|all right|no problem|cool|not a problem)\b|"
    r"^\W*(?:doesn'?t|does not|don'?t|do not) (?:bother|scare|worry)|"
    r"^\W*(?:is|are|'s)?\s*(?:isn'?t|is not|not|aren'?t)\s+(?:a big deal|that important|important|a priority|"
    r"everything|my priority)|"
    r"^\W*(?:(?:esta|estan|seria|estaria|me parece|me parecen|va)\s+bien|(?:esta|estan|es|son)?\s*(?:okey|oki|"
    rf"sin problema|no hay problema|no es (?:un )?problema|no es para tanto)|{NEUTRAL_ES}|"
    r"(?:no es|no son)\s+(?:tan |muy )?(?:importante|prioridad|mi prioridad|lo mas importante|todo))\b",
    re.IGNORECASE)
NEGATION_AFTER = re.compile(
    r"^\W*(?:is|are)?\s*(?:not for me|scares? me|freaks? me out|worries me|is scary|no thanks|no way|"
    rf"please no|pls no|nope|{NO_AFTER}|nah)\b|"
    r"^\W*(?:\w+\W+){0,2}(?:is|are|seems?|sounds?|looks?)\s+(?:so |way too |too |really |kinda |a bit )*"
    r"(?:boring|complicated|hard|depressing|emotional|sad|scary|gross|creepy|dull)\b|"
    r"^\W*(?:\w+\W+){0,1}makes? me (?:squeamish|sick|nervous|uncomfortable|anxious|sad)|"
    r"^\W*(?:and )?(?:i'?m|im|i am) not (?:ok|okay|fine|cool|comfortable) with (?:that|it|this)|"
    # "la radiación me da miedo", "... no es para mí", "... me aburre", "... es muy difícil", "... no la quiero"
    r"^\W*(?:no (?:es|son) para mi|no va conmigo|no me (?:gusta|gustan|interesa|interesan|llama|llaman|late|laten|"
    r"agrada|agradan)|no (?:la|las|lo|los) (?:quiero|quisiera|soporto|aguanto|tolero)|me (?:da|dan) (?:miedo|asco|"
    r"panico|nervios|cosa)|me (?:asusta|asustan|aburre|aburren|estresa|estresan|incomoda|incomodan)|no gracias|"
    r"ni loco|ni loca|ni de broma|para nada|nel|nop|no por favor|no porfa)\b|"
    r"^\W*(?:\w+\W+){0,2}(?:es|son|suena|suenan|se ve|se ven|parece|parecen|me parece|me parecen)\s+"
    r"(?:muy |demasiado |bien |super |re |medio |algo |un poco )*(?:aburrid[oa]s?|dificil|dificiles|complicad[oa]s?|"
    r"triste|tristes|deprimente|deprimentes|asqueros[oa]s?|peligros[oa]s?|pesad[oa]s?|fe[oa]s?)\b", re.IGNORECASE)
# Where a clause ends, so that "i like machines but not radiation" keeps the "not" with radiation only;
# "and"/"or" only join the parts of one clause ("i hate needles and radiation"). Spanish: "pero", "aunque", "sin
# embargo", "sino"; "y", "o", "ni" join ("ni" negates each part: "ni agujas ni radiación").
CLAUSE = re.compile(r"[.,;!?¿¡]|\b(?:but|although|though|however|actually|instead|"
                    r"pero|aunque|sin embargo|sino|mas bien|en realidad|de hecho|en cambio)\b", re.IGNORECASE)
JOIN = re.compile(r"\b(?:and|or|nor|&|y|o(?!\W+menos\b)|ni)\b", re.IGNORECASE)  # "más o menos" is "so-so"
AND = ("and", "y")  # a negated preference before these does not negate the next one ("no radiation and a short one")
NOR = "ni"
FILLER = re.compile(r"^(?:\W|\b(?:also|even|any|the|a|an|with|of|too|either|"
                    r"tambien|el|la|los|las|lo|un|una|unos|unas|de|del|con|al)\b)*$", re.IGNORECASE)
# An answer that says "I don't know" or "either is fine" ("no sé", "ni idea", "sí, no hay problema", "not sure"): to a
# guided question it means either is fine, whether the model read it as a yes, a no or anything else.
INDIFFERENT = re.compile(r"\b(?:i don'?t know|i dont know|idk|dunno|not sure|no idea|no clue|unsure|no (?:lo )?se|"
                         r"nose|ni idea|ni se|no tengo (?:ni )?idea|no estoy segur[oa]|quien sabe|no problem|"
                         r"no (?:hay )?problema|sin problema|no preference|sin preferencia|whatever|cualquiera)\b",
                         re.IGNORECASE)
# A whole message that only says no ("prefiero que no", "mejor no", "no gracias", "i'd rather not"): to a yes/no guided
# question it is that question's "no", even when the model read it as a wish to find a job rather than as a "no".
DECLINE = re.compile(r"^\W*(?:(?:prefiero|preferiria|mejor|la verdad|pues|creo que|i'?d|i would)\W+)*(?:que\W+)?"
                     r"(?:no|nope|nah|nel|rather not|prefer not|not really)"
                     r"(?:\W+(?:gracias|thanks|thx|por favor|porfa|pls|please|really|la verdad|mejor))*\W*$",
                     re.IGNORECASE)


def declines(text: object) -> bool:
    """True for a message that says no and nothing else (over folded text)."""
    return isinstance(text, str) and DECLINE.match(folded(text[:MAX_TEXT])) is not None


def indifferent(text: object) -> bool:
    """True for a message that says the student doesn't know or doesn't mind (over folded text: "no sé", "no se")."""
    if not isinstance(text, str):
        return False
    plain = folded(text[:MAX_TEXT])
    return INDIFFERENT.search(plain) is not None or NEUTRAL_BEFORE_ANYWHERE.search(plain) is not None


class DiscoveryError(ValueError):
    """discovery.yml does not fit the knowledge it points at: the build stops with the entry named."""


@dataclass(frozen=True)
class Reason:
    """Why one job goes with a preference: the topic of the job's own fact that backs it, in short words."""

    occupation: str
    fact: Optional[str]
    text: Optional[str]
    reading: bool  # the link is our reading of the job's listed title, not the sources' words


@dataclass(frozen=True)
class Preference:
    """One thing a student may like or dislike, with the jobs the sources tie to it."""

    id: str
    name: str
    words: Tuple[str, ...]
    against: Tuple[str, ...]
    jobs: Tuple[Reason, ...]
    without: Tuple[Reason, ...]
    same_for_all: bool
    summary: Optional[str]  # for a same_for_all preference: one sentence for all the jobs
    each: bool  # every job's reason even so (what each training needs)
    silent: Optional[str]
    silent_facts: Tuple[Reason, ...]
    ranked_by: Optional[str]

    @property
    def rules_out(self) -> bool:
        """A dislike rules jobs out only where the file names the jobs without it (radiation): "no heart"
        does not rule out sonographers, only some of whom specialise in it."""
        return bool(self.without)


@dataclass(frozen=True)
class Step:
    """One question of the guided path, the preferences it settles, and its buttons (title, values)."""

    id: str
    question: str
    preferences: Tuple[str, ...]
    buttons: Tuple[Tuple[str, Tuple[str, ...]], ...]
    yes: Tuple[str, ...]  # what a typed "yes" to a yes/no question means (`any_radiation`); () for the others
    no: Tuple[str, ...]


@dataclass(frozen=True)
class Stated:
    """A preference as a message states it: liked, disliked, or "doesn't mind" (ANY)."""

    preference: str
    stance: str

    @property
    def value(self) -> str:
        """The form a button and the slot keep it in: `radiation`, `not_radiation`, `any_radiation`."""
        return {LIKE: "", DISLIKE: NOT_PREFIX, ANY: ANY_PREFIX}[self.stance] + self.preference


@dataclass(frozen=True, eq=False)
class Discovery:
    """The preferences and the guided path, with the one scanner that finds preferences in a message."""

    preferences: Dict[str, Preference]
    steps: Tuple[Step, ...]
    ignore: Tuple[str, ...] = ()  # phrases that hide a preference's word ("15 years old")

    def parse(self, value: object) -> Optional[Stated]:
        """A slot or button value (`not_radiation`) as a Stated; None for anything unknown."""
        if not isinstance(value, str):
            return None
        for prefix, stance in ((NOT_PREFIX, DISLIKE), (ANY_PREFIX, ANY), ("", LIKE)):
            if value.startswith(prefix) and value[len(prefix):] in self.preferences:
                return Stated(value[len(prefix):], stance)
        return None

    def stated(self, text: object) -> List[Stated]:
        """The preferences a message states, in the order it states them; the last word on one wins."""
        if not isinstance(text, str) or text.startswith("/"):
            return []
        text = folded(text[:MAX_TEXT])  # one character for each: the spans are the typed text's
        found: Dict[str, Stated] = {}
        last_end: Dict[str, int] = {}
        for start, end, preference, opposite in self._matches(text):
            if preference in last_end and not CLAUSE.search(text[last_end[preference]:start]):
                continue  # "don't want years at uni": the clause's first word on it says how
            stance = _stance(text[:start], text[end:], {w for w, _, _ in self.words})
            if opposite:  # "not years of university" is a short training; "a degree is fine" doesn't mind
                stance = LIKE if stance == DISLIKE else ANY
                if stance == ANY and preference in found:
                    continue  # "no quick certificate, i want a proper degree": the first word stands
            found.pop(preference, None)
            found[preference] = Stated(preference, stance)
            last_end[preference] = end
        return list(found.values())

    def _matches(self, text: str) -> List[Tuple[int, int, str, bool]]:
        """Every word of a preference in the text, longest first, none overlapping."""
        taken: Set[int] = set()
        ignored, words = self._patterns
        for pattern in ignored:
            for match in pattern.finditer(text):
                taken |= set(range(match.start(), match.end()))
        matches = []
        for pattern, preference, opposite in words:
            for match in pattern.finditer(text):
                span = set(range(match.start(), match.end()))
                if span & taken:
                    continue
                taken |= span
                matches.append((match.start(), match.end(), preference, opposite))
        return sorted(matches)

    @cached_property
    def words(self) -> Tuple[Tuple[str, str, bool], ...]:
        """(word, preference, opposite) for every word, longest first, so "helping people" beats "people"."""
        words = [(w, p.id, False) for p in self.preferences.values() for w in p.words]
        words += [(w, p.id, True) for p in self.preferences.values() for w in p.against]
        return tuple(sorted(words, key=lambda item: (-len(item[0]), item[0])))

    @cached_property
    def _patterns(self) -> Tuple[Tuple["re.Pattern[str]", ...], Tuple[Tuple["re.Pattern[str]", str, bool], ...]]:
        """The ignored phrases' and the words' patterns, compiled once: several hundred patterns passed to
        re.finditer as strings overflowed re's cache of 512 on every message, so each was compiled again, and
        so was the NLU's lookup-table pattern (the gates at 812ab52 spent a third of their time compiling)."""
        def compiled(phrase: str) -> "re.Pattern[str]":
            return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)

        return (tuple(compiled(p) for p in self.ignore),
                tuple((compiled(w), preference, opposite) for w, preference, opposite in self.words))

    def step(self, step_id: object) -> Optional[Step]:
        """The guided question with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)


def _stance(before: str, after: str, words: Set[str]) -> str:
    """Liked, disliked or neither, from the words around a preference in its own clause.

    A bare list after a negation goes on negating ("no needles or radiation", "i hate needles and
    radiation"), but not after a negated preference joined by "and" ("no radiation and short training").
    """
    clause_start = max((m.end() for m in CLAUSE.finditer(before)), default=0)
    clause = before[clause_start:]
    after = CLAUSE.split(after, maxsplit=1)[0]
    joins = list(JOIN.finditer(clause))
    own = clause[joins[-1].end():] if joins else clause
    if NEUTRAL_BEFORE.search(own) or NEUTRAL_AFTER.search(after):
        return ANY
    if NEGATION_BEFORE.search(own) or NEGATION_AFTER.search(after):
        return DISLIKE
    if joins and FILLER.match(own) and joins[-1].group(0).lower() == NOR:  # "ni agujas ni radiación"
        return ANY if NEUTRAL_BEFORE_ANYWHERE.search(clause) else DISLIKE  # "no me importan ni ... ni ..."
    if joins and FILLER.match(own):
        previous = clause[joins[-2].end() if len(joins) > 1 else 0:joins[-1].start()]
        if NEUTRAL_BEFORE_ANYWHERE.search(previous):  # "i don't mind machines or people"
            return ANY
        negated = NEGATION_ANYWHERE.search(previous)
        names_one = any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", previous, re.IGNORECASE) for w in words)
        if negated and (joins[-1].group(0).lower() not in AND or not names_one):
            return DISLIKE
    return LIKE


def _said(item: Dict[str, Any], field: str, language: str, entry: str, required: bool = False) -> Optional[str]:
    """The text a student sees in `field`, in `language`: its own key beside the English one (`text_es`), required
    wherever the English one is, on one line (a folded paragraph's line breaks are spaces)."""
    english, own = item.get(field), item.get(translated(field, language))
    if english is None:
        if required:
            raise KeyError(field)
        if own is not None:
            raise DiscoveryError(f"{entry}: `{translated(field, language)}` without `{field}`")
        return None
    if not isinstance(own, str) or not own.strip():
        raise DiscoveryError(f"{entry}: `{field}` has no `{translated(field, language)}`")
    return " ".join(own.split())


def _reasons(items: Any, language: str, entry: str) -> Tuple[Reason, ...]:
    return tuple(Reason(str(i["occupation"]), i.get("fact"), _said(i, "text", language, f"{entry}, {i['occupation']}"),
                        bool(i.get("reading")))
                 for i in items or [])


def read(path: Path = DISCOVERY, language: str = ENGLISH) -> Discovery:
    """Read discovery.yml with the texts of `language`; a missing key, a missing translation or a malformed entry
    raises DiscoveryError with the entry named."""
    translated("text", language)  # an unknown language fails here, whatever the file holds
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    preferences: Dict[str, Preference] = {}
    try:
        for item in data["preferences"]:
            entry = f"preference {item['id']}"
            preference = Preference(
                str(item["id"]), str(_said(item, "name", language, entry, True)),
                matched(item, "words", required=True), matched(item, "against"),
                _reasons(item.get("jobs"), language, entry),
                _reasons(item.get("without"), language, entry), bool(item.get("same_for_all")),
                _said(item, "summary", language, entry), bool(item.get("each")), _said(item, "silent", language, entry),
                _reasons(item.get("silent_facts"), language, entry), item.get("ranked_by"))
            if preference.id in preferences:
                raise DiscoveryError(f"preference {preference.id}: a second entry with this id")
            preferences[preference.id] = preference
        steps = tuple(Step(str(s["id"]), str(_said(s, "question", language, f"step {s['id']}", True)),
                           tuple(s["preferences"]),
                           tuple((str(_said(b, "title", language, f"step {s['id']}, button {b['title']!r}", True)),
                                  tuple(b["preference"])) for b in s["buttons"]),
                           tuple(s.get("on_yes") or ()), tuple(s.get("on_no") or ()))
                      for s in data["steps"])
    except (KeyError, TypeError) as error:
        raise DiscoveryError(f"discovery.yml: a required key is missing or malformed ({error})") from None
    return Discovery(preferences, steps, matched(data, "ignore"))


def matched(item: Dict[str, Any], field: str, required: bool = False) -> Tuple[str, ...]:
    """The words of `field` in every language (`words`, `words_es`), folded and once each: a student may type
    Spanish in an English conversation and the other way round, and "máquinas" typed without its accent is the same
    word. Which conversation language shows the texts does not change what is matched."""
    if required and field not in item:
        raise KeyError(field)
    words = [w for language in LANGUAGES for w in item.get(translated(field, language)) or []]
    return tuple(dict.fromkeys(folded(" ".join(str(w).split())) for w in words))


@lru_cache(maxsize=None)
def discovery(language: str = ENGLISH) -> Discovery:
    """The process-wide discovery data in one language, read on first use (never at import time)."""
    return read(language=language)


def check(found: Discovery, occupations: Dict[str, Dict[str, Any]], facts: Iterable[Tuple[str, str]],
          topics: Iterable[str]) -> None:
    """Every reason points at a job of the group and at a fact of that job's own; no reason states a number
    (figures come from facts); every word names one preference; each step's buttons send known values."""
    have = set(facts)
    owners: Dict[str, str] = {}
    for preference in found.preferences.values():
        entry = f"preference {preference.id}"
        if not preference.words:
            raise DiscoveryError(f"{entry}: needs `words`")
        if preference.same_for_all and not (preference.summary or preference.each):
            raise DiscoveryError(f"{entry}: a same_for_all preference needs a `summary`, or `each: true`")
        if NUMBER.search(preference.summary or ""):
            raise DiscoveryError(f"{entry}: a number in a reason; figures come from the facts")
        if not (preference.jobs or preference.silent or preference.ranked_by):
            raise DiscoveryError(f"{entry}: needs `jobs`, `silent` or `ranked_by`")
        if preference.ranked_by is not None and preference.ranked_by not in topics:
            raise DiscoveryError(f"{entry}: ranked_by `{preference.ranked_by}` is no topic")
        for word in (*preference.words, *preference.against):
            if owners.setdefault(word, preference.id) != preference.id:
                raise DiscoveryError(f"{entry}: the word `{word}` is also one of `{owners[word]}`")
        for reason in (*preference.jobs, *preference.without, *preference.silent_facts):
            if reason.occupation not in occupations:
                raise DiscoveryError(f"{entry}: unknown occupation `{reason.occupation}`")
            if reason.fact is not None and (reason.occupation, reason.fact) not in have:
                raise DiscoveryError(f"{entry}: {reason.occupation} has no `{reason.fact}` fact of its own")
            if reason.fact is None and not reason.reading and reason in preference.jobs:
                raise DiscoveryError(f"{entry}: {reason.occupation} needs a `fact`, or `reading: true` for a "
                                     "link read from its listed title")
            if NUMBER.search(reason.text or "") or NUMBER.search(preference.silent or ""):
                raise DiscoveryError(f"{entry}: a number in a reason; figures come from the facts")
    for step in found.steps:
        for preference_id in step.preferences:
            if preference_id not in found.preferences:
                raise DiscoveryError(f"step {step.id}: unknown preference `{preference_id}`")
        for title, values in (*step.buttons, ("yes", step.yes or ("any_" + step.preferences[0],)),
                              ("no", step.no or ("any_" + step.preferences[0],))):
            if not values or any(found.parse(v) is None for v in values):
                raise DiscoveryError(f"step {step.id}: `{title}` sends an unknown value")
