"""Every answer the actions can give says only what the knowledge base says, with its source.

All occupations x all topics, every comparison pair, the titles and the sources are generated.
Each sentence must be a knowledge-base text or one of the framing sentences listed here (which
carry no facts, their blanks filled only with the knowledge base's names and values); every number
must be a knowledge-base figure or appear in a cited text; every "... states" rule must be a
source's; every salary must carry its year, its scope and "median". A topic answer about one job
is checked against that job's facts too (check_job): another job's fact, an ancestor's fact under
the wrong "come under", or a missing citation of a fact used fails.
"""

from __future__ import annotations

import itertools
import re
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

import pytest

from actions.answers import NOT_AS_FAR, ActionAnswer
from actions.compare import NOT_GIVEN, ActionCompare
from actions.context import capitalised
from actions.sources import ActionSources
from actions.support import ActionFallback
from actions.titles import ActionTitles
from knowledge.build import GAP_TOPICS
from knowledge.query import FactInfo, FigureInfo, KnowledgeBase, OccupationInfo
from knowledge.vocabulary import (
    CAREER_ARTICLE,
    CLASSIFICATION,
    NO_RADIATION,
    RADIATION_PROTECTION,
    TOPIC_BY_INTENT,
    TOPIC_LABELS,
)
from tests.unit.trackers import make_tracker, named, occupation, run_action

# Sentences that frame an answer but state no fact of their own. The placeholders are filled
# from the knowledge base with exact alternatives (framing()), so no pattern lets a claim through:
# {NAME} a job's name or plural, {NAMES} a list of them, {GROUP} the group's plural, {LABEL} a topic's
# label, {LABELS} a list of them, {TITLES} titles as the classification spells them,
# {PAY}/{LICENCE}/{EDUCATION} a comparison row's values, {KIND} what a figure is (statistic, unit,
# scope, year: one figure's own), {PAYKIND} a figure with its kind, {STAT} a figure's statistic,
# {LISTINTRO} what a list fact says before its items ("The group's ... lists eight tasks").
# A comparison's claims that framing alone cannot prove (whose pay is highest, which jobs the
# sources describe) are checked against the knowledge base by check_compare.
FRAMING = [
    r"The sources don't (cover|give) {LABEL} for {NAME}( specifically)?\.",
    r"{NAME} come under {NAME}, so this is about {NAME}:",
    r"They list {NAME} in group 3211 and say no more\.",
    r"I take them as {NAME}: that is my reading of the title, not the sources'\.",
    r"So this is about {NAME}:",
    r"What they say about the {LABEL} of {NAME} doesn't carry over to {NAME}\.",
    r"I take it as a kind of {NAME}: that is my reading of the title, not the sources'\.",
    r"What they do:",
    r"They belong to group 3211 \({GROUP}\), and this is what the sources say about the whole group:",
    r"For comparison, this is what they say about other jobs in the group:",
    r"The sources don't say anything about the {LABEL} of {NAME}\.",
    r"They only list {NAME} as one of the job titles in group 3211\.",
    r"Your school counsellor (may be able to help you find out more|can help you find information that is up to "
    r"date)\.",
    r"Which job would you like to know more about\?",
    r"Would you like to hear about one of the jobs that is in the group\?",
    r"It depends on the job\.",
    r"Which one do you mean\?",
    r"\(I'll tell you about its {LABEL}\.\)",
    r"My sources don't cover that\.",
    r"{NAME}( vs {NAME})+:",
    r"• Pay \({KIND}\): {PAY}( vs {PAY})*",
    r"• Pay: {PAYKIND}( vs {PAYKIND})*",
    r"• Licence( \({SCOPE}\))?: {LICENCE}( vs {LICENCE})*",
    r"• Education: {EDUCATION}( vs {EDUCATION})*",
    r"• {NAME}:( not given)?",
    r"Of (these|those the sources give figures for), {NAMES} have the (highest|lowest) {STAT} pay \({PAY}\)\.",
    r"The sources give {LABELS} only for {NAMES}\.",
    r"{NAMES} are not among them\.",
    r"The sources give no {LABELS} for {NAME}( or {NAME})*\.",
    r"Yes\.",
    r"{NAME} belongs to group 3211, {GROUP}\.",
    r"Pakistan's classification lists it as {TITLES}\.",
    r"It comes under {NAME}\.",
    r"Group 3211 \({GROUP}\) includes:",
    r"• The jobs the career article describes: {NAMES}\.",
    r"• Other titles in the classification: {NAMES}\.",
    r"A job that isn't on this list isn't part of group 3211 in this classification\.",
    r"That answer comes from:",
    r"I haven't answered a question yet\.",
    r"Everything I say comes from these sources:",
    r"• “{SOURCE}”(, by {AUTHOR})?, {PUBLISHED} \({SCOPE}(, figures for {YEAR})?\)\.",
    r"My information on {LABEL} comes from:",
    r"{HOLDER} says it got some or all of that from {CREDIT}\.",
    r"{HOLDER} credits some of its facts to {CREDIT}\.",
    r"They are about {LABELS}\.",
    r"“{SOURCE}” is by {AUTHOR} \({PUBLISHER}\)\.",
    r"“{SOURCE}” names no author; it is published by {PUBLISHER}\.",
    r"“{SOURCE}” doesn't say when it was published, so I don't know\.",
    r"Its figures are for {YEAR}\.",
    # the form of the question (actions/forms.py): what the sources don't say, and where they are silent
    r"Which one did you mean\?",
    r"My sources don't name the states\.",
    r"They only say a licence is needed in {STATESFOR}(; {STATESFOR})*\.",
    r"Your state's own rules, or your school counsellor, can tell you which states those are\.",
    r"My sources don't give pay for single states, so they can't say which state pays best\.",
    r"They give one figure for the whole United States for each job they describe\.",
    r"My sources don't cover (the )?[A-Z][\w. ]*\.",
    r"The career article's pay figures and licence rules are for the United States, and Pakistan's "
    r"classification lists job titles and tasks only\.",
    r"Your school counsellor can help you find the rules and pay where you want to work\.",
    r"My sources don't give any radiation dose or safe limit\.",
    r"My sources say little about who is in charge\.",
    r"They don't say who supervises ({NAME}|each job) day to day\.",
    r"My sources don't say whether it's a good job: that depends on what you want from work, and your school "
    r"counsellor can help you weigh it up\.",
    r"Here is what they do say:",
    r"{FIELD} is a field of work, not one job\.",
    r"In my sources, the group's job in it is {NAME}, so this is about them:",
    r"In my sources, the group's jobs in it are {NAMES}\.",
    r"This is about {NAME}:",
    r"Of these, {NAMES} need a licence in the (most|fewest) states \(“(most|some|only a few)” states, in the "
    r"article's words\)\.",
    r"The sources can't rank all of these: they don't say how many states want a licence for each\.",
    r"The sources can't rank these jobs by how much schooling they need: they don't give each one's training "
    r"in the same terms\.",
    # "do sonographers use radiation?": only before the job's own fact that says so (check_job checks)
    re.escape(NOT_AS_FAR),
    # one item of a list fact (the group's tasks), for a duties question or the fallback's search
    r"{LISTINTRO}; this is the one (you asked about|closest to your question):",
    # the fallback: the search's closest fact, else suggestions
    r"Here is the closest thing my sources say( about {NAME})?:",
    r"If you meant something else, try one of these:",
    r"Sorry, I'm not sure what you mean\.",
    r"Did you mean one of these\?",
]


