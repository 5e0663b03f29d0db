"""Every action, on the real built knowledge base, through Tracker.from_dict and CollectingDispatcher."""

from __future__ import annotations

import re

import pytest

from actions.answers import ActionAnswer
from actions.compare import ActionCompare
from actions.sources import ActionSources
from actions.support import ActionCounsellor, ActionFallback
from actions.titles import ActionTitles
from knowledge.query import KnowledgeBase
from tests.unit.trackers import make_tracker, occupation, run_action

FEATURED = ("radiologic_technologist", "sonographer", "nuclear_medicine_technologist")
SALARY = {"radiologic_technologist": "$54,620", "sonographer": "$65,860", "nuclear_medicine_technologist": "$70,180"}
LICENCE = {"radiologic_technologist": "most states", "sonographer": "only a few states",
           "nuclear_medicine_technologist": "some states"}
DUTIES = {"radiologic_technologist": "position the patient", "sonographer": "gel",
          "nuclear_medicine_technologist": "radioactive drugs"}
EDUCATION = {"radiologic_technologist": "approved training program", "sonographer": "don't say which degree",
             "nuclear_medicine_technologist": "associate degree"}
ARTICLE = "careertrend.com"
PSCO = "PSCO-2164"


def text_of(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.mark.parametrize("occupation_id", FEATURED)
@pytest.mark.parametrize("intent, expected", [
    ("ask_duties", DUTIES), ("ask_license", LICENCE), ("ask_salary", SALARY), ("ask_education", EDUCATION)])
async def test_each_featured_occupation_and_topic(kb: KnowledgeBase, occupation_id: str, intent: str,
                                                  expected: dict) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation(occupation_id)]))
    text = text_of(messages)
    assert expected[occupation_id] in text
    assert text.splitlines()[-1].startswith("Source: ") and ARTICLE in text.splitlines()[-1]
    assert slots["occupation"] == occupation_id
    assert slots["sources_shown"] == ["careertrend_imaging"]


@pytest.mark.parametrize("occupation_id", FEATURED)
async def test_salary_says_year_scope_median_and_source(kb: KnowledgeBase, occupation_id: str) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(occupation_id)]))
    text = text_of(messages)
    for needed in ("2012", "United States", "median", SALARY[occupation_id], "Bureau of Labor Statistics"):
        assert needed in text
    assert re.findall(r"\$[\d,]+", text) == [SALARY[occupation_id]]


@pytest.mark.parametrize("intent, needle", [
    ("ask_overview", "sound waves"), ("ask_specialties", "abdomen"), ("ask_best_paying", "colleges, universities"),
    ("ask_equipment", "ultrasound equipment")])
async def test_other_topics_for_sonographers(kb: KnowledgeBase, intent: str, needle: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation("sonographer")]))
    assert needle in text_of(messages)
    assert slots["topic"] == intent.removeprefix("ask_")


async def test_follow_up_keeps_the_occupation_from_the_slot(kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_license", slots={"occupation": "sonographer", "topic": "duties"})
    messages, slots = await run_action(ActionAnswer(), tracker)
    assert "only a few states" in text_of(messages)
    assert slots == {"topic": "license", "occupation": "sonographer", "sources_shown": ["careertrend_imaging"]}


async def test_what_about_keeps_the_topic(kb: KnowledgeBase) -> None:
    tracker = make_tracker("inform_occupation", [occupation("nuclear medicine")],
                           slots={"occupation": "radiologic_technologist", "topic": "salary"})
    messages, slots = await run_action(ActionAnswer(), tracker)
    assert "$70,180" in text_of(messages)
    assert slots["occupation"] == "nuclear_medicine_technologist" and slots["topic"] == "salary"


async def test_naming_a_job_with_no_topic_gives_its_overview(kb: KnowledgeBase) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker("inform_occupation", [occupation("sonographer")]))
    assert "sound waves" in text_of(messages) and slots["topic"] == "overview"


@pytest.mark.parametrize("intent", ["ask_license", "ask_salary", "ask_education"])
async def test_missing_occupation_gets_a_clarifying_question(kb: KnowledgeBase, intent: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent))
    assert "Which one do you mean?" in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/inform_occupation{"occupation": "sonographer"}' in payloads
    assert len(payloads) == 4
    assert slots["topic"] == intent.removeprefix("ask_") and slots["occupation"] is None


