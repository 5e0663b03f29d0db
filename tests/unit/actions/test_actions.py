"""Every action, on the real built knowledge base, through Tracker.from_dict and CollectingDispatcher."""

from __future__ import annotations

import re
from typing import List

import pytest

from actions.answers import ActionAnswer, asks_if_radiation_is_used
from actions.compare import ActionCompare
from actions.context import capitalised
from actions.sources import AUTHOR, DATE, ORIGIN, ActionSources, source_question
from actions.support import ActionCounsellor, ActionFallback
from actions.titles import ActionTitles
from knowledge.build import load
from knowledge.query import FactInfo, KnowledgeBase, OccupationInfo
from knowledge.vocabulary import CAREER_ARTICLE, CLASSIFICATION, GAPS, OUTSIDE, TOPIC_BY_INTENT
from tests.unit.trackers import make_tracker, occupation, run_action

FEATURED = [o["id"] for o in load().occupations if o.get("featured")]  # occupations.yml, read at collection


def text_of(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def own(kb: KnowledgeBase, occupation_id: str, topic: str) -> FactInfo:
    fact = kb.fact(occupation_id, topic)
    assert fact is not None, f"the knowledge base has no {topic} fact for {occupation_id}"
    return fact


def paid(kb: KnowledgeBase) -> List[OccupationInfo]:
    """The jobs with their own pay figure, in the order of occupations.yml."""
    return [o for o in kb.occupations() if kb.figure(o.id) is not None]


def pay(kb: KnowledgeBase, occupation_id: str) -> str:
    figure = kb.figure(occupation_id)
    return f"${figure.value:,}" if figure else "not given"


@pytest.mark.parametrize("occupation_id", FEATURED)
@pytest.mark.parametrize("intent", ["ask_duties", "ask_license", "ask_salary", "ask_education"])
async def test_each_featured_occupation_and_topic(kb: KnowledgeBase, occupation_id: str, intent: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(occupation_id)]))
    text = text_of(messages)
    fact = own(kb, occupation_id, TOPIC_BY_INTENT[intent])
    assert fact.text in text
    citations = [s.citation for s in kb.sources(fact.source_ids)]
    assert text.splitlines()[-1].startswith("Source: ") and all(c in text.splitlines()[-1] for c in citations)
    assert slots["occupation"] == occupation_id
    assert slots["sources_shown"] == [*fact.source_ids, *fact.attribution]  # sources, then credits ("bls")


@pytest.mark.parametrize("occupation_id", FEATURED)
async def test_salary_says_year_scope_median_and_source(kb: KnowledgeBase, occupation_id: str) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(occupation_id)]))
    text = text_of(messages)
    figure = kb.figure(occupation_id)
    assert figure is not None
    article = kb.source_for_role(CAREER_ARTICLE)
    for needed in (str(figure.year), figure.scope, figure.statistic, f"${figure.value:,}", article.citation):
        assert needed in text
    assert re.findall(r"\$[\d,]+", text) == [f"${figure.value:,}"]


@pytest.mark.parametrize("occupation_id", FEATURED)
@pytest.mark.parametrize("intent", ["ask_overview", "ask_specialties", "ask_best_paying", "ask_equipment"])
async def test_other_topics_for_the_featured_jobs(kb: KnowledgeBase, occupation_id: str, intent: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(occupation_id)]))
    fact = kb.find_fact(occupation_id, TOPIC_BY_INTENT[intent])
    assert fact is not None and fact.text in text_of(messages)
    assert slots["topic"] == intent.removeprefix("ask_")


async def test_follow_up_keeps_the_occupation_from_the_slot(kb: KnowledgeBase) -> None:
    job = next(o.id for o in kb.featured() if kb.fact(o.id, "license"))
    tracker = make_tracker("ask_license", slots={"occupation": job, "topic": "duties"})
    messages, slots = await run_action(ActionAnswer(), tracker)
    fact = own(kb, job, "license")
    assert fact.text in text_of(messages)
    assert slots == {"topic": "license", "occupation": job, "sources_shown": list(fact.source_ids),
                     "reply_kind": "answered"}


async def test_what_about_keeps_the_topic(kb: KnowledgeBase) -> None:
    before, after = paid(kb)[0], paid(kb)[-1]
    tracker = make_tracker("inform_occupation", [occupation(after.id, after.name)],
                           slots={"occupation": before.id, "topic": "salary"})
    messages, slots = await run_action(ActionAnswer(), tracker)
    assert pay(kb, after.id) in text_of(messages)
    assert slots["occupation"] == after.id and slots["topic"] == "salary"