def kind(figure: FigureInfo) -> str:
    """What a figure is, as a comparison's pay row states it: statistic, unit, scope, year."""
    return f"{figure.statistic}, {figure.unit}, {figure.scope}, {figure.year}"


def items(fact: FactInfo) -> List[str]:
    """The numbered items of a list fact ("6. Measure ..."), which an answer may give one at a time."""
    found = [line.strip() for line in fact.text.splitlines() if re.match(r"\s*\d+\. ", line)]
    return found if len(found) >= 2 else []


def list_intro(fact: FactInfo) -> str:
    """What a list fact says before its items, without the colon."""
    return " ".join(line.strip() for line in fact.text.splitlines()
                    if line.strip() and line.strip() not in items(fact)).rstrip(":")


def _any(values: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(v) for v in sorted(set(values), key=len, reverse=True)) + ")"


def name_pattern(kb: KnowledgeBase) -> str:
    """Any job's name or plural, as the knowledge base spells it (capitalised or not)."""
    names = [n for o in kb.occupations() for n in (o.name, o.plural)]
    return _any(names + [capitalised(n) for n in names])


def framing(kb: KnowledgeBase) -> List["re.Pattern[str]"]:
    """FRAMING with its placeholders filled from the knowledge base."""
    name = name_pattern(kb)
    sources = kb.sources(kb.all_sources())
    facts = kb.facts()
    figures = [f for fact in facts for f in fact.figures]
    label = _any(TOPIC_LABELS.values())
    fill = {
        "NAME": name, "NAMES": f"{name}(?:(?:, | and |, and ){name})*", "LABEL": label,
        "LABELS": f"{label}(?:(?:, | and ){label})*", "GROUP": re.escape(kb.group().plural),
        "KIND": _any(kind(f) for f in figures), "STAT": _any(f.statistic for f in figures),
        "PAYKIND": _any([f"${f.value:,} ({kind(f)})" for f in figures] + [NOT_GIVEN]),
        "TITLES": f"“{_any(t for o in kb.occupations() for t in o.source_titles)}”(?:; “"
                  f"{_any(t for o in kb.occupations() for t in o.source_titles)}”)*",
        "YEAR": _any([str(f.year) for f in figures] + [str(s.figures_year) for s in sources if s.figures_year]),
        "LISTINTRO": _any(list_intro(f) for f in facts if items(f)) if any(items(f) for f in facts) else "(?!)",
        "PAY": _any([f"${f.value:,}" for f in figures] + [NOT_GIVEN]),
        "LICENCE": _any([f"needed in {f.states} states" for f in facts if f.states] + [NOT_GIVEN]),
        "EDUCATION": _any([f.brief for f in facts if f.brief] + [NOT_GIVEN]),
        "SOURCE": _any(s.title for s in sources), "AUTHOR": _any(s.author for s in sources if s.author),
        "PUBLISHED": _any(s.published_in for s in sources), "SCOPE": _any(s.scope for s in sources),
        "PUBLISHER": _any(s.publisher for s in sources), "HOLDER": "(?:The article|The classification)",
        "STATESFOR": f"(?:most|some|only a few) states for {name}",
        "FIELD": _any(capitalised(w) for w in kb.field_words()),
        "CREDIT": _any(f"{c.name} ({c.short})" if c.short else c.name for c in kb.all_credits()) or "(?!)",
    }
    return [re.compile(re.sub(r"\{([A-Z]+)\}", lambda m: fill[m.group(1)], p)) for p in FRAMING]