async def test_group_level_answer_when_no_occupation(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_duties"))
    text = text_of(messages)
    assert "eight tasks" in text and PSCO in text and messages[0]["buttons"]


async def test_specific_title_borrows_with_a_note(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation("mri_technologist")]))
    text = text_of(messages)
    assert "don't cover pay for MRI technologists specifically" in text
    assert "$54,620" in text and "2012" in text


async def test_title_only_in_the_classification_says_sources_are_silent(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation("ecg_technician")]))
    text = text_of(messages)
    assert text.startswith("The sources don't give pay for ECG technicians. Pakistan's classification")
    assert "For comparison" in text
    messages, _ = await run_action(ActionAnswer(), make_tracker("ask_license", [occupation("ecg_technician")]))
    text = text_of(messages)
    assert "Most states" in text  # the group's licensing facts, clearly labelled as the group's
    assert text.startswith("The sources don't give licensing rules for ECG technicians.")


async def test_specialties_of_nuclear_medicine_fall_back_to_the_group_with_a_note(kb: KnowledgeBase) -> None:
    messages, _ = await run_action(ActionAnswer(),
                                   make_tracker("ask_specialties", [occupation("nuclear_medicine_technologist")]))
    assert "don't cover specialties for nuclear medicine technologists specifically" in text_of(messages)


@pytest.mark.parametrize("intent, needle", [
    ("ask_outlook", "job outlook"), ("ask_hours", "working hours"), ("ask_program_length", "how many years")])
async def test_uncovered_questions_say_so_without_numbers(kb: KnowledgeBase, intent: str, needle: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker(intent, [occupation("sonographer")]))
    text = text_of(messages)
    assert needle in text and "don't" in text
    assert not re.search(r"\d", text.split("Sources checked")[0]), text
    assert messages[0]["buttons"][0]["payload"] == "/ask_counsellor"
    assert "Sources checked:" in text


async def test_programme_length_adds_what_the_sources_do_say(kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_program_length", slots={"occupation": "nuclear_medicine_technologist"})
    messages, _ = await run_action(ActionAnswer(), tracker)
    assert "associate degree" in text_of(messages)


@pytest.mark.parametrize("entities, expected", [
    ([occupation("sonographer"), occupation("nuclear_medicine_technologist")], ["$65,860 vs $70,180"]),
    ([], ["$54,620 vs $65,860 vs $70,180",
          "needed in most states vs needed in only a few states vs needed in some states"]),
    ([occupation("radiologic_technologist")], ["$54,620 vs $65,860 vs $70,180"]),
])
async def test_compare(kb: KnowledgeBase, entities: list, expected: list) -> None:
    messages, slots = await run_action(ActionCompare(), make_tracker("compare_occupations", entities))
    text = text_of(messages)
    for needle in expected:
        assert needle in text
    assert "2012" in text and "Source:" in text


async def test_compare_one_named_with_the_one_in_context(kb: KnowledgeBase) -> None:
    tracker = make_tracker("compare_occupations", [occupation("sonographer")],
                           slots={"occupation": "nuclear_medicine_technologist"})
    messages, _ = await run_action(ActionCompare(), tracker)
    assert text_of(messages).startswith("Nuclear medicine technologist vs Diagnostic medical sonographer")


async def test_compare_a_title_without_figures_says_not_given(kb: KnowledgeBase) -> None:
    tracker = make_tracker("compare_occupations", [occupation("mammographer"), occupation("sonographer")])
    text = text_of((await run_action(ActionCompare(), tracker))[0])
    assert "not given vs $65,860" in text and "not for mammographer" in text


async def test_titles_list_and_membership(kb: KnowledgeBase) -> None:
    text = text_of((await run_action(ActionTitles(), make_tracker("ask_titles")))[0])
    for title in ("mammographers", "radiation therapists", "ECG technicians", "EEG technicians",
                  "polysomnography technologists", "audiometric technicians", "chief radiologic technologists"):
        assert title in text
    messages, slots = await run_action(ActionTitles(), make_tracker("ask_titles", [occupation("MRI tech")]))
    text = text_of(messages)
    assert text.startswith("Yes.") and "“Technician, MRI”" in text and "radiologic technologists" in text
    assert slots["occupation"] == "mri_technologist"


async def test_sources_of_the_last_answer(kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_source", slots={"sources_shown": ["careertrend_imaging"]})
    text = text_of((await run_action(ActionSources(), tracker))[0])
    assert "That answer comes from" in text and "Duties & Responsibilities" in text and PSCO not in text
    text = text_of((await run_action(ActionSources(), make_tracker("ask_source")))[0])
    assert "haven't answered" in text and PSCO in text and ARTICLE in text


async def test_counsellor_uses_the_school_settings(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCHOOL_NAME", "COUNSELLOR_NAME", "COUNSELLOR_EMAIL", "COUNSELLOR_PHONE"):
        monkeypatch.delenv(name, raising=False)
    metadata = {"school": "Hillside High", "counsellor_name": "Ms Ada Park", "counsellor_email": "ada@hillside.edu"}
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=metadata)))[0])
    assert "Ms Ada Park at Hillside High: ada@hillside.edu" in text
    bad = {"counsellor_name": "<script>alert(1)</script>", "counsellor_email": "not an email"}
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor", metadata=bad)))[0])
    assert "<script>" not in text and "not an email" not in text and "school office" in text
    monkeypatch.setenv("COUNSELLOR_EMAIL", "careers@example.org")
    text = text_of((await run_action(ActionCounsellor(), make_tracker("ask_counsellor")))[0])
    assert "careers@example.org" in text


