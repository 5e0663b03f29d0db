"""Say where an answer came from, who wrote a source and when it was published.

"where is that from?", "who wrote the article?", "when was it published?" are all one intent
(ask_source): the message's words tell them apart (source_question) and say which source or topic
is meant; otherwise the sources of the last answer (the slot `sources_shown`, with the credits its
facts carried, such as the BLS) are the ones meant.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer
from actions.compare import TOPIC_PATTERNS
from actions.context import (
    capitalised,
    cited,
    context_occupation,
    knowledge_base,
    language,
    mentioned_occupations,
    note_sources_language,
    slot_occupation,
)
from actions.forms import asks_which_states, which_states
from actions.phrases import joined, phrase, term, topic_label
from knowledge.language import folded
from knowledge.query import CreditInfo, FactInfo, KnowledgeBase, SourceInfo
from knowledge.vocabulary import ANSWERED, CAREER_ARTICLE, CLASSIFICATION, REPLY_KIND_SLOT

MAX_TEXT = 1000  # characters of a message that are read
AUTHOR = "author"
DATE = "date"
ORIGIN = "origin"
# "who wrote it", "the author": not "who says" or "according to who", which ask where it is from.
AUTHOR_WORDS = re.compile(r"\bwho (?:wrote|writes|made|published|authored)\b|\bauthors?\b|\bwriters?\b|"
                          r"\bwritten\b|\bwrote\b", re.IGNORECASE)
DATE_WORDS = re.compile(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bdated?\b|\bhow old\b|\bhow recent\b|"
                        r"\bup[ -]to[ -]date\b|\bcurrent\b|\boutdated\b|\bpublished\b", re.IGNORECASE)
ROLE_WORDS = {
    CAREER_ARTICLE: re.compile(r"\barticle\b|\bcareer ?trend\b|\bkelchner\b|\bwebsite\b", re.IGNORECASE),
    CLASSIFICATION: re.compile(r"\bclassification\b|\bpsco\b|\bpakistan\w*\b|\bisco\b", re.IGNORECASE),
}
# "what do your sources say about licensing for X", "according to the article, how much ...": a question on
# the topic, asked through the sources; not "where is the salary from" or "which source says that".
ABOUT_A_TOPIC = re.compile(
    r"\bwhat (?:do|does|did|can) (?:your|ur|the|these|those|you[r']?) ?(?:sources?|article|classification|"
    r"info\w*|data)\b[^?.!]{0,40}\b(?:say|says|said|tell|mention|have)\b|\baccording to (?:your|ur|the) "
    r"(?:sources?|article|classification)\b[^?.!]*\b(?:how|what|do|does|is|are)\b", re.IGNORECASE)
# The same in Spanish, over folded text (knowledge.language.folded: no accents, ñ kept): "¿quién lo escribió?",
# "¿de qué año son esos sueldos?", "el artículo", "la clasificación", "¿qué dicen tus fuentes sobre la licencia?"
AUTHOR_WORDS_ES = re.compile(r"\bquien(?:es)? (?:lo |la |los |las )?(?:escribio|escribieron|hizo|hicieron|publico|"
                             r"publicaron|redacto)\b|\bautor(?:es|a|as)?\b|\bescritor(?:es|a|as)?\b|"
                             r"\bescrit[oa]s? por\b")
DATE_WORDS_ES = re.compile(r"\bcuando\b|\b(?:que|cual) a[nñ]o\b|\bfecha\b|\bque tan (?:recientes?|nuev[oa]s?|"
                           r"viej[oa]s?|actuales?|actualizad[oa]s?)\b|\b(?:des)?actualizad[oa]s?\b|\bal dia\b|"
                           r"\bvigentes?\b|\bpublicad[oa]s?\b|\bantigu[oa]s?\b|\bviej[oa]s?\b")
ROLE_WORDS_ES = {
    CAREER_ARTICLE: re.compile(r"\barticulo\b|\bcareer ?trend\b|\bkelchner\b|\b(?:sitio|pagina) web\b"),
    CLASSIFICATION: re.compile(r"\bclasificacion\b|\bpsco\b|\bpakistan\w*\b|\bciuo\b|\bisco\b"),
}
ABOUT_A_TOPIC_ES = re.compile(
    r"\bque (?:dicen|dice|decian|dijeron|mencionan|menciona|tienen|tiene) (?:(?:tus|sus|las|estas|esas|el|la|tu|su) )?"
    r"(?:fuentes?|articulo|clasificacion|datos|informacion)\b[^?.!]{0,40}\b(?:sobre|de|del|acerca)\b|"
    r"\bsegun (?:tus|sus|las|el|la|tu|su) (?:fuentes?|articulo|clasificacion)\b[^?.!]*\b(?:cuanto|cuantos|cuantas|"
    r"que|como|cual|cuales|necesita|necesitan|es|son|hay)\b")
# "¿de dónde sacas eso?", "¿de qué año son esos sueldos?", "¿cuál es tu fuente?": where an answer is from, however
# the message was classified (a Spanish question about the pay's year may be read as a pay question).
WHERE_FROM_ES = re.compile(
    r"\bde donde (?:sacas|sacaste|sacan|sacaron|sale|salen|salio|viene|vienen|obtienes|obtuviste|proviene|"
    r"provienen)\b|\b(?:de )?(?:que|q|cual) a[nñ]o (?:son|es|eran|era)\b|"
    r"\b(?:son|es|eran|era) de (?:que|q|cual) a[nñ]o\b|"
    r"\bde (?:que|q) pais (?:es|son|viene|vienen|sacaste|sacaron)\b|\bde cuando (?:son|es)\b|\bcual(?:es)? "
    r"(?:es|son) (?:tu|tus|la|las|su|sus) fuentes?\b|\bque fuentes? (?:usas|usaste|usan|tienes|consultas|"
    r"consultaste|citas)\b|\ben que te basas\b|\bsegun quien\b|"
    r"\bquien (?:lo )?dice (?:eso|esto)\b|\bque tan (?:actualizad|reciente)\w*\b|\b(?:estan|esta) actualizad[oa]s?\b")
ROLE_NOUNS = {CAREER_ARTICLE: "sources.the_article", CLASSIFICATION: "sources.the_classification"}  # phrase keys


def source_question(text: object) -> str:
    """What a source question asks: AUTHOR ("who wrote it"), DATE ("when was it published") or ORIGIN."""
    if not isinstance(text, str):
        return ORIGIN
    text = text[:MAX_TEXT]
    plain = folded(text)
    if AUTHOR_WORDS.search(text) or AUTHOR_WORDS_ES.search(plain):
        return AUTHOR
    if DATE_WORDS.search(text) or DATE_WORDS_ES.search(plain):
        return DATE
    return ORIGIN


def asks_where_from(text: object) -> bool:
    """"¿De dónde sacas eso?", "¿de qué año son esos sueldos?": a Spanish source question, whatever its intent."""
    return isinstance(text, str) and not text.startswith("/") and WHERE_FROM_ES.search(folded(text[:MAX_TEXT])) \
        is not None


def about_a_topic(text: object) -> bool:
    """"What do your sources say about licensing?": a question on a topic asked through the sources."""
    if not isinstance(text, str):
        return False
    return bool(ABOUT_A_TOPIC.search(text[:MAX_TEXT]) or ABOUT_A_TOPIC_ES.search(folded(text[:MAX_TEXT])))


def named_roles(text: object) -> List[str]:
    """The sources a message names by kind ("the article", "the Pakistani classification")."""
    if not isinstance(text, str):
        return []
    plain = folded(text[:MAX_TEXT])
    return [role for role, pattern in ROLE_WORDS.items()
            if pattern.search(text[:MAX_TEXT]) or ROLE_WORDS_ES[role].search(plain)]


def asked_topic(text: object) -> Optional[str]:
    """The one topic a source question names ("where is the salary from": salary), if exactly one."""
    if not isinstance(text, str) or text.startswith("/"):
        return None
    found = [t for t, pattern in TOPIC_PATTERNS.items() if t != "overview" and pattern.search(text[:MAX_TEXT])]
    return found[0] if len(found) == 1 else None


def topic_facts(kb: KnowledgeBase, tracker: Tracker, topic: str) -> List[FactInfo]:
    """The facts an answer on `topic` would use: the job in play's, else the group's, else every job's."""
    mentioned = mentioned_occupations(tracker, kb)
    occupation_id = mentioned[0] if mentioned else context_occupation(tracker, kb)
    fact = kb.find_fact(occupation_id, topic) if occupation_id else kb.fact(kb.group().id, topic)
    return [fact] if fact is not None else [f for f in kb.facts() if f.topic == topic]