NUMBER = re.compile(r"\$?\d[\d,]*")
STATES = re.compile(r"(most|only a few|some) states")
ALSO = "What they do say: "
# Words that introduce a knowledge-base text, which is then checked on its own.
PREFIXES = re.compile(r"^(?:What they do say(?: on safety(?: about [^:]+)?)?: |Their description of the whole group "
                      r"says: )")


def notes(kb: KnowledgeBase) -> List[str]:
    """The texts that belong to no job: what the sources don't say, and the notes on outside jobs."""
    return [gap.text for topic in GAP_TOPICS if (gap := kb.gap(topic))] + [job.note for job in kb.other_jobs()]


def kb_texts(kb: KnowledgeBase) -> List[str]:
    return [fact.text for fact in kb.facts()] + notes(kb)


def sentences(body: str) -> Iterator[str]:
    for line in body.splitlines():
        line = line.strip()
        if line:
            for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z•(])", line):
                # "What they do say: <a fact>" frames a knowledge-base text, which is checked on its own.
                yield PREFIXES.sub("", sentence.strip())


def allowed_numbers(kb: KnowledgeBase) -> Set[str]:
    numbers = {f"${fig.value:,}" for fact in kb.facts() for fig in fact.figures}
    numbers |= {str(fig.year) for fact in kb.facts() for fig in fact.figures}
    sources = kb.sources(kb.all_sources())
    for text in kb_texts(kb) + [f"{s.citation} {s.title} {s.published_in} {s.scope}" for s in sources]:
        numbers |= set(NUMBER.findall(text))
    return numbers


def check(kb: KnowledgeBase, text: str, cited: List[str]) -> None:
    body, _, source_line = text.rpartition("\n\n")
    if not body:
        body, source_line = text, ""
    texts = kb_texts(kb)
    patterns = framing(kb)
    # "• Sonographer: <its fact>" names whose words follow; check_compare checks that they are its own.
    bullet = re.compile(rf"^• {name_pattern(kb)}: (?!{NOT_GIVEN}$)")
    for sentence in sentences(body):
        sentence = bullet.sub("", sentence, count=1)
        in_kb = any(sentence.rstrip(":") in t or sentence in t for t in texts)
        framed = any(pattern.fullmatch(sentence) for pattern in patterns)
        numbered = re.fullmatch(r"\d\. .+", sentence) and any(sentence[3:] in t for t in texts)
        assert in_kb or framed or numbered, f"unsupported sentence: {sentence!r}\n in: {text}"
    numbers = allowed_numbers(kb)
    for number in NUMBER.findall(body):
        assert number.rstrip(",") in numbers or re.fullmatch(r"[1-8]", number), f"invented number {number}: {text}"
    for rule in STATES.findall(body):
        assert any(f"{rule} states" in t for t in texts), text
    figures = [f for fact in kb.facts() for f in fact.figures]
    for value in re.findall(r"\$[\d,]*\d", body):  # a pay figure always carries its year, scope and statistic
        kinds = [f for f in figures if f"${f.value:,}" == value]
        assert any(str(f.year) in text and f.scope in text and f.statistic in text.lower() for f in kinds), (
            f"{value} without its year, scope and statistic: {text}")
    for source in kb.sources(cited):
        assert source.citation in source_line, f"missing citation {source.id}: {text}"


def facts_in(kb: KnowledgeBase, body: str) -> List[FactInfo]:
    """The facts an answer's body states (whole, or one item of a list), less those inside another one's text."""
    found = [f for f in kb.facts() if f.text in body or any(item in body for item in items(f))]
    return [f for f in found if not any(f is not g and f.text in g.text for g in found)]


def check_source_line(kb: KnowledgeBase, text: str, used: List[FactInfo], shown: Optional[List[str]] = None,
                      exact: bool = True) -> None:
    """The source line is built from the facts used: each one's sources, and "citing <credit>" exactly when
    a fact used carries that attribution (the BLS for pay, never for duties). `exact`: no other source is
    cited (an answer that names jobs without facts also cites what was checked). `shown`, the slot, holds
    the same sources and credits, for "where is that from?"."""
    line = text.rpartition("\n\n")[2] if "\n\n" in text else ""
    sources = {s for f in used for s in f.source_ids}
    named = {s.id for s in kb.sources(kb.all_sources()) if s.citation in line}
    assert sources <= named, f"missing citation of {sorted(sources - named)}: {text}"
    if used and exact:
        assert named == sources, f"cites {sorted(named - sources)}, which no fact used is from: {text}"
    credits = {c for f in used for c in f.attribution}
    for credit in kb.all_credits():
        assert (f"citing {credit.name}" in line) == (credit.id in credits), (
            f"'citing {credit.name}' {'missing' if credit.id in credits else 'without a fact credited to it'}: {text}")
    if shown is not None and used:
        assert sources | credits <= set(shown) and set(shown) <= named | credits | set(kb.all_sources()), (shown, text)