async def test_the_actions_take_ids_only(kb: KnowledgeBase) -> None:
    """Names are resolved once, by the NLU pipeline: an entity or slot that is not an id names no job."""
    job = FEATURED[0]
    name = kb.occupation(job).name  # type: ignore[union-attr]
    for entities, slots in (([occupation(name)], {}), ([], {"occupation": name}), ([occupation("x" * 5000)], {})):
        messages, set_slots = await run_action(ActionAnswer(), make_tracker("ask_salary", entities, slots=slots))
        assert "Which one do you mean?" in text_of(messages) and set_slots["occupation"] is None


async def test_naming_a_job_with_no_topic_gives_its_overview(kb: KnowledgeBase) -> None:
    job = FEATURED[0]
    messages, slots = await run_action(ActionAnswer(), make_tracker("inform_occupation", [occupation(job)]))
    assert own(kb, job, "overview").text in text_of(messages) and slots["topic"] == "overview"


@pytest.mark.parametrize("intent", ["ask_license", "ask_salary", "ask_education"])
async def test_missing_occupation_gets_a_clarifying_question(kb: KnowledgeBase, intent: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent))
    assert "Which one do you mean?" in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [f'/inform_occupation{{"occupation": "{i}"}}' for i in [*FEATURED, kb.group().id]]
    assert slots["topic"] == intent.removeprefix("ask_") and slots["occupation"] is None


async def test_buttons_take_their_names_from_the_knowledge_base(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary"))
    jobs = [*kb.featured(), kb.group()]
    assert [b["title"] for b in messages[0]["buttons"]] == [o.button or capitalised(o.name) for o in jobs]


async def test_group_level_answer_when_no_occupation(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_duties"))
    text = text_of(messages)
    fact = own(kb, kb.group().id, "duties")
    assert fact.text in text and messages[0]["buttons"]
    assert all(s.citation in text for s in kb.sources(fact.source_ids))


def borrower(kb: KnowledgeBase, topic: str) -> OccupationInfo:
    """A title without its own fact whose parent, not the whole group, has one."""
    return next(o for o in kb.occupations() if o.parent_id not in (None, kb.group().id)
                and kb.fact(o.id, topic) is None and kb.fact(o.parent_id or "", topic) is not None)


def only_listed(kb: KnowledgeBase, topic: str) -> OccupationInfo:
    """A title that only the classification lists, without its own fact."""
    classification = kb.source_for_role(CLASSIFICATION).id
    return next(o for o in kb.occupations() if set(o.source_ids) == {classification} and not kb.fact(o.id, topic))


async def test_specific_title_borrows_with_a_note(kb: KnowledgeBase) -> None:
    job = borrower(kb, "salary")
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(job.id)]))
    text = text_of(messages)
    figure = kb.figure(job.parent_id or "")
    assert figure is not None
    assert f"don't cover pay for {job.plural} specifically" in text
    assert f"${figure.value:,}" in text and str(figure.year) in text


async def test_title_only_in_the_classification_says_sources_are_silent(kb: KnowledgeBase) -> None:
    job = only_listed(kb, "salary")
    gap = kb.gap("pakistan_rules")
    assert gap is not None
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(job.id)]))
    text = text_of(messages)
    assert text.startswith(f"The sources don't give pay for {job.plural}. {gap.text}")
    assert "For comparison" in text
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_license", [occupation(job.id)]))
    text = text_of(messages)
    assert own(kb, kb.group().id, "license").text in text  # the group's licensing facts, labelled as the group's
    assert text.startswith(f"The sources don't give licensing rules for {job.plural}.")


async def test_a_featured_job_without_its_own_specialties_falls_back_to_the_group_with_a_note(
        kb: KnowledgeBase) -> None:
    job = next(o for o in kb.featured() if kb.fact(o.id, "specialties") is None)
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_specialties", [occupation(job.id)]))
    assert f"don't cover specialties for {job.plural} specifically" in text_of(messages)


@pytest.mark.parametrize("intent", [i for i, topic in TOPIC_BY_INTENT.items() if topic in GAPS])
async def test_uncovered_questions_say_so_without_numbers(kb: KnowledgeBase, intent: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(FEATURED[0])]))
    text = text_of(messages)
    gap = kb.gap(TOPIC_BY_INTENT[intent])
    assert gap is not None and gap.text in text and "don't" in text
    assert not re.search(r"\d", text.split("Sources checked")[0]), text
    assert messages[0]["buttons"][0]["payload"] == "/ask_counsellor"
    assert "Sources checked:" in text