class ActionSources(Action):
    """Cites the sources of the last answer (or of the topic asked about) in full, with whom they credit;
    or says who wrote them, or when they were published, as far as sources.yml knows."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Cite the sources of the last answer, or of the topic asked about, so a student can check them."""
        lang = language(tracker)
        events, listed = self.cite(dispatcher, tracker, lang)
        return note_sources_language(dispatcher, tracker, events, listed)

    @staticmethod
    def cite(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> Tuple[List[Dict[Text, Any]], bool]:
        """The reply's events, and whether it lists the sources themselves (not an answer that cites them)."""
        kb = knowledge_base(lang)
        text = (tracker.latest_message or {}).get("text")
        topic = asked_topic(text)
        last_topic = tracker.get_slot("topic")
        if topic is None and last_topic in ("license", "salary") and asks_which_states(tracker):
            occupation_id = slot_occupation(tracker, kb)  # "which states are those?": the sources name none
            return which_states(dispatcher, kb, last_topic, occupation_id, lang), False
        if topic is not None and about_a_topic(text):
            # "what do your sources say about licensing for sonographers": the answer, from the sources
            return answer(dispatcher, tracker, topic, lang), False
        if topic is not None:
            ids = cited(topic_facts(kb, tracker, topic))
            intro = phrase("sources.topic_from", lang, label=topic_label(topic, lang))
        else:
            shown = tracker.get_slot("sources_shown")
            ids = [i for i in shown if isinstance(i, str)] if isinstance(shown, list) else []
            intro = phrase("sources.answer_from", lang)
        roles = named_roles(text)
        if roles:  # "who wrote the article": that source, whatever the last answer cited
            named = [kb.source_for_role(r).id for r in roles]
            ids = [i for i in ids if i in named or any(c.source_id in named for c in kb.credits([i]))] or named
        sources, credits = kb.sources(ids), kb.credits(ids)
        everything = not sources
        if everything:
            sources = kb.sources(kb.all_sources())
            intro = phrase("sources.nothing_yet", lang)
        question = source_question(text)
        if question == AUTHOR:
            lines = [author_line(s, lang) for s in sources]
        elif question == DATE:
            lines = [date_line(s, lang) for s in sources]
        else:
            lines = [intro] + [source_bullet(s, lang) for s in sources]
            if everything:  # nothing cited yet: what each source credits, in general
                lines += [credit_overview(kb, c, lang) for s in sources for c in kb.credits(s.credit_ids)]
        lines += [credit_line(kb, c, lang) for c in credits]
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet(REPLY_KIND_SLOT, ANSWERED)], True