def check_job(kb: KnowledgeBase, text: str, job: str) -> None:
    """A topic answer about one job: only that job's facts, or an ancestor's introduced as such.

    Each knowledge-base fact in the answer (or one item of a list fact: one of the group's tasks)
    must belong to `job` or to an occupation it comes under; an ancestor's fact needs the
    introduction that names that ancestor. Numbers and
    "... states" rules are checked against these facts only, and the citations expected are
    those of the facts used, not what the action put in its slot.
    """
    body = text.rpartition("\n\n")[0] or text
    lineage = kb.lineage(job)
    used = [f for f in kb.facts() if f.text in body or any(item in body for item in items(f))]
    for fact in used:
        assert fact.occupation_id in lineage, f"a fact of {fact.occupation_id} in an answer about {job}: {text}"
        if fact.occupation_id != job:
            owner, about = kb.occupation(fact.occupation_id), kb.occupation(job)
            assert owner is not None and about is not None
            under = f"come under {owner.plural}, so this is about {owner.plural}:"
            reading = (f"I take them as {owner.plural}: that is my reading of the title, not the sources'. "
                       "So this is about")
            if kb.grouping_is_reading(job):  # no source files it there: the answer must say it is a reading
                assert under not in body, f"{job} 'comes under' {owner.id}, which no source says: {text}"
            is_reading = kb.grouping_is_reading(job)
            assert ((under in body and not is_reading) or (reading in body and is_reading)
                    or f"({owner.plural})" in body or "other jobs in the group" in body), (
                f"{fact.occupation_id}'s fact without saying that {job} comes under it: {text}")
    own = " ".join([f.text for f in used] + notes(kb))
    group_code = NUMBER.findall(kb.source_for_role(CLASSIFICATION).title)  # "group 3211" names the group
    for number in NUMBER.findall(body):
        assert number.rstrip(",") in own or number in group_code or re.fullmatch(r"[1-8]", number), (
            f"number {number} is not in the facts of {job}: {text}")
    for rule in STATES.findall(body):
        assert any(f"{rule} states" in f.text for f in used), f"'{rule} states' is not {job}'s rule: {text}"
    for source in kb.sources([s for f in used for s in f.source_ids]):
        assert source.citation in text.rpartition("\n\n")[2], f"missing citation {source.id}: {text}"
    check_source_line(kb, text, facts_in(kb, body))
    if NOT_AS_FAR in body:  # "No" to "do they use radiation": only with the job's own fact that says so
        said = next((f for f in used if f.occupation_id == job and f.radiation == NO_RADIATION), None)
        assert said is not None and f"{NOT_AS_FAR} {said.text}" in body, f"an unfounded no: {text}"
    if body.startswith("Yes. "):
        assert any(body.startswith(f"Yes. {f.text}") and f.occupation_id == job and f.radiation == RADIATION_PROTECTION
                   for f in used), f"an unfounded yes: {text}"


def own_fact(kb: KnowledgeBase, job: OccupationInfo, topic: str) -> Optional[FactInfo]:
    """A job's own fact on a topic; for pay, only where the job has its own figure."""
    fact = kb.fact(job.id, topic)
    return fact if topic != "salary" or kb.figure(job.id) is not None else None


def _names(text: str, split: str, by_plural: Dict[str, OccupationInfo]) -> List[OccupationInfo]:
    parts = re.split(split, text)
    assert all(p in by_plural for p in parts), f"not a job's plural in {text!r}"
    return [by_plural[p] for p in parts]