async def test_programme_length_adds_what_the_sources_do_say(kb: KnowledgeBase) -> None:
    job = FEATURED[-1]
    tracker = make_tracker("ask_program_length", slots={"occupation": job})
    messages, _ = await run_action(ActionAnswer(), tracker)
    assert own(kb, job, "education").text in text_of(messages)


@pytest.mark.parametrize("named", [0, 1, 2])
async def test_compare(kb: KnowledgeBase, named: int) -> None:
    """Two named jobs, one named (with the featured ones), or none (the featured ones)."""
    jobs = [o.id for o in paid(kb)]
    chosen = {0: FEATURED, 1: [jobs[-1], *[f for f in FEATURED if f != jobs[-1]]], 2: jobs[-2:]}[named]
    entities = [occupation(j) for j in chosen[:named]]
    messages, _ = await run_action(ActionCompare(), make_tracker("compare_occupations", entities))
    text = text_of(messages)
    assert " vs ".join(pay(kb, j) for j in chosen) in text
    licences = [own(kb, j, "license").states for j in chosen]
    assert " vs ".join(f"needed in {states} states" for states in licences) in text
    figure = kb.figure(jobs[0])
    assert figure is not None and str(figure.year) in text and "Source:" in text


async def test_compare_one_named_with_the_one_in_context(kb: KnowledgeBase) -> None:
    first, second = kb.featured()[-1], kb.featured()[0]
    tracker = make_tracker("compare_occupations", [occupation(second.id)], slots={"occupation": first.id})
    messages, _ = await run_action(ActionCompare(), tracker)
    assert text_of(messages).startswith(f"{capitalised(first.name)} vs {capitalised(second.name)}")


async def test_compare_a_title_without_figures_says_not_given(kb: KnowledgeBase) -> None:
    bare, job = only_listed(kb, "salary"), paid(kb)[0]
    tracker = make_tracker("compare_occupations", [occupation(bare.id), occupation(job.id)])
    text = text_of((await run_action(ActionCompare(), tracker))[0])
    assert f"not given vs {pay(kb, job.id)}" in text and f"{capitalised(bare.plural)} are not among them" in text


async def test_titles_list_and_membership(kb: KnowledgeBase) -> None:
    text = text_of((await run_action(ActionTitles(), make_tracker("ask_titles")))[0])
    for job in kb.occupations():
        assert job.id == kb.group().id or job.plural in text
    job = borrower(kb, "salary")
    parent = kb.occupation(job.parent_id or "")
    assert parent is not None
    messages, slots = await run_action(ActionTitles(), make_tracker("ask_titles", [occupation(job.id, job.name)]))
    text = text_of(messages)
    assert text.startswith("Yes.") and all(f"“{t}”" in text for t in job.source_titles) and parent.plural in text
    assert slots["occupation"] == job.id


async def test_sources_of_the_last_answer(kb: KnowledgeBase) -> None:
    article, classification = kb.source_for_role(CAREER_ARTICLE), kb.source_for_role(CLASSIFICATION)
    tracker = make_tracker("ask_source", slots={"sources_shown": [article.id]})
    text = text_of((await run_action(ActionSources(), tracker))[0])
    assert "That answer comes from" in text and article.title in text and classification.title not in text
    text = text_of((await run_action(ActionSources(), make_tracker("ask_source")))[0])
    assert "haven't answered" in text and classification.title in text and article.title in text


async def test_counsellor_uses_the_school_settings(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    metadata = {"school": "Hillside High", "counsellor_name": "Ms Ada Park", "counsellor_email": "ada@hillside.edu"}
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=metadata)))[0])
    assert "Ms Ada Park at Hillside High: ada@hillside.edu" in text
    bad = {"counsellor_name": "<script>alert(1)</script>", "counsellor_email": "not an email"}
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=bad)))[0])
    assert "<script>" not in text and "not an email" not in text and "school office" in text
    # The contact comes from the metadata the channels filled (schools/), never from the action server's own
    # settings: without it, where to find one.
    monkeypatch.setenv("COUNSELLOR_EMAIL", "careers@example.org")
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor")))[0])
    assert "careers@example.org" not in text and "your careers counsellor" in text and "school office" in text


