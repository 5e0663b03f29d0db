"""Finding a job to ask about: a student says what they like or dislike, or answers a few guided questions,
and gets the group's jobs whose work, as the sources describe it, goes with that, each with the fact that says so.

The sources describe each job's work, never anyone's personality: an answer says what each job involves and
where the sources cannot tell the jobs apart (all three work with patients), never that a job "suits" someone.
The preferences and their reasons live in knowledge/discovery.yml; this turns them into an answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Set, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.compare import qualifiers
from actions.context import (
    capitalised,
    intent_name,
    knowledge_base,
    language,
    mentioned_occupations,
    mentioned_other_jobs,
    note_sources_language,
    say,
)
from actions.phrases import EN, LANGUAGES, joined, phrase
from knowledge.discovery import (
    ANY,
    DISLIKE,
    LIKE,
    Discovery,
    Preference,
    Reason,
    Stated,
    Step,
    declines,
    discovery,
    indifferent,
)
from knowledge.query import FactInfo, KnowledgeBase
from knowledge.vocabulary import CLASSIFICATION

PREFERENCES_SLOT = "preferences"  # what the student has said so far, as values ("machines", "not_radiation")
STEP_SLOT = "discovery_step"  # the guided question just asked, so that a typed "both" or "no" answers it
PREFERENCE_ENTITY = "preference"  # what the guided path's buttons send
EXPLORE_ACTION = "action_explore_jobs"
MAX_VALUES = 32  # a slot longer than this came from a malformed client
AGAIN = {"title": phrase("discover.again", EN), "payload": "/explore_jobs"}
OFFER = phrase("discover.offer", EN)  # the line that names the jobs an answer offers


def again(lang: str, title_key: str = "discover.again") -> Dict[str, str]:
    """The button that starts finding a job (again), in the conversation's language."""
    return {**AGAIN, "title": phrase(title_key, lang)}


def guide(lang: str) -> Discovery:
    """The preferences and guided questions (knowledge/discovery.yml) in the conversation's language."""
    return discovery(language=lang)


class ActionExploreJobs(Action):
    """What jobs fit what the student said; then the next guided question, or buttons for the jobs."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return EXPLORE_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """A message with no preference starts over; one with preferences adds to what was said before."""
        lang = language(tracker)
        found = guide(lang)
        kb = knowledge_base(lang)
        others = mentioned_other_jobs(tracker, kb)
        if others and not mentioned_occupations(tracker, kb):  # "i like people, should i be a nurse instead"
            from actions.answers import other_job_note  # answers hands pending guided answers back to here

            return note_sources_language(dispatcher, tracker, other_job_note(dispatcher, kb, others, [again(lang)],
                                                                             lang))
        new = stated_now(tracker, found)
        pending = found.step(just_asked(tracker))
        if pending is not None and not new and pending.no and declines((tracker.latest_message or {}).get("text")):
            new = [s for v in pending.no if (s := found.parse(v)) is not None]  # "prefiero que no", read as this intent
        elif pending is not None and not any(s.preference in pending.preferences for s in new):
            new += [Stated(p, ANY) for p in pending.preferences]  # "both honestly", "whatever": no preference
        return note_sources_language(dispatcher, tracker, explore(dispatcher, tracker, found, new, lang))


class ActionYesNo(Action):
    """A yes or a no: the answer to a guided question that asked one, else the usual short reply."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """"No" to "Are you OK with radiation?" is a preference; "no" after anything else is "no problem". An answer
        that names the pending question's preference ("sí, un título está bien") says how itself, and "no sé" or "sí, no
        hay problema" means either is fine."""
        lang = language(tracker)
        found = guide(lang)
        yes = intent_name(tracker) == "affirm"
        pending = found.step(just_asked(tracker))
        if pending is not None and answers_pending_question(tracker, lang):
            return note_sources_language(dispatcher, tracker, continue_discovery(dispatcher, tracker, lang))
        if pending is not None and indifferent((tracker.latest_message or {}).get("text")):
            events = explore(dispatcher, tracker, found, [Stated(p, ANY) for p in pending.preferences], lang)
            return note_sources_language(dispatcher, tracker, events)
        values = (pending.yes if yes else pending.no) if pending is not None else ()
        if values:
            events = explore(dispatcher, tracker, found, [s for v in values if (s := found.parse(v)) is not None], lang)
            return note_sources_language(dispatcher, tracker, events)
        if pending is not None:  # "yes" to "patients or machines?": ask again, with its buttons
            ask(dispatcher, pending)
            return [SlotSet(STEP_SLOT, pending.id)]
        dispatcher.utter_message(response="utter_affirm" if yes else "utter_deny")
        return []