def check_compare(kb: KnowledgeBase, text: str) -> None:
    """A comparison: every value and every job's words stand under the right job, and the claims that
    framing alone cannot prove (whose pay is highest or lowest, which jobs the sources describe) are
    worked out again from the knowledge base. Only each job's own facts count, as the action promises.
    """
    body, _, source_line = text.rpartition("\n\n")
    lines = body.splitlines()
    by_name = {capitalised(o.name): o for o in kb.occupations()}
    by_plural = {o.plural: o for o in kb.occupations()}
    header = lines[0].removesuffix(":").split(" vs ")
    assert lines[0].endswith(":") and all(n in by_name for n in header), f"not a comparison: {text}"
    jobs = [by_name[n] for n in header]
    used: List[FactInfo] = []
    segments: List[Tuple[Optional[OccupationInfo], List[str]]] = [(None, [])]
    not_given: Set[str] = set()
    lacking: Set[str] = set()
    bullet = re.compile(rf"• ({name_pattern(kb)}):(?: (.*))?")
    for line in lines[1:]:
        row = re.fullmatch(r"• (Pay|Licence|Education)(?: \((.*?)\))?: (.*)", line)
        named = bullet.fullmatch(line)
        if row:
            segments.append((None, []))
            values = row.group(3).split(" vs ")
            assert len(values) == len(jobs), line
            for job, value in zip(jobs, values, strict=True):
                topic = {"Pay": "salary", "Licence": "license", "Education": "education"}[row.group(1)]
                fact, figure = own_fact(kb, job, topic), kb.figure(job.id)
                if row.group(1) == "Pay" and figure is not None:
                    expected = f"${figure.value:,}" if row.group(2) else f"${figure.value:,} ({kind(figure)})"
                    assert row.group(2) in (None, kind(figure)), f"{job.id}'s figure is not {row.group(2)}: {text}"
                elif row.group(1) == "Licence" and fact is not None and fact.states:
                    expected = f"needed in {fact.states} states"
                    scopes = {s.scope for s in kb.sources(fact.source_ids)}
                    assert row.group(2) in scopes, f"licence rules of {scopes}, not {row.group(2)}: {text}"
                elif row.group(1) == "Education" and fact is not None and fact.brief:
                    expected = fact.brief
                else:
                    expected, fact = NOT_GIVEN, None
                    not_given.add(job.plural)
                assert value == expected, f"{job.id}: {value!r} where the knowledge base says {expected!r}: {text}"
                used += [fact] if fact is not None else []
        elif named and named.group(1) in by_name:
            assert by_name[named.group(1)] in jobs, f"{named.group(1)} is not one of the jobs compared: {text}"
            segments.append((by_name[named.group(1)], [named.group(2) or ""]))
            if named.group(2) == NOT_GIVEN:
                not_given.add(by_name[named.group(1)].plural)
        else:
            segments[-1][1].append(line)
        extreme = re.fullmatch(r"Of (these|those the sources give figures for), (.+) have the (highest|lowest) "
                               r"(\w+) pay \(\$([\d,]+)\)\.", line)
        if extreme:
            figures = {job.id: f for job in jobs if (f := kb.figure(job.id)) is not None}
            best = (max if extreme.group(3) == "highest" else min)(f.value for f in figures.values())
            claimed = {o.id for o in _names(extreme.group(2), r", | and ", by_plural)}
            assert claimed == {i for i, f in figures.items() if f.value == best}, f"wrong {extreme.group(3)}: {text}"
            assert extreme.group(5) == f"{best:,}" and {f.statistic for f in figures.values()} == {extreme.group(4)}
            assert (extreme.group(1) == "these") == (len(figures) == len(jobs)), text
        only = (re.fullmatch(r"The sources give (.+?) only for (.+)\. (.+) are not among them\.", line)
                or re.fullmatch(r"The sources give no (.+?)() for (.+)\.", line))
        if only:
            topics = [t for label in re.split(r", | and ", only.group(1))
                      for t, name in TOPIC_LABELS.items() if name == label]
            described = {o.plural for o in _names(only.group(2), r", | and ", by_plural)} if only.group(2) else set()
            without = _names(only.group(3), r", | and | or ", {**by_plural, **{capitalised(p): o for p, o in
                                                                     by_plural.items()}})
            for topic in topics:
                assert described == {o.plural for o in kb.occupations()
                                     if o.id != kb.group().id and own_fact(kb, o, topic)}, f"{topic}: {text}"
                assert all(o in jobs and own_fact(kb, o, topic) is None for o in without), f"{topic}: {text}"
            lacking |= {o.plural for o in without}
    for fact in kb.facts():
        if fact.text in body:
            owners = [job for job, segment in segments if fact.text in "\n".join(segment)]
            assert owners and all(job is not None and job.id == fact.occupation_id for job in owners), (
                f"{fact.occupation_id}'s {fact.topic} is not under its own name: {text}")
            used.append(fact)
    assert not_given <= lacking, f"'{NOT_GIVEN}' without saying which jobs the sources describe: {text}"
    for source in kb.sources([s for fact in used for s in fact.source_ids]):
        assert source.citation in source_line, f"missing citation {source.id}: {text}"
    check_source_line(kb, text, used, exact=not lacking)


def topic_cases(kb: KnowledgeBase) -> Iterator[Tuple[str, str]]:
    ids = [o.id for o in kb.occupations()]
    yield from itertools.product(ids, [*TOPIC_BY_INTENT, "inform_occupation"])


async def test_every_topic_answer_is_faithful(kb: KnowledgeBase) -> None:
    count = 0
    for occupation_id, intent in topic_cases(kb):
        slots = {"topic": "salary"} if intent == "inform_occupation" else {}
        messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(occupation_id)],
                                                                            slots=slots))
        text = "\n".join(m["text"] for m in messages)
        check(kb, text, set_slots.get("sources_shown") or [])
        check_job(kb, text, occupation_id)
        check_source_line(kb, text, facts_in(kb, text.rpartition("\n\n")[0]), set_slots.get("sources_shown"))
        count += 1
    assert count == len(kb.occupations()) * (len(TOPIC_BY_INTENT) + 1)


@pytest.mark.parametrize("intent", list(TOPIC_BY_INTENT))
async def test_answers_without_an_occupation_are_faithful(kb: KnowledgeBase, intent: str) -> None:
    messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent))
    text = "\n".join(m["text"] for m in messages)
    check(kb, text, set_slots.get("sources_shown") or [])
    check_source_line(kb, text, facts_in(kb, text.rpartition("\n\n")[0]), set_slots.get("sources_shown"))


# One question per kind of comparison: no topic, each topic, the difference, and pay's extremes.
QUESTIONS = ["", "which is better", "what's the difference", "who earns the most", "whose pay is lowest",
             "which needs the shortest training", "is licensing stricter", "compare their duties",
             "which is safer", "what equipment do they use", "which industry pays best", "can they specialise",
             "compare pay and licensing"]


async def test_every_comparison_is_faithful(kb: KnowledgeBase) -> None:
    """Every pair of jobs, and the featured jobs, with each kind of question."""
    ids = [o.id for o in kb.occupations() if o.id != kb.group().id]
    for pair, question in itertools.product([*itertools.combinations(ids, 2), ()], QUESTIONS):
        messages, set_slots = await run_action(ActionCompare(), make_tracker(
            "compare_occupations", [occupation(i) for i in pair], text=question))
        text = "\n".join(m["text"] for m in messages)
        check(kb, text, set_slots.get("sources_shown") or [])
        check_compare(kb, text)