async def test_counsellor_gives_the_school_s_next_steps(kb: KnowledgeBase) -> None:
    metadata = {"school": "Hillside High", "counsellor_name": "Ms Ada Park", "counsellor_email": "ada@hillside.edu",
                "counsellor_links": [{"title": "Open day at Lakeside", "url": "https://lakeside.example/open"},
                                     {"title": "Not https", "url": "http://lakeside.example/"},
                                     {"title": "<b>x</b>", "url": "https://lakeside.example/x"}]}
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=metadata)))[0])
    assert "ada@hillside.edu" in text
    assert text.endswith("\n\nNext steps from your counsellor:\n- Open day at Lakeside: https://lakeside.example/open")
    assert "Not https" not in text and "<b>" not in text
    del metadata["counsellor_email"]  # no contact: the steps still help
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=metadata)))[0])
    assert "school office" in text and "https://lakeside.example/open" in text
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor")))[0])
    assert "Next steps" not in text


async def test_fallback_suggests_from_the_ranking(kb: KnowledgeBase) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_salary", "confidence": 0.3},
               {"name": "greet", "confidence": 0.1}, {"name": "ask_license", "confidence": 0.1}]
    job = FEATURED[0]
    tracker = make_tracker("nlu_fallback", [occupation(job)], ranking=ranking)
    messages, _ = await run_action(ActionFallback(), tracker)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [f'/ask_salary{{"occupation": "{job}"}}', f'/ask_license{{"occupation": "{job}"}}',
                        "/help"]


@pytest.mark.parametrize("value", ["nurse", "", "x" * 10_000, "{'a': 1}", f"<b>{FEATURED[0]}</b>"])
async def test_unknown_entity_values_are_never_used(kb: KnowledgeBase, value: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(value)]))
    assert slots["occupation"] is None
    assert "Which one do you mean?" in messages[0]["text"]


def other_job(kb: KnowledgeBase) -> dict:
    """The entity of a job outside the group (knowledge/other_jobs.yml), as NLU gives it."""
    job = kb.other_jobs()[0]
    return {"entity": "other_job", "value": job.id, "text": job.plural}


async def test_a_job_outside_the_group_is_named_as_such_not_answered_for_the_nearest_title(
        kb: KnowledgeBase) -> None:
    job = kb.other_jobs()[0]
    tracker = make_tracker("ask_salary", [other_job(kb)], slots={"occupation": FEATURED[0]})
    messages, slots = await run_action(ActionAnswer(), tracker)
    text = text_of(messages)
    assert job.note in text and "$" not in text
    assert all(s.citation in text for s in kb.sources(job.source_ids))
    # the job in context stays
    assert slots == {"topic": "salary", "sources_shown": list(job.source_ids), "reply_kind": OUTSIDE}
    first = kb.featured()[0]
    assert [b["title"] for b in messages[0]["buttons"]][:1] == [first.button or capitalised(first.name)]