MAX_ANSWER_WORDS = 8  # a typed answer to a guided question is short ("mostly machines", "a degree is fine")


def answers_pending_question(tracker: Tracker, lang: str) -> bool:
    """True when the message answers the guided question just asked, whatever intent it was read as:
    "mostly machines" after "patients or machines?" is no question about equipment."""
    found = guide(lang)
    step = found.step(just_asked(tracker))
    text = (tracker.latest_message or {}).get("text")
    if step is None or not isinstance(text, str) or len(text.split()) > MAX_ANSWER_WORDS:
        return False
    return any(s.preference in step.preferences for s in stated_now(tracker, found))


def continue_discovery(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> List[Dict[Text, Any]]:
    """Answer the guided question that the message answers (see answers_pending_question)."""
    found = guide(lang)
    return explore(dispatcher, tracker, found, stated_now(tracker, found), lang)


def stated_now(tracker: Tracker, found: Discovery) -> List[Stated]:
    """The preferences of the latest message: a button's values, else the ones its words state."""
    message = tracker.latest_message or {}
    sent = [found.parse(e.get("value")) for e in message.get("entities") or []
            if isinstance(e, dict) and e.get("entity") == PREFERENCE_ENTITY]
    if any(sent):
        return [s for s in sent if s is not None]
    return found.stated(message.get("text"))


def just_asked(tracker: Tracker) -> Optional[str]:
    """The guided question the assistant asked right before this message, or None.

    The step slot is kept across turns, so only a value set since the previous message counts.
    """
    seen_message = False
    for event in reversed(tracker.events or []):
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "user":
            if seen_message:
                return None
            seen_message = True
        elif kind == "slot" and seen_message and event.get("name") == STEP_SLOT:
            value = event.get("value")
            return value if isinstance(value, str) else None
    return None


def remembered(tracker: Tracker, found: Discovery) -> List[Stated]:
    """What the student said in earlier turns, from the slot; anything malformed is dropped."""
    values = tracker.get_slot(PREFERENCES_SLOT)
    if not isinstance(values, list):
        return []
    return [s for v in values[:MAX_VALUES] if (s := found.parse(v)) is not None]


def merged(before: Sequence[Stated], now: Sequence[Stated]) -> List[Stated]:
    """Earlier preferences, each replaced by a newer word on it ("actually radiation is fine")."""
    kept = {s.preference: s for s in before}
    for stated in now:
        kept.pop(stated.preference, None)
        kept[stated.preference] = stated
    return list(kept.values())


def explore(dispatcher: CollectingDispatcher, tracker: Tracker, found: Discovery,
            new: List[Stated], lang: str) -> List[Dict[Text, Any]]:
    """Answer for everything said so far, then ask the next guided question or offer the fitting jobs."""
    kb = knowledge_base(lang)
    if not new:  # "help me choose": start over, with the jobs the sources describe and the first question
        events = overview(dispatcher, kb, lang)
        return events + [SlotSet(PREFERENCES_SLOT, [])] + ask_next(dispatcher, kb, found, [], [], lang)
    wants = merged(remembered(tracker, found), new)
    body, fits, facts, sources = fitting(kb, found, wants, {s.preference for s in new}, lang)
    events = say(dispatcher, kb, body, sources, facts=facts, language=lang)
    events.append(SlotSet(PREFERENCES_SLOT, [s.value for s in wants]))
    if len(fits) == 1:
        events.append(SlotSet("occupation", fits[0]))  # "what does that one earn?" follows on
    return events + ask_next(dispatcher, kb, found, wants, fits, lang)


def ask_next(dispatcher: CollectingDispatcher, kb: KnowledgeBase, found: Discovery, wants: Sequence[Stated],
             fits: Sequence[str], lang: str) -> List[Dict[Text, Any]]:
    """The first guided question not yet answered; when all are, buttons to ask about each fitting job."""
    settled = {s.preference for s in wants}
    step = next((s for s in found.steps if not settled & set(s.preferences)), None)
    if step is not None:
        ask(dispatcher, step)
        return [SlotSet(STEP_SLOT, step.id)]
    buttons = [{"title": phrase("discover.about", lang, jobs=o.plural),
                "payload": f'/ask_overview{{"occupation": "{o.id}"}}'}
               for o in (kb.occupation(i) for i in fits[:4]) if o is not None]
    buttons.append(again(lang, "discover.start_again"))
    dispatcher.utter_message(text=phrase("discover.more", lang), buttons=buttons)
    return [SlotSet(STEP_SLOT, None)]


def ask(dispatcher: CollectingDispatcher, step: Step) -> None:
    """A guided question with its buttons, each sending its preference values."""
    buttons = [{"title": title, "payload": "/explore_jobs" + preference_payload(values)}
               for title, values in step.buttons]
    dispatcher.utter_message(text=step.question, buttons=buttons)


def preference_payload(values: Sequence[str]) -> str:
    """`{"preference": [...]}` as Rasa's payload syntax reads it (one entity per value)."""
    quoted = ", ".join(f'"{v}"' for v in values)
    return f'{{"{PREFERENCE_ENTITY}": [{quoted}]}}'


def overview(dispatcher: CollectingDispatcher, kb: KnowledgeBase, lang: str) -> List[Dict[Text, Any]]:
    """The jobs the article describes, each in a sentence of its own fact, and how many more titles there are."""
    facts = [f for o in kb.featured() if (f := kb.fact(o.id, "overview")) is not None]
    lines = [phrase("discover.three_jobs" if len(facts) == 3 else "discover.these_jobs", lang)]
    lines += [f"• {fact.text}" for fact in facts]
    others = [o for o in kb.occupations() if not o.featured and o.id != kb.group().id]
    lines.append(phrase("discover.more_titles", lang, count=len(others)))
    return say(dispatcher, kb, "\n".join(lines), [kb.source_for_role(CLASSIFICATION).id], facts=facts,
               language=lang)


def fitting(kb: KnowledgeBase, found: Discovery, wants: Sequence[Stated],
            now: Set[str], lang: str) -> Tuple[str, List[str], List[FactInfo], List[str]]:
    """The answer's body, the ids of the jobs that fit, the facts used and the sources named without a fact.

    Everything said so far narrows the jobs; only what this message said is explained again (`now`).
    """
    featured = [o.id for o in kb.featured()]
    facts: List[FactInfo] = []
    sources: List[str] = []
    lines: List[str] = []
    chosen: List[str] = []  # jobs a liked preference ties to
    ruled_out: List[str] = []
    for stated in wants:
        preference = found.preferences[stated.preference]
        said = stated.preference in now
        if stated.stance == LIKE:
            lines += liked(kb, preference, facts, sources, lang) if said else []
            if preference.jobs and not preference.same_for_all:
                chosen += [r.occupation for r in preference.jobs if r.occupation not in chosen]
        elif stated.stance == DISLIKE:
            lines += disliked(kb, preference, facts, lang) if said else []
            if preference.rules_out:
                ruled_out += [r.occupation for r in preference.jobs]
    fits = [o for o in (chosen or featured) if o not in ruled_out]
    if not lines:  # only "doesn't mind": nothing narrows the jobs down
        lines.append(phrase("discover.rules_none_out", lang))
    if fits and (chosen or ruled_out):  # something narrowed the jobs down: name them
        names = [kb.occupation(o).plural for o in fits if kb.occupation(o) is not None]
        lines.append(f"{phrase('discover.offer', lang)} {joined(names, lang)}.")
        explained = {f.occupation_id for f in facts}  # a job named without a reason here cites what it is
        facts += [f for o in fits if o not in explained and (f := kb.fact(o, "overview")) is not None]
    elif not fits:
        lines.append(phrase("discover.none_fits", lang))
    return "\n".join(lines), fits, facts, sources


def liked(kb: KnowledgeBase, preference: Preference, facts: List[FactInfo], sources: List[str],
          lang: str) -> List[str]:
    """What the sources tie to a liked preference: the jobs and their reasons, a ranking, or their silence."""
    lines: List[str] = []
    if preference.ranked_by:
        return ranked(kb, preference, facts, lang)
    if preference.silent:
        lines.append(preference.silent)
        facts += [f for r in preference.silent_facts if (f := kb.fact(r.occupation, r.fact or "")) is not None]
    if preference.same_for_all and preference.jobs:
        if preference.each:
            lines += [reason_line(kb, r, preference, facts, sources, lang) for r in preference.jobs]
        else:  # one sentence for all, citing each job's fact
            lines.append(phrase("discover.same_for_all", lang, name=capitalised(preference.name),
                                summary=preference.summary))
            facts += [f for r in preference.jobs if (f := kb.fact(r.occupation, r.fact or "")) is not None]
    elif preference.jobs:
        lines.append(f"{capitalised(preference.name)}:")
        lines += [reason_line(kb, r, preference, facts, sources, lang) for r in preference.jobs]
    return lines


def disliked(kb: KnowledgeBase, preference: Preference, facts: List[FactInfo], lang: str) -> List[str]:
    """Which jobs the sources describe without it, and which they tie to it (left out)."""
    if preference.same_for_all and preference.summary:  # "i don't want to deal with people": all three do
        facts += [f for r in preference.jobs if (f := kb.fact(r.occupation, r.fact or "")) is not None]
        return [phrase("discover.none_avoids", lang, name=capitalised(preference.name), summary=preference.summary)]
    lines: List[str] = []
    if not preference.rules_out:
        return lines
    lines.append(phrase("discover.without", lang, name=preference.name))
    if preference.without:
        lines += [reason_line(kb, r, preference, facts, [], lang) for r in preference.without]
    left = [f"{kb.occupation(r.occupation).plural} ({r.text})" for r in preference.jobs
            if r.text and kb.occupation(r.occupation) is not None and r.fact]
    facts += [f for r in preference.jobs if r.fact and (f := kb.fact(r.occupation, r.fact)) is not None]
    if left:
        lines.append(phrase("discover.left_out", lang, name=preference.name, jobs="; ".join(left)))
    return lines


def ranked(kb: KnowledgeBase, preference: Preference, facts: List[FactInfo], lang: str) -> List[str]:
    """The jobs in order of their own figures (pay): computed from the facts, never typed."""
    topic = preference.ranked_by or ""
    figured = [(f, o) for o in kb.featured() if (f := kb.figure(o.id, topic)) is not None]
    figured.sort(key=lambda pair: -pair[0].value)
    facts += [fact for _, o in figured if (fact := kb.fact(o.id, topic)) is not None]
    if not figured:
        return [phrase("discover.no_figures", lang, name=preference.name)]
    kinds = {qualifiers(f, lang) for f, _ in figured}
    label = f" ({kinds.pop()})" if len(kinds) == 1 else ""
    return [phrase("discover.ranked", lang, name=capitalised(preference.name), kind=label)] + [
        f"• {capitalised(o.plural)}: ${f.value:,}" for f, o in figured]


def reason_line(kb: KnowledgeBase, reason: Reason, preference: Preference, facts: List[FactInfo],
                sources: List[str], lang: str) -> str:
    """"• Sonographers: they run the ultrasound machine", citing the job's fact; a listed title says so."""
    occupation = kb.occupation(reason.occupation)
    name = capitalised(occupation.plural if occupation else reason.occupation)
    if reason.fact is not None:
        fact = kb.fact(reason.occupation, reason.fact)
        if fact is not None:
            facts.append(fact)
        text = reason.text or (fact.text if fact else "")
        return f"• {name}: {text}" + (" " + phrase("discover.reading", lang) if reason.reading else "")
    sources.append(kb.source_for_role(CLASSIFICATION).id)
    titles = "; ".join(f"“{t}”" for t in (occupation.source_titles if occupation else ()))
    return "• " + phrase("discover.listed_only", lang, name=name, titles=titles, preference=preference.name)


def offered_line(text: str) -> str:
    """The jobs an answer offers, as its offer line names them, in either language ('' when it offers none)."""
    offers = [phrase("discover.offer", lang) for lang in LANGUAGES]
    for line in text.splitlines():
        offer = next((o for o in offers if line.startswith(o)), None)
        if offer is not None:
            return line[len(offer):]
    return ""