async def test_answers_about_jobs_outside_the_group_are_faithful(kb: KnowledgeBase) -> None:
    """Every topic and every comparison that names a job outside the group, message by message."""
    assert kb.other_jobs(), "knowledge/other_jobs.yml lists none"
    for job in kb.other_jobs():
        other = {"entity": "other_job", "value": job.id, "text": job.name}
        for intent in [*TOPIC_BY_INTENT, "inform_occupation"]:
            messages, set_slots = await run_action(ActionAnswer(), make_tracker(intent, [other]))
            question = " Which one did you mean?" if job.could_be else \
                " Would you like to hear about one of the jobs that is in the group?"
            assert [m["text"].split("\n\n")[0] for m in messages] == [job.note + question]
            check(kb, messages[0]["text"], set_slots["sources_shown"])
        for occupation_id in [o.id for o in kb.occupations() if o.id != kb.group().id]:
            messages, set_slots = await run_action(ActionCompare(), make_tracker(
                "compare_occupations", [occupation(occupation_id), other]))
            assert messages[0]["text"].startswith(job.note) and len(messages) == 2
            check(kb, messages[0]["text"], list(job.source_ids))
            check(kb, messages[1]["text"], set_slots["sources_shown"])  # the named job's overview


FORM_QUESTIONS = {  # a question of each form (actions/forms.py), with the intents it may be read as
    "which states are those": ["ask_license", "ask_salary", "ask_source"],
    "which state pays best": ["ask_salary", "ask_best_paying"],
    "do i need a licence in canada": ["ask_license", "inform_occupation"],
    "how much do they earn in the uk": ["ask_salary"],
    "what about licences in pakistan": ["ask_license", "ask_salary"],
    "what is a safe yearly dose": ["ask_safety"],
    "who supervises them": ["ask_duties", "ask_overview"],
    "is it a good job": ["ask_overview", "ask_salary"],
    "which job pays the most": ["ask_salary", "ask_titles"],
    "which one needs a licence in the fewest states": ["ask_license", "ask_titles"],
    "which needs the most schooling": ["ask_education", "ask_titles"],
    "what do your sources say about licensing": ["ask_source"],
}


async def test_answers_to_each_form_of_question_are_faithful(kb: KnowledgeBase) -> None:
    """Every form, for every job and none, as each intent it may be read as: every sentence is supported."""
    actions = {"ask_titles": ActionTitles(), "ask_source": ActionSources()}
    for (question, intents), job in itertools.product(FORM_QUESTIONS.items(), [None, *kb.occupations()]):
        for intent in intents:
            slots = {"occupation": job.id, "topic": "license"} if job else {"topic": "license"}
            tracker = make_tracker(intent, text=question, slots=slots)
            messages, set_slots = await run_action(actions.get(intent, ActionAnswer()), tracker)
            assert messages, (question, intent, job)
            for message in messages:
                check(kb, message["text"], set_slots.get("sources_shown") or [])


async def test_a_field_word_is_answered_as_a_field(kb: KnowledgeBase) -> None:
    """"how much does radiology pay": the group's jobs in that field, and whose facts follow."""
    for word in kb.field_words():
        job = kb.field(word)
        text = f"how much does {word} pay"
        entity = {**occupation(job, word), "start": text.index(word), "end": text.index(word) + len(word)}
        messages, set_slots = await run_action(ActionAnswer(), make_tracker("ask_salary", [entity], text=text))
        reply = messages[0]["text"]
        assert reply.startswith(f"{capitalised(word)} is a field of work, not one job."), reply
        assert all(o.plural in reply for o in kb.in_field(job)), reply
        check(kb, reply, set_slots["sources_shown"])


async def test_titles_and_sources_are_faithful(kb: KnowledgeBase) -> None:
    for occupation_id in [None] + [o.id for o in kb.occupations()]:
        entities = [occupation(occupation_id)] if occupation_id else []
        messages, set_slots = await run_action(ActionTitles(), make_tracker("ask_titles", entities))
        check(kb, "\n".join(m["text"] for m in messages), set_slots.get("sources_shown") or [])
    classification, article = kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id
    for shown in ([], [classification], [article, classification]):
        messages, _ = await run_action(ActionSources(), make_tracker("ask_source", slots={"sources_shown": shown}))
        check(kb, "\n".join(m["text"] for m in messages), [])


def paid_jobs(kb: KnowledgeBase) -> List[Tuple[OccupationInfo, FigureInfo]]:
    """The jobs with their own pay figure, lowest first."""
    found = [(o, f) for o in kb.occupations() if (f := kb.figure(o.id)) is not None]
    assert len(found) >= 2, "the knowledge base has fewer than two pay figures to compare"
    return sorted(found, key=lambda pair: pair[1].value)


def test_the_check_catches_an_invented_claim_inside_a_framing_sentence(kb: KnowledgeBase) -> None:
    """Framing patterns are filled with the knowledge base's names and labels, never "any text"."""
    job, figure = paid_jobs(kb)[0]
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, f"The sources don't give pay for mammographers. {figure.year} US median: $80,000.", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "The sources don't give pay for mammographers, who earn more than surgeons.", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Sonographers come under doctors, so this is about doctors:", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Sonographers usually work 40 hours a week.", [])
    with pytest.raises(AssertionError):
        check(kb, f"{capitalised(job.plural)} earn ${figure.value:,}.", [])  # no year, scope or statistic


async def answer(kb: KnowledgeBase, intent: str, job: str) -> str:
    messages, _ = await run_action(ActionAnswer(), make_tracker(intent, [occupation(job)]))
    return "\n".join(m["text"] for m in messages)