async def test_a_job_in_the_group_named_beside_it_is_answered(kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_duties", [occupation(FEATURED[0]), other_job(kb)])
    text = text_of((await run_action(ActionAnswer(), tracker))[0])
    assert own(kb, FEATURED[0], "duties").text in text and kb.other_jobs()[0].note not in text


async def test_a_job_or_one_outside_the_group_says_which_is_in_the_group(kb: KnowledgeBase) -> None:
    tracker = make_tracker("compare_occupations", [occupation(FEATURED[0]), other_job(kb)])
    messages, slots = await run_action(ActionCompare(), tracker)
    assert kb.other_jobs()[0].note in messages[0]["text"]
    assert own(kb, FEATURED[0], "overview").text in messages[1]["text"]
    assert slots["occupation"] == FEATURED[0] and "vs" not in text_of(messages)


@pytest.mark.parametrize("value", ["zookeeper", "<an occupation id>", "<b>x</b>", "r" * 500])
async def test_other_job_values_not_in_the_knowledge_base_are_ignored(kb: KnowledgeBase, value: str) -> None:
    value = FEATURED[0] if value == "<an occupation id>" else value  # a job in the group is no other job
    tracker = make_tracker("ask_salary", [{"entity": "other_job", "value": value, "text": value}])
    text = text_of((await run_action(ActionAnswer(), tracker))[0])
    assert all(job.note not in text for job in kb.other_jobs()) and "Which one do you mean?" in text


@pytest.mark.parametrize("text, kind", [
    ("who wrote the article?", AUTHOR), ("who wrote that", AUTHOR), ("whos the author", AUTHOR),
    ("who published it", AUTHOR), ("when was it published?", DATE), ("what year is that from", DATE),
    ("is that data current", DATE), ("how old is this info", DATE), ("where is that from", ORIGIN),
    ("who says", ORIGIN), ("according to who", ORIGIN), ("where does the salary information come from?", ORIGIN),
    ("", ORIGIN), (None, ORIGIN)])
def test_source_questions_are_told_apart_by_their_words(text: object, kind: str) -> None:
    assert source_question(text) == kind


@pytest.mark.parametrize("text, asks", [
    ("do sonographers use radiation", True), ("does ultrasound involve radiation?", True),
    ("is there radiation in an mri", True), ("do nuc med techs work with radioactive stuff", True),
    ("do rad techs get a lot of radiation", False), ("how much radiation do they get", False),
    ("is it safe for pregnant women?", False), ("", False), (None, False)])
def test_a_yes_no_radiation_question_is_recognised(text: object, asks: bool) -> None:
    assert asks_if_radiation_is_used(text) is asks


async def sources_reply(text: str, shown: object = None) -> str:
    return text_of((await run_action(ActionSources(), make_tracker("ask_source", text=text,
                                                                   slots={"sources_shown": shown})))[0])


async def test_where_the_salary_is_from_names_the_article_and_whom_it_credits(kb: KnowledgeBase) -> None:
    article = kb.source_for_role(CAREER_ARTICLE)
    (credit,) = kb.credits(article.credit_ids)
    for text in (await sources_reply("where does the salary information come from?"),
                 await sources_reply("where is that from",
                                     (await run_action(ActionAnswer(), make_tracker(
                                         "ask_salary", [occupation(FEATURED[0])])))[1]["sources_shown"])):
        assert article.title in text and credit.name in text, text
    duties_shown = (await run_action(ActionAnswer(), make_tracker("ask_duties", [occupation(FEATURED[0])])))[1]
    text = await sources_reply("where is that from", duties_shown["sources_shown"])
    assert article.title in text and credit.name not in text, text


async def test_who_wrote_it_and_when_come_from_sources_yml(kb: KnowledgeBase) -> None:
    article, classification = kb.source_for_role(CAREER_ARTICLE), kb.source_for_role(CLASSIFICATION)
    assert article.author
    text = await sources_reply("who wrote the article?", [classification.id])
    assert f"is by {article.author}" in text and classification.title not in text, text
    text = await sources_reply("who wrote that", [classification.id])
    assert "names no author" in text and classification.publisher in text, text
    text = await sources_reply("when was the article published?")
    if article.published:
        assert f"was published {article.published}" in text, text
    else:
        assert "doesn't say when it was published, so I don't know" in text, text
    assert f"Its figures are for {article.figures_year}." in text, text


async def test_every_answer_ends_with_bls_only_where_its_facts_credit_the_bls(kb: KnowledgeBase) -> None:
    """The finding: every article answer said "citing the US Bureau of Labor Statistics"."""
    (credit,) = kb.all_credits()
    for job in FEATURED:
        for intent, topic in TOPIC_BY_INTENT.items():
            fact = kb.find_fact(job, topic)
            if fact is None or topic in GAPS:
                continue
            messages, _ = await run_action(ActionAnswer(), make_tracker(intent, [occupation(job)]))
            line = text_of(messages).splitlines()[-1]
            assert (f"citing {credit.name}" in line) == (credit.id in fact.attribution), (job, topic, line)


def this_career(text: str) -> dict:
    return {"entity": "context_reference", "value": "imaging_technician", "text": "this career",
            "start": text.index("this career"), "end": text.index("this career") + len("this career")}


async def test_this_career_as_a_first_question_is_the_group_not_a_question_back(kb: KnowledgeBase) -> None:
    text = "how much does this career pay"
    messages, slots = await run_action(ActionAnswer(), make_tracker("ask_salary", [this_career(text)], text=text))
    assert slots["occupation"] == kb.group().id and slots.get("reply_kind") != "clarify"
    assert all(f"${kb.figure(o.id).value:,}" in text_of(messages) for o in kb.featured())


async def test_this_career_after_a_job_keeps_the_job(kb: KnowledgeBase) -> None:
    text = "how much does this career pay"
    tracker = make_tracker("ask_salary", [this_career(text)], slots={"occupation": "sonographer"}, text=text)
    messages, slots = await run_action(ActionAnswer(), tracker)
    assert slots["occupation"] == "sonographer"
    assert f"${kb.figure('sonographer').value:,}" in text_of(messages)
    assert f"${kb.figure('radiologic_technologist').value:,}" not in text_of(messages)