async def test_fallback_suggests_from_the_ranking(kb: KnowledgeBase) -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_salary", "confidence": 0.3},
               {"name": "greet", "confidence": 0.1}, {"name": "ask_license", "confidence": 0.1}]
    tracker = make_tracker("nlu_fallback", [occupation("sonographer")], ranking=ranking)
    messages, _ = await run_action(ActionFallback(), tracker)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ['/ask_salary{"occupation": "sonographer"}', '/ask_license{"occupation": "sonographer"}',
                        "/help"]


@pytest.mark.parametrize("value", ["nurse", "", "x" * 10_000, "{'a': 1}", "<b>sonographer</b>"])
async def test_unknown_entity_values_are_never_used(kb: KnowledgeBase, value: str) -> None:
    messages, slots = await run_action(ActionAnswer(), make_tracker("ask_salary", [occupation(value)]))
    assert slots["occupation"] is None
    assert "Which one do you mean?" in messages[0]["text"]


RADIOLOGIST = {"entity": "other_job", "value": "radiologist", "text": "radiologists"}


async def test_a_job_outside_the_group_is_named_as_such_not_answered_for_the_nearest_title(
        kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_salary", [RADIOLOGIST], slots={"occupation": "sonographer"})
    messages, slots = await run_action(ActionAnswer(), tracker)
    text = text_of(messages)
    assert "not one of the jobs in group 3211" in text and "$" not in text and PSCO in text
    assert slots == {"topic": "salary", "sources_shown": ["psco_3211"]}  # the sonographer in context stays
    assert [b["title"] for b in messages[0]["buttons"]][:1] == ["Radiologic (X-ray) technologist"]


async def test_a_job_in_the_group_named_beside_it_is_answered(kb: KnowledgeBase) -> None:
    tracker = make_tracker("ask_duties", [occupation("sonographer"), RADIOLOGIST])
    text = text_of((await run_action(ActionAnswer(), tracker))[0])
    assert DUTIES["sonographer"] in text and "not one of the jobs" not in text


async def test_radiographer_or_radiologist_says_which_is_in_the_group(kb: KnowledgeBase) -> None:
    tracker = make_tracker("compare_occupations", [occupation("radiologic_technologist"), RADIOLOGIST])
    messages, slots = await run_action(ActionCompare(), tracker)
    assert "not one of the jobs in group 3211" in messages[0]["text"]
    assert "X-ray" in messages[1]["text"] or "x-ray" in messages[1]["text"].lower()
    assert slots["occupation"] == "radiologic_technologist" and "vs" not in text_of(messages)


@pytest.mark.parametrize("value", ["nurse", "radiologic_technologist", "<b>x</b>", "r" * 500])
async def test_other_job_values_not_in_the_knowledge_base_are_ignored(kb: KnowledgeBase, value: str) -> None:
    tracker = make_tracker("ask_salary", [{"entity": "other_job", "value": value, "text": value}])
    text = text_of((await run_action(ActionAnswer(), tracker))[0])
    assert "not one of the jobs" not in text and "Which one do you mean?" in text