async def test_the_job_check_catches_two_jobs_facts_swapped(kb: KnowledgeBase) -> None:
    (theirs_job, _), (our_job, _) = paid_jobs(kb)[:2]
    text = await answer(kb, "ask_salary", our_job.id)
    check_job(kb, text, our_job.id)
    theirs, ours = kb.fact(theirs_job.id, "salary"), kb.fact(our_job.id, "salary")
    assert theirs is not None and ours is not None
    swapped = text.replace(ours.text, theirs.text)
    check(kb, swapped, list(theirs.source_ids))  # the old, job-blind check lets it through
    with pytest.raises(AssertionError, match=f"a fact of {theirs_job.id} in an answer about {our_job.id}"):
        check_job(kb, swapped, our_job.id)


async def test_the_job_check_catches_a_borrowed_fact_under_the_wrong_parent(kb: KnowledgeBase) -> None:
    group = kb.group().id
    job = next(o for o in kb.occupations() if o.parent_id not in (None, group)
               and kb.fact(o.id, "salary") is None and kb.figure(o.parent_id or "") is not None)
    parent = kb.occupation(job.parent_id or "")
    other = next(o for o, _ in paid_jobs(kb) if o.id != job.parent_id)
    borrowed = kb.fact(job.parent_id or "", "salary")
    assert parent is not None and borrowed is not None
    text = await answer(kb, "ask_salary", job.id)
    check_job(kb, text, job.id)
    assert f"come under {parent.plural}" in text
    wrong = text.replace(f"{parent.plural}, so this is about {parent.plural}",
                         f"{other.plural}, so this is about {other.plural}")
    check(kb, wrong, list(borrowed.source_ids))  # every sentence is framing or a knowledge-base text
    with pytest.raises(AssertionError, match=f"without saying that {job.id} comes under it"):
        check_job(kb, wrong, job.id)


async def test_the_job_check_wants_the_citations_of_the_facts_used(kb: KnowledgeBase) -> None:
    job = kb.featured()[0].id
    text = await answer(kb, "ask_duties", job)
    body = text.rpartition("\n\n")[0]
    with pytest.raises(AssertionError, match="missing citation"):
        check_job(kb, body + "\n\nSource: somewhere else.", job)


# Duties questions about one of the group's tasks: a word of the task that must be chosen, and the question.
TASK_QUESTIONS = {
    "supervise": "do they supervise the x-ray machines",
    "position": "do they position the patient",
    "settings": "do they adjust the machine settings",
    "diagnosis": "do they check the image quality",
    "unusual": "do they watch patients for reactions",
    "dose": "do they measure the radiation doses",
    "track": "do they give radioactive drugs",
    "throw away": "how do they store radioactive material",
}


async def test_answers_about_one_task_are_faithful(kb: KnowledgeBase) -> None:
    """A duties question about one task gets that item of the group's list alone, framed and cited like the list,
    with no job and for every job that borrows the group's duties."""
    group = next(o for o in kb.occupations() if o.parent_id is None)
    tasks = kb.fact(group.id, "duties")
    assert tasks is not None and items(tasks), "the group's duties are not a numbered list"
    borrowers = [o.id for o in kb.occupations() if kb.find_fact(o.id, "duties") == tasks]
    for word, question in TASK_QUESTIONS.items():
        (item,) = [i for i in items(tasks) if word in i]
        for job in [None, *borrowers]:
            messages, set_slots = await run_action(ActionAnswer(), make_tracker(
                "ask_duties", [occupation(job)] if job else [], text=question))
            text = "\n".join(m["text"] for m in messages)
            assert item in text and tasks.text not in text and "this is the one you asked about:" in text, text
            check(kb, text, set_slots.get("sources_shown") or [])
            if job:
                check_job(kb, text, job)


# Messages the fallback's search answers (knowledge/search.py), of every kind: a topic with and without a
# job, a job whose facts are borrowed, one task, a gap; and some it must not answer.
FALLBACK_MESSAGES = [
    "income of a nuclear medicine technologist", "is it risky 4 mammo techs", "eeg technologist job tasks?",
    "salary?", "sonographer licence", "what equipment do nuc med techs use", "specialties of radiologic technologists",
    "which industry employs mri techs", "do they dispose of radioactive waste material safely",
    "r x-ray techs gonna be replaced by AI", "working hours for a sonographer", "education needed for ct techs",
    "how do i bake bread", "asdfgh", "<b>salary</b>", "who earns more, a sonographer or a radiologist",
]


async def test_fallback_answers_from_the_search_are_faithful(kb: KnowledgeBase) -> None:
    """Each reply of the fallback: a knowledge-base text introduced as the closest, or framing, with its source;
    about one job, only that job's facts or its ancestors' introduced by name."""
    answered = 0
    for message in FALLBACK_MESSAGES:
        messages, set_slots = await run_action(ActionFallback(), make_tracker("nlu_fallback", text=message))
        for position, reply in enumerate(messages):  # the answer with its source, then the buttons' line
            check(kb, reply["text"], set_slots.get("sources_shown") or [] if position == 0 else [])
        if "sources_shown" in set_slots:
            answered += 1
            if set_slots.get("occupation"):
                check_job(kb, messages[0]["text"], set_slots["occupation"])
    assert answered >= len(FALLBACK_MESSAGES) // 2


def test_the_check_catches_an_invented_task(kb: KnowledgeBase) -> None:
    """One task is checked like the whole list: its framing names the knowledge base's list, its line is the list's."""
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "The group's official job description lists nine tasks; this is the one you asked about:", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Here is the closest thing my sources say about surgeons:", [])
    with pytest.raises(AssertionError, match="unsupported sentence"):
        check(kb, "Here is the closest thing my sources say:\n9. Read the scans and tell the patient.", [])


