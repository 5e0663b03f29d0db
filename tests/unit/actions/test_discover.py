"""actions/discover.py on the real knowledge base: what fits, the guided path, and a yes or no in context."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from actions.context import knowledge_base
from actions.discover import ActionExploreJobs, ActionYesNo, offered_line
from harness.dialogue import LAST_EVENTS
from knowledge.discovery import discovery
from knowledge.query import KnowledgeBase
from tests.unit.trackers import make_tracker, run_action


def asked(step: str) -> List[dict]:
    """The previous turn's events when it asked a guided question."""
    return [{"event": "action", "name": "action_explore_jobs"},
            {"event": "slot", "name": "discovery_step", "value": step}]


def text_of(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


async def explore(text: str, slots: Optional[Dict[str, Any]] = None, entities: Optional[List[dict]] = None,
                  intent: str = "explore_jobs", action: Any = None) -> tuple:
    messages, set_now = await run_action(action or ActionExploreJobs(),
                                         make_tracker(intent, entities or [], slots or {}, text=text))
    return messages, set_now


def offered(kb: KnowledgeBase, messages: list) -> List[str]:
    line = offered_line(text_of(messages))
    return [o.id for o in kb.occupations() if o.plural in line]


async def test_no_radiation_offers_the_sonographer_only_and_says_why(kb: KnowledgeBase) -> None:
    messages, slots = await explore("i like machines and helping people but not radiation")
    text = text_of(messages)
    assert offered(kb, messages) == ["sonographer"]
    assert "sound waves" in text and "Left out, because of radiation" in text
    assert "radioactive drugs" in text  # why nuclear medicine is left out, from its reason
    assert "can't tell the jobs apart" in text  # patients and machines: the sources give them to every job
    assert slots["preferences"] == ["machines", "patients", "not_radiation"]
    assert slots["occupation"] == "sonographer"  # "what does that one earn?" follows on
    assert slots["discovery_step"] == "study"  # the one guided question not yet answered
    assert "How long do you want to study" in text_of(messages[-1:])


async def test_what_jobs_fit_starts_the_guided_path(kb: KnowledgeBase) -> None:
    messages, slots = await explore("help me choose a job", {"preferences": ["not_radiation"]})
    text = text_of(messages)
    for job in kb.featured():
        assert kb.fact(job.id, "overview").text in text
    assert slots["preferences"] == [] and slots["discovery_step"] == "focus"
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Patients", "Machines", "Both"]
    assert messages[-1]["buttons"][1]["payload"] == '/explore_jobs{"preference": ["machines"]}'


async def test_a_typed_no_answers_the_radiation_question(kb: KnowledgeBase) -> None:
    before = {"preferences": ["patients", "machines"], "discovery_step": "radiation",
              LAST_EVENTS: asked("radiation")}
    messages, slots = await explore("nope", before, intent="deny", action=ActionYesNo())
    assert offered(kb, messages) == ["sonographer"]
    assert "not_radiation" in slots["preferences"]


async def test_a_no_after_something_else_is_the_usual_reply(kb: KnowledgeBase) -> None:
    before = {"preferences": ["patients"], "discovery_step": "radiation",
              LAST_EVENTS: [{"event": "action", "name": "action_answer"}]}
    messages, slots = await explore("no", before, intent="deny", action=ActionYesNo())
    assert messages == [{"response": "utter_deny"}] or messages[0].get("response") == "utter_deny"
    assert "preferences" not in slots


async def test_a_yes_to_an_either_or_question_asks_it_again(kb: KnowledgeBase) -> None:
    before = {"discovery_step": "focus", LAST_EVENTS: asked("focus")}
    messages, slots = await explore("yes", before, intent="affirm", action=ActionYesNo())
    assert "patients, mostly with the machines" in text_of(messages) and slots["discovery_step"] == "focus"


async def test_a_typed_both_settles_the_pending_question(kb: KnowledgeBase) -> None:
    before = {"preferences": [], "discovery_step": "focus", LAST_EVENTS: asked("focus")}
    messages, slots = await explore("both honestly", before)
    assert slots["preferences"] == ["any_patients", "any_machines"] and slots["discovery_step"] == "radiation"


async def test_buttons_send_values_and_the_last_word_wins(kb: KnowledgeBase) -> None:
    entities = [{"entity": "preference", "value": "any_radiation"}]
    messages, slots = await explore('/explore_jobs{"preference": ["any_radiation"]}',
                                    {"preferences": ["not_radiation"]}, entities)
    assert slots["preferences"] == ["any_radiation"]
    assert offered(kb, messages) == [] and "doesn't rule any job out" in text_of(messages)


async def test_babies_get_the_sources_silence_and_no_job(kb: KnowledgeBase) -> None:
    messages, _ = await explore("i want to work with babies")
    text = text_of(messages)
    assert "don't link any of these jobs to babies" in text
    assert "specialise" in text  # the closest thing they do say, cited
    assert offered(kb, messages) == []  # nothing narrowed the jobs down: none is offered as a fit
    assert "prenatal" not in text.lower() and "pregnan" not in text.lower().replace("babies or pregnancy", "")


async def test_a_link_read_from_a_title_says_so(kb: KnowledgeBase) -> None:
    messages, _ = await explore("something to do with sleep")
    text = text_of(messages)
    assert "Technician, polysomnography" in text and "my reading of the name" in text
    assert offered(kb, messages) == ["polysomnography_technologist"]


async def test_pay_is_ranked_from_the_figures(kb: KnowledgeBase) -> None:
    messages, _ = await explore("i care about money the most")
    text = text_of(messages)
    figures = sorted(((kb.figure(o.id).value, o.plural) for o in kb.featured() if kb.figure(o.id)), reverse=True)
    positions = [text.index(f"${value:,}") for value, _ in figures]
    assert positions == sorted(positions) and "2012" in text


async def test_every_offered_job_has_a_fact_and_every_answer_a_source(kb: KnowledgeBase) -> None:
    found = discovery()
    for preference in found.preferences:
        for value in (preference, f"not_{preference}"):
            messages, _ = await explore(f'/explore_jobs{{"preference": ["{value}"]}}', {},
                                        [{"entity": "preference", "value": value}])
            answer = messages[0]["text"]
            assert "\n\nSource" in answer or answer == "That doesn't rule any job out.", (value, answer)
            for job in offered(kb, messages):
                reasons = {r.occupation for p in found.preferences.values() for r in (*p.jobs, *p.without)}
                assert job in reasons or kb.fact(job, "overview") is not None, (value, job)


async def test_a_job_outside_the_group_is_named_as_such(kb: KnowledgeBase) -> None:
    messages, slots = await explore("i like helping people, should i become a nurse instead",
                                    entities=[{"entity": "other_job", "value": "nurse", "text": "nurse"}])
    text = text_of(messages)
    assert kb.other_job("nurse").note in text and "So, going by" not in text
    assert slots.get("reply_kind") == "outside"


def allowed_pieces(kb: KnowledgeBase) -> List[str]:
    """What a discovery answer may say: discovery.yml's own texts, the knowledge base's, and job names."""
    found = discovery()
    texts = [r.text for p in found.preferences.values() for r in (*p.jobs, *p.without) if r.text]
    texts += [p.summary for p in found.preferences.values() if p.summary]
    texts += [p.silent for p in found.preferences.values() if p.silent]
    return texts + [f.text for f in kb.facts()]


async def test_every_sentence_of_a_discovery_answer_is_grounded(kb: KnowledgeBase) -> None:
    """Each line is a framing around discovery.yml's texts or the knowledge base's, never a new claim."""
    import re

    found = discovery()
    pieces = allowed_pieces(kb)
    names = "|".join(re.escape(o.plural[:1].upper() + o.plural[1:]) for o in kb.occupations())
    figures = {f"${fig.value:,}" for f in kb.facts() for fig in f.figures}
    framings = [
        rf"• (?:{names}): (?P<piece>.+?)(?: \(that link is my reading, not the sources'\))?",
        rf"• (?:{names}): the classification lists .+\. That it has to do with .+ is my reading of the name: "
        r"my sources don't describe the work\.",
        r"(?:[A-Z][\w ]+): (?P<piece>.+), so (?:my sources can't tell the jobs apart on it|none of them avoids it)\.",
        r"Without [\w ]+:", r"[A-Z][\w ]+:", r"(?P<piece>.+)",
        r"Left out, because of [\w ]+: .+\.", r"So, going by my sources: .+\.",
        r"That doesn't rule any job out\.", r"[A-Z][\w ]+: pay \(.+\), highest first:",
        rf"• (?:{names}): \$[\d,]+",
    ]
    for preference in found.preferences:
        for value in (preference, f"not_{preference}"):
            messages, _ = await explore("x", {}, [{"entity": "preference", "value": value}])
            body = messages[0]["text"].rpartition("\n\nSource")[0] or messages[0]["text"]
            for line in body.splitlines():
                for number in re.findall(r"\$[\d,]+", line):
                    assert number in figures, (value, line)
                ok = False
                for framing in framings:
                    match = re.fullmatch(framing, line)
                    if match and ("piece" not in match.groupdict() or any(
                            match.group("piece") in p or p in line for p in pieces)):
                        ok = True
                        break
                if line.startswith("Left out"):
                    reasons = re.findall(r"\(([^()]+)\)", line)
                    ok = ok and all(any(r in p for p in pieces) for r in reasons)
                assert ok, (value, line)


async def test_a_typed_answer_read_as_another_question_still_answers_the_guided_one(kb: KnowledgeBase) -> None:
    """"a degree is fine" after "how long do you want to study?" may be read as a question on education."""
    from actions.answers import ActionAnswer

    before = {"preferences": ["machines", "not_radiation"], "discovery_step": "study", LAST_EVENTS: asked("study")}
    messages, slots = await explore("a degree is fine", before, intent="ask_education", action=ActionAnswer())
    assert slots["preferences"] == ["machines", "not_radiation", "any_short_study"]
    assert offered(kb, messages) == ["sonographer"]
    # the same words with no guided question pending are an education question
    messages, slots = await explore("a degree is fine", {}, intent="ask_education", action=ActionAnswer())
    assert "preferences" not in slots


# --- In Spanish: the whole message, and typed answers to the guided questions ---------------------------------------

SPANISH = {"language": "es"}  # make_tracker sends it as the page's language


async def test_a_spanish_message_narrows_the_jobs_like_an_english_one(kb: KnowledgeBase) -> None:
    """The Spanish words and cues give the same preferences, and so the same jobs, as the English ones."""
    messages, slots = await explore("me gustan las máquinas pero no quiero radiación", dict(SPANISH))
    assert slots["preferences"] == ["machines", "not_radiation"] and kb is not None
    assert offered(knowledge_base("es"), messages) == ["sonographer"]


@pytest.mark.parametrize("step, text, intent, before, values", [
    ("radiation", "no sé", "deny", ["machines"], ["machines", "any_radiation"]),  # not a "no"
    ("radiation", "ni idea la verdad", "affirm", ["machines"], ["machines", "any_radiation"]),
    ("radiation", "no, me da miedo", "deny", ["machines"], ["machines", "not_radiation"]),
    ("radiation", "sí, no hay problema", "deny", ["machines"], ["machines", "any_radiation"]),  # read as a no
    ("study", "sí, un título está bien", "affirm", ["machines"], ["machines", "any_short_study"]),
    ("study", "la más corta", "ask_education", ["machines"], ["machines", "short_study"]),
    ("focus", "más que nada las computadoras", "ask_equipment", [], ["machines"]),
    ("focus", "no sé", "deny", [], ["any_patients", "any_machines"]),  # no question asked again
    ("radiation", "prefiero que no", "explore_jobs", ["machines"], ["machines", "not_radiation"]),
    ("radiation", "me da igual", "explore_jobs", ["machines"], ["machines", "any_radiation"]),
    ("focus", "mejor no", "explore_jobs", [], ["any_patients", "any_machines"]),  # no "no" to an either-or
])
async def test_a_typed_spanish_answer_settles_the_pending_question(kb: KnowledgeBase, step: str, text: str,
                                                                   intent: str, before: List[str],
                                                                   values: List[str]) -> None:
    """Whatever intent the model read it as, a short Spanish answer settles the question just asked."""
    from actions.answers import ActionAnswer

    action = {"affirm": ActionYesNo(), "deny": ActionYesNo(), "explore_jobs": ActionExploreJobs()}.get(intent,
                                                                                                  ActionAnswer())
    slots_before = {**SPANISH, "preferences": before, "discovery_step": step, LAST_EVENTS: asked(step)}
    _, slots = await explore(text, slots_before, intent=intent, action=action)
    assert slots["preferences"] == values and slots.get("discovery_step") != step