def source_bullet(source: SourceInfo, lang: str) -> str:
    """One source as a reader can find it again: title, author, where, scope and year."""
    year = phrase("source.figures_for", lang, year=source.figures_year) if source.figures_year else ""
    author = phrase("sources.by", lang, author=source.author) if source.author else ""
    return f"• “{source.title}”{author}, {term(source.published_in, lang)} ({term(source.scope, lang)}{year})."


def author_line(source: SourceInfo, lang: str) -> str:
    """Who wrote it, from sources.yml; a source without an author says so and names its publisher."""
    if source.author:
        return phrase("sources.author", lang, title=source.title, author=source.author, publisher=source.publisher)
    return phrase("sources.no_author", lang, title=source.title, publisher=source.publisher)


def date_line(source: SourceInfo, lang: str) -> str:
    """When it was published, if the text says; else that it is unknown, and the year its figures are for."""
    if source.published:
        said = phrase("sources.published", lang, title=source.title, published=term(source.published, lang))
    else:
        said = phrase("sources.not_dated", lang, title=source.title)
    return said + (" " + phrase("sources.figures_year", lang, year=source.figures_year) if source.figures_year else "")


def _holder(kb: KnowledgeBase, credit: CreditInfo, lang: str) -> str:
    source = kb.sources([credit.source_id])[0]
    return phrase(ROLE_NOUNS[source.role], lang) if source.role in ROLE_NOUNS else f"“{source.title}”"


def _credit_name(credit: CreditInfo, lang: str) -> str:
    name = term(credit.name, lang)
    return f"{name} ({credit.short})" if credit.short else name


def credit_line(kb: KnowledgeBase, credit: CreditInfo, lang: str) -> str:
    """The last answer used facts that the source credits to someone else: say so (some or all of it)."""
    return phrase("sources.credit", lang, holder=capitalised(_holder(kb, credit, lang)),
                  credit=_credit_name(credit, lang))


def credit_overview(kb: KnowledgeBase, credit: CreditInfo, lang: str) -> str:
    """What a source credits to someone else, as topics worked out from the facts that carry the credit."""
    topics = list(dict.fromkeys(f.topic for f in kb.facts() if credit.id in f.attribution))
    what = joined([topic_label(t, lang) for t in topics], lang)
    return phrase("sources.credit_overview", lang, holder=capitalised(_holder(kb, credit, lang)),
                  credit=_credit_name(credit, lang), what=what)