async def test_the_source_line_check_catches_a_wrong_or_missing_credit(kb: KnowledgeBase) -> None:
    """"citing the BLS" under a duties answer fails, and so does a pay answer without it."""
    credit = kb.all_credits()[0]
    credited, plain = next((f, d) for f in kb.facts() for d in kb.facts() if credit.id in f.attribution and f.figures
                           and d.topic == "duties" and d.occupation_id == f.occupation_id and not d.attribution
                           and credit.source_id in d.source_ids)
    duties = await answer(kb, "ask_duties", plain.occupation_id)
    pay = await answer(kb, "ask_salary", credited.occupation_id)
    check_job(kb, duties, plain.occupation_id)
    check_job(kb, pay, credited.occupation_id)
    assert f"citing {credit.name}" in pay and f"citing {credit.name}" not in duties
    with pytest.raises(AssertionError, match="without a fact credited to it"):
        check_source_line(kb, duties.replace(".\n\n", ".\n\n", 1).rstrip(".") + f", citing {credit.name}.",
                          facts_in(kb, duties))
    with pytest.raises(AssertionError, match="missing"):
        check_source_line(kb, pay.replace(f", citing {credit.name}", ""), facts_in(kb, pay))


# "Where is that from?" questions, told apart by their words (actions/sources.py source_question).
SOURCE_QUESTIONS = ["where does the salary information come from?", "who wrote the article?",
                    "when was it published?", "where is that from", "who wrote that", "is that data current",
                    "who says", "where is the licence info from", "when was the classification published",
                    "whats the bls", "source?"]


async def test_source_answers_are_faithful(kb: KnowledgeBase) -> None:
    """Every source question, with no answer before it and after each kind of answer (sources and credits)."""
    classification, article = kb.source_for_role(CLASSIFICATION).id, kb.source_for_role(CAREER_ARTICLE).id
    credits = [c.id for c in kb.all_credits()]
    for question, shown in itertools.product(SOURCE_QUESTIONS, ([], [classification], [article],
                                                                 [article, *credits], [article, classification])):
        messages, _ = await run_action(ActionSources(), make_tracker("ask_source", text=question,
                                                                     slots={"sources_shown": shown}))
        check(kb, "\n".join(m["text"] for m in messages), [])


async def test_no_job_without_radiation_gets_radiation_protection_as_its_own(kb: KnowledgeBase) -> None:
    """Sonographers (sound waves) and MRI technologists (magnetic imaging): no answer of any kind, on any topic
    or safety question, gives them a radiation-protection fact, their own or borrowed; only the group's fact
    says what holds for the jobs that use radiation, and it is never their answer."""
    without = [o for o in kb.occupations() if kb.uses_no_radiation(o.id)]
    assert {named(kb, "sonographers"), named(kb, "mri techs")} <= {o.id for o in without}, without
    protection = [f for f in kb.facts() if f.radiation == RADIATION_PROTECTION]
    assert protection and all(kb.find_fact(o.id, f.topic) != f for o in without for f in protection)
    group_safety = kb.fact(kb.group().id, "safety")
    assert group_safety is not None and "Some jobs in this group use radiation" in group_safety.text
    claims = [sentence for f in protection for sentence in sentences(f.text)]
    questions = ["Is it safe for pregnant women?", "do they use radiation", "radiation exposure?", "is it safe",
                 "do they wear lead aprons", "how much radiation do they get"]
    for job in without:
        replies = []
        for intent, question in itertools.product([*TOPIC_BY_INTENT, "inform_occupation"], questions):
            messages, _ = await run_action(ActionAnswer(), make_tracker(
                intent, [occupation(job.id)], text=question, slots={"topic": "safety"}))
            replies.append("\n".join(m["text"] for m in messages))
        extra = [f"is {job.name} work safe when pregnant", f"radiation protection for {job.plural}"]
        for question in questions + extra:
            messages, _ = await run_action(ActionFallback(), make_tracker("nlu_fallback", [occupation(job.id)],
                                                                         text=question))
            replies.append("\n".join(m["text"] for m in messages))
        for other in kb.occupations():
            if other.id not in (job.id, kb.group().id):
                messages, _ = await run_action(ActionCompare(), make_tracker(
                    "compare_occupations", [occupation(job.id), occupation(other.id)], text="which is safer"))
                own_lines = [line for line in messages[0]["text"].splitlines()
                             if line.startswith(f"• {capitalised(job.name)}:")]
                replies += own_lines
        for reply in replies:
            leaked = [c for c in claims if c in reply]
            assert not leaked, f"{job.id} got radiation protection as its own: {leaked}\n in: {reply}"


@pytest.mark.parametrize("intent", ["ask_safety", "ask_equipment"])  # the model reads "use" as equipment, too
async def test_do_they_use_radiation_is_answered_yes_or_no_only_from_the_jobs_own_fact(
        kb: KnowledgeBase, intent: str) -> None:
    for job in kb.occupations():
        messages, _ = await run_action(ActionAnswer(), make_tracker(
            intent, [occupation(job.id)], text=f"do {job.plural} use radiation?"))
        text = messages[0]["text"]
        check(kb, text, [])
        check_job(kb, text, job.id)
        own = kb.fact(job.id, "safety")
        if kb.uses_no_radiation(job.id):
            assert text.startswith(NOT_AS_FAR), text
        elif own is not None and own.radiation == RADIATION_PROTECTION and job.id != kb.group().id:
            assert text.startswith("Yes. "), text
        else:
            assert not text.startswith((NOT_AS_FAR, "Yes")), text
