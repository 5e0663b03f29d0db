"""Answer a question about one occupation and one topic, from the knowledge base."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    CHECKED,
    capitalised,
    context_occupation,
    field_intro,
    field_named,
    intent_name,
    knowledge_base,
    language,
    mentioned_occupations,
    mentioned_other_jobs,
    message_mentions,
    note_sources_language,
    occupation_buttons,
    say,
)
from actions.forms import across_jobs, good_job_intro, shaped_answer
from actions.phrases import EN, phrase, topic_label
from knowledge.language import folded
from knowledge.query import FactInfo, KnowledgeBase, OccupationInfo, OtherJobInfo
from knowledge.search import Document, select_task
from knowledge.vocabulary import (
    CLARIFY,
    CLASSIFICATION,
    GAPS,
    OUTSIDE,
    RADIATION_PROTECTION,
    REPLY_KIND_SLOT,
    TOPIC_BY_INTENT,
    TOPIC_LABELS,
)

# Topics on which the group's jobs can be ranked ("which job pays most", "needs a licence in the fewest states").
RANKED_TOPICS = ("salary", "license", "education")
# Topics where the whole group's answer is useful on its own; the others need a job first.
GROUP_LEVEL = ("overview", "duties", "safety", "equipment", "specialties", "best_paying")
WHAT_THEY_DO = phrase("answer.what_they_do", EN)
NOT_AS_FAR = phrase("answer.not_as_far", EN)
# The intents' topics that "do sonographers use radiation?" arrives with: safety, and equipment (the trained
# model reads "use" as an equipment question), so no new intent is needed.
RADIATION_TOPICS = ("safety", "equipment")
# "do sonographers use radiation", "does ultrasound involve radiation", "is there radiation in mri": a yes/no
# question about whether the job uses radiation at all, not how much of it they get.
USES_RADIATION = re.compile(
    r"\b(?:use|uses|using|used|work with|works with|working with|involve|involves|involved|is there|are there)\b"
    r"[^.?!]{0,60}\b(?:radiation|radioactive)\b", re.IGNORECASE)


# "¿los ecografistas usan radiación?", "¿hay radiación en la resonancia?", over folded text
USES_RADIATION_ES = re.compile(
    r"\b(?:usa|usan|usar|utiliza|utilizan|utilizar|trabaja con|trabajan con|involucra|involucran|implica|implican|"
    r"hay|emite|emiten|expone|exponen|lleva|llevan)\b[^.?!]{0,60}\b(?:radiacion|radiaciones|radiactiv\w*|"
    r"radioactiv\w*)\b")


def asks_if_radiation_is_used(text: object) -> bool:
    """True for a yes/no question on whether a job uses radiation (ask_safety has no intent of its own for it)."""
    return isinstance(text, str) and len(text) <= 1000 and (
        USES_RADIATION.search(text) is not None or USES_RADIATION_ES.search(folded(text)) is not None)


class ActionAnswer(Action):
    """One action for every topic, so context rules stay simple and all answers look alike."""

    def name(self) -> Text:
        """The name the domain and the rules call this action by."""
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """Every topic question lands here; the intent names the topic. A Spanish question on where an answer is
        from ("¿de qué año son esos sueldos?") may be read as a pay question: the sources answer it."""
        from actions.sources import ActionSources, asks_where_from  # the sources' action builds on these answers

        lang = language(tracker)
        if asks_where_from((tracker.latest_message or {}).get("text")):
            events, listed = ActionSources.cite(dispatcher, tracker, lang)
            return note_sources_language(dispatcher, tracker, events, listed)
        events = answer(dispatcher, tracker, TOPIC_BY_INTENT.get(intent_name(tracker)), lang)
        return note_sources_language(dispatcher, tracker, events)


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Optional[str],
           lang: str) -> List[Dict[Text, Any]]:
    """The answer on `topic` for the job named or in context; no topic keeps the last one ("what about ...?")."""
    from actions.discover import answers_pending_question, continue_discovery  # discover builds on compare

    if answers_pending_question(tracker, lang):  # "a degree is fine" after "how long do you want to study?"
        return continue_discovery(dispatcher, tracker, lang)
    kb = knowledge_base(lang)
    last_topic = tracker.get_slot("topic")
    if not isinstance(last_topic, str):  # slots can hold anything a client sent
        last_topic = None
    if topic is None:  # "what about sonographers?" keeps the last topic
        topic = last_topic if last_topic in TOPIC_LABELS or last_topic in GAPS else "overview"
    mentioned = mentioned_occupations(tracker, kb)
    others = mentioned_other_jobs(tracker, kb)
    if others and not mentioned:  # "how much do radiologists earn": not the nearest title's pay
        return [SlotSet("topic", topic)] + other_job_note(dispatcher, kb, others, occupation_buttons(kb), lang)
    jobs = [o for o in mentioned if o != kb.group().id]
    if not jobs and topic in RANKED_TOPICS and across_jobs(tracker, jobs):  # "which job pays most"
        from actions.compare import compare, question_text  # compare builds on this module's answers

        return [SlotSet("topic", "compare")] + compare(dispatcher, kb, [o.id for o in kb.featured()], [topic],
                                                       question_text(tracker), lang)
    occupation_id = mentioned[0] if mentioned else context_occupation(tracker, kb)
    events: List[Dict[Text, Any]] = [SlotSet("topic", topic), SlotSet("occupation", occupation_id)]
    shaped = shaped_answer(dispatcher, kb, tracker, topic, occupation_id, jobs, lang)
    if shaped is not None:
        return events + shaped

    if topic in GAPS:
        return events + answer_gap(dispatcher, kb, topic, occupation_id, lang)
    if occupation_id is None:
        if topic in GROUP_LEVEL:
            fact = kb.fact(kb.group().id, topic)
            if fact is not None:
                body = one_task(kb, fact, tracker, [], lang) + "\n\n" + phrase("answer.which_job", lang)
                return events + say(dispatcher, kb, body, [], occupation_buttons(kb), facts=[fact], language=lang)
        dispatcher.utter_message(text=phrase("answer.depends", lang, label=topic_label(topic, lang)),
                                 buttons=occupation_buttons(kb))
        return events + [SlotSet(REPLY_KIND_SLOT, CLARIFY)]
    field = field_named(tracker, kb) if intent_name(tracker) != "inform_occupation" else None
    intros = [field_intro(kb, *field, lang) if field and field[1] == occupation_id else None,
              good_job_intro(tracker, lang)]
    intro = "\n".join(i for i in intros if i) or None
    return events + answer_topic(dispatcher, kb, topic, occupation_id, lang, tracker, intro)


def answer_topic(dispatcher: CollectingDispatcher, kb: KnowledgeBase, topic: str,
                 occupation_id: str, lang: str, tracker: Optional[Tracker] = None,
                 intro: Optional[str] = None) -> List[Dict[Text, Any]]:
    """The fact for this occupation, or its parent's with a note saying whose it is.

    An overview also says what they do ("what's life like as a ..."), from the duties fact, whose
    owner is named the same way when it is another job's. `intro` comes first ("the sources don't judge").
    """
    occupation = kb.occupation(occupation_id)
    assert occupation is not None  # ids come from kb.resolve
    text = (tracker.latest_message or {}).get("text") if tracker is not None else None
    if topic in RADIATION_TOPICS and asks_if_radiation_is_used(text):
        answered = radiation_yes_no(dispatcher, kb, occupation, lang)
        if answered is not None:
            return answered
    fact = kb.find_fact(occupation_id, topic)
    if fact is None:
        return not_covered(dispatcher, kb, occupation, topic, lang)
    # One of the group's official tasks, asked about a job that borrows its duties from a parent (an MRI
    # technologist): the group's task, framed as the group's. A job's own duties stay its own (a
    # sonographer's radiation-dose question does not get the group's radiation task).
    task = None
    if topic == "duties" and tracker is not None:  # each list is searched once
        group_duties = kb.fact(kb.group().id, topic)
        mentions = message_mentions(tracker)
        if group_duties is not None and fact.occupation_id not in (occupation_id, group_duties.occupation_id):
            task = chosen_task(group_duties, text, [occupation_id], mentions)
            fact = group_duties if task is not None else fact
        task = task or chosen_task(fact, text, [occupation_id], mentions)
    body = task_text(task, fact, lang) if task is not None else fact.text
    if fact.occupation_id != occupation_id:
        body = borrowed_intro(kb, occupation, fact, lang) + "\n" + body
    used = [fact]
    if topic == "overview":
        duties = kb.find_fact(occupation_id, "duties")
        if duties is not None:
            whose = "" if duties.occupation_id in (fact.occupation_id, occupation_id) else \
                borrowed_intro(kb, occupation, duties, lang) + "\n"
            body += f"\n\n{phrase('answer.what_they_do', lang)}\n{whose}{duties.text}"
            used.append(duties)
    if topic == "salary":
        gap = kb.gap("salary_scope")
        if gap is not None:
            body += " " + gap.text
    if intro:
        body = f"{intro}\n{body}"
    return say(dispatcher, kb, body, [], facts=used, language=lang)


def radiation_yes_no(dispatcher: CollectingDispatcher, kb: KnowledgeBase,
                     occupation: OccupationInfo, lang: str) -> Optional[List[Dict[Text, Any]]]:
    """"Do sonographers use radiation?": "No, not as far as my sources say" with the job's own fact that says
    so, or "Yes" with its own radiation-protection fact. Any other job gets the ordinary safety answer,
    since the sources say neither (a borrowed fact is the parent's, not a yes for this job).
    """
    said = kb.no_radiation_fact(occupation.id)
    if said is not None:
        return say(dispatcher, kb, f"{phrase('answer.not_as_far', lang)} {said.text}", [], facts=[said],
                   language=lang)
    own = kb.fact(occupation.id, "safety")
    if own is not None and own.radiation == RADIATION_PROTECTION and occupation.id != kb.group().id:
        return say(dispatcher, kb, phrase("answer.yes", lang, text=own.text), [], facts=[own], language=lang)
    return None


def one_task(kb: KnowledgeBase, fact: FactInfo, tracker: Tracker, jobs: List[str], lang: str) -> str:
    """The fact's text; for a duties question about one item of its list, that item alone, introduced."""
    text = (tracker.latest_message or {}).get("text")
    task = chosen_task(fact, text, jobs, message_mentions(tracker)) if fact.topic == "duties" else None
    return task_text(task, fact, lang) if task is not None else fact.text


def chosen_task(fact: FactInfo, text: object, jobs: List[str], mentions: Any) -> Optional[Document]:
    """The item of `fact`'s numbered list that `text` asks about, found in the English list (the search's
    lemmas are English), whatever the language of `fact`; task_text shows it in the reply's language."""
    english = knowledge_base(EN)
    listed = english.fact(fact.occupation_id, fact.topic)
    return select_task(english, listed, text, jobs, mentions) if listed is not None else None


def task_text(task: Document, fact: FactInfo, lang: str) -> str:
    """One task of a list, with the list's own introduction, from `fact` (the list in the reply's language)."""
    shown = Document(task.occupation_id, task.topic, task.text, task.source_ids, fact, task.task)
    line = next((line.strip() for line in fact.text.splitlines() if line.strip().startswith(f"{task.task}.")),
                task.line)
    return phrase("answer.task", lang, intro=shown.intro, line=line)


def borrowed_intro(kb: KnowledgeBase, occupation: OccupationInfo, fact: FactInfo, lang: str) -> str:
    """Say plainly that the answer is about the broader occupation, not this title."""
    owner = kb.occupation(fact.occupation_id)
    assert owner is not None
    label = topic_label(fact.topic, lang)
    jobs = occupation.plural
    if fact.occupation_id != kb.group().id and kb.grouping_is_reading(occupation.id):
        return phrase("borrowed.reading", lang, label=label, jobs=jobs, owner=owner.plural)
    if fact.occupation_id != kb.group().id:
        return phrase("borrowed.parent", lang, label=label, jobs=jobs, Jobs=capitalised(jobs), owner=owner.plural)
    if fact.topic in GROUP_LEVEL:
        return phrase("borrowed.group", lang, label=label, jobs=jobs, owner=owner.plural)
    note = phrase("borrowed.none", lang, label=label, jobs=jobs)
    if set(occupation.source_ids) == {kb.source_for_role(CLASSIFICATION).id} and fact.topic in ("salary", "license"):
        gap = kb.gap("pakistan_rules")
        note += f" {gap.text}" if gap else ""
    return note + " " + phrase("borrowed.for_comparison", lang)


def not_covered(dispatcher: CollectingDispatcher, kb: KnowledgeBase, occupation: OccupationInfo,
                topic: str, lang: str) -> List[Dict[Text, Any]]:
    """The sources list this title but say nothing on the topic: say so, and cite what was checked."""
    label = topic_label(topic, lang)
    body = phrase("not_covered", lang, label=label, jobs=occupation.plural)
    parent = kb.occupation(occupation.parent_id) if occupation.parent_id else None
    withheld = any(kb.withheld(occupation.id, f) for a in kb.lineage(occupation.id)[1:] if (f := kb.fact(a, topic)))
    if (topic in occupation.not_borrowed or withheld) and parent is not None:
        body += " " + phrase("not_covered.no_carry", lang, label=label, parent=parent.plural, jobs=occupation.plural)
    if set(occupation.source_ids) == {kb.source_for_role(CLASSIFICATION).id}:
        body += " " + phrase("not_covered.only_listed", lang, name=occupation.name)
    if topic in ("salary", "license") and set(occupation.source_ids) == {kb.source_for_role(CLASSIFICATION).id}:
        gap = kb.gap("pakistan_rules")
        if gap is not None:
            body += " " + gap.text
    body += " " + phrase("not_covered.counsellor", lang)
    return say(dispatcher, kb, body, list(occupation.source_ids), label=CHECKED, language=lang)


def other_job_note(dispatcher: CollectingDispatcher, kb: KnowledgeBase, others: List[OtherJobInfo],
                   buttons: Optional[List[Dict[str, str]]], lang: str) -> List[Dict[Text, Any]]:
    """Say that a job is outside the group, and what the sources say of it, before anything else."""
    body = " ".join(job.note for job in others)
    sources = [s for job in others for s in job.source_ids]
    if len(others) == 1 and others[0].could_be:  # "medical technician": ask which one, a button each, no guess
        choices = []
        for meant in others[0].could_be:
            occupation, other = kb.occupation(meant), kb.other_job(meant)
            if occupation is not None:
                choices += occupation_buttons(kb, [meant])
            elif other is not None:
                choices.append({"title": capitalised(other.name),
                                "payload": f'/ask_overview{{"other_job": "{other.id}"}}'})
        return say(dispatcher, kb, body + " " + phrase("other_job.which", lang), sources, buttons=choices,
                   kind=CLARIFY, language=lang)
    if buttons:
        body += " " + phrase("other_job.offer", lang)
    return say(dispatcher, kb, body, sources, buttons=buttons, kind=OUTSIDE, language=lang)


def answer_gap(dispatcher: CollectingDispatcher, kb: KnowledgeBase, topic: str,
               occupation_id: Optional[str], lang: str) -> List[Dict[Text, Any]]:
    """A question the sources cannot answer: say so, never guess; add what they do say."""
    gap = kb.gap(topic)
    body = gap.text if gap else phrase("gap.fallback", lang)
    sources = kb.all_sources()
    used: List[FactInfo] = []
    for related in (gap.related if gap else ()):
        if related == "education" and occupation_id is not None:
            fact = kb.find_fact(occupation_id, related)
            if fact is not None and fact.occupation_id == occupation_id:
                body += "\n" + phrase("gap.they_do_say", lang, text=fact.text)
                sources, used = [], [fact]
    body += "\n" + phrase("counsellor.up_to_date", lang)
    buttons = [{"title": phrase("suggest.ask_counsellor", lang), "payload": "/ask_counsellor"}]
    return say(dispatcher, kb, body, sources, buttons, label=CHECKED, facts=used, language=lang)
