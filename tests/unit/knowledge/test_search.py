"""The search over the knowledge base's texts (knowledge/search.py), on the real knowledge base."""

from __future__ import annotations

import time
from typing import Any, List

import pytest

from knowledge.names import Found
from knowledge.query import KnowledgeBase
from knowledge.search import LOOKUPS, THRESHOLD, Searcher, _murmur64, load_lemmas, searcher, select_task
from tests.unit.trackers import named

# A question about one of the group's tasks, and a word that the task chosen must contain.
TASK_QUESTIONS = [
    ("do they measure the radiation doses", "dose"),
    ("who stores the radioactive medicines", "Store radioactive medicines"),
    ("do they dispose of radioactive waste", "throw away"),
    ("do they watch patients for reactions", "unusual"),
    ("do they check the image quality", "good enough for a diagnosis"),
    ("do they explain the procedure to patients", "Explain the procedure"),
    ("do they inject radioactive medicine", "Give radioactive medicines"),
]
BAD_INPUTS: List[Any] = [None, 42, 3.5, ["salary"], {"text": "salary"}, "", "   ", "x" * 10_000, "salary " * 300,
                         "/ask_salary", '/ask_duties{"occupation": "sonographer"}', "<script>alert(1)</script>",
                         "\x00\x01\x02", "💰💰💰", "ñ" * 50, "<" * 500 + "salary"]


def group_duties(kb: KnowledgeBase) -> Any:
    group = next(o for o in kb.occupations() if o.parent_id is None)
    fact = kb.fact(group.id, "duties")
    assert fact is not None
    return fact


@pytest.mark.parametrize("question,words", TASK_QUESTIONS)
def test_a_task_question_finds_its_task(kb: KnowledgeBase, question: str, words: str) -> None:
    task = select_task(kb, group_duties(kb), question)
    assert task is not None and task.task is not None and words in task.text
    assert task.line in group_duties(kb).text and task.intro and task.intro in group_duties(kb).text


@pytest.mark.parametrize("question", ["what do they do", "what are their main duties", "daily tasks?",
                                      "what do they do with patients", "do they deal with radioactive stuff"])
def test_a_general_duties_question_gets_no_single_task(kb: KnowledgeBase, question: str) -> None:
    assert select_task(kb, group_duties(kb), question) is None


def test_a_task_of_another_fact_is_not_chosen(kb: KnowledgeBase) -> None:
    """select_task only picks items of the fact being answered (a job's own duties are not a list)."""
    own = kb.fact(named(kb, "sonographer"), "duties")
    assert own is not None
    assert select_task(kb, own, "do they measure the radiation doses") is None


@pytest.mark.parametrize("message", ["how do I bake bread", "what is photosynthesis", "how much do nurses earn",
                                     "do dentists need a licence", "what does a pilot do", "lkjhsdf qwe",
                                     "good night", "thanks for the help", "are you a robot",
                                     "who earns more, a sonographer or a rad tech"])
def test_off_topic_messages_find_nothing_above_the_threshold(kb: KnowledgeBase, message: str) -> None:
    hit = searcher(kb).search(message)
    assert hit is None or hit.score < THRESHOLD
    assert searcher(kb).answer(message) is None


@pytest.mark.parametrize("message,topic", [("income?", "salary"), ("is it risky", "safety"),
                                           ("what equipment do they use", "equipment"),
                                           ("can they specialise", "specialties"),
                                           ("will AI replace them in the future", "outlook")])
def test_clear_questions_find_their_topic(kb: KnowledgeBase, message: str, topic: str) -> None:
    hit = searcher(kb).answer(message)
    assert hit is not None and hit.document.topic == topic and hit.score >= THRESHOLD


def test_a_named_job_gets_its_own_fact_or_an_ancestors(kb: KnowledgeBase) -> None:
    search = searcher(kb)
    own = search.answer("income of a nuclear medicine technologist")
    nuclear = named(kb, "nuclear medicine technologist")
    assert own is not None and own.document.occupation_id == nuclear and own.jobs == (nuclear,)
    borrowed = search.answer("licence for mri techs")  # an MRI technologist has no licence fact of its own
    assert borrowed is not None and borrowed.document.topic == "license"
    assert borrowed.document.occupation_id in kb.lineage(named(kb, "mri techs"))[1:]
    misspelt = search.answer("income of a sonografer")
    assert misspelt is not None and misspelt.document.occupation_id == named(kb, "sonographer")


def test_two_jobs_on_different_lines_share_only_their_ancestors(kb: KnowledgeBase) -> None:
    hit = searcher(kb).search("specialise as a sonographer or a nuclear medicine technologist")
    assert hit is not None
    shared = set(kb.lineage(named(kb, "sonographer"))) & set(kb.lineage(named(kb, "nuclear medicine technologist")))
    assert hit.document.occupation_id in shared


def test_a_job_outside_the_group_gets_nothing(kb: KnowledgeBase) -> None:
    assert searcher(kb).search("how much do radiologists earn") is None


def test_the_conversations_jobs_count_too(kb: KnowledgeBase) -> None:
    job = named(kb, "sonographer")
    hit = searcher(kb).answer("what do they earn", jobs=[job])
    assert hit is not None and hit.document.occupation_id == job
    assert searcher(kb).answer("what do they earn", jobs=["not_a_job", 7]) is not None  # unknown ids are ignored


def test_a_messages_names_are_the_nlus_not_found_again(kb: KnowledgeBase) -> None:
    """The NLU's entities decide which jobs a message names: the search neither adds nor drops one."""
    text = "income of a sonographer"
    start = text.index("sonographer")
    nlu = [Found(start, len(text), "sonographer", "occupation", named(kb, "sonographer"))]
    hit = searcher(kb).answer(text, nlu)
    assert hit is not None and hit.document.occupation_id == named(kb, "sonographer")
    # the NLU read "nuclear medicine physician" as a job outside the group: no fact of the group's is given
    text = "income of a nuclear medicine physician"
    outside = [Found(12, len(text), text[12:], "other_job", "other_health_technician")]
    assert searcher(kb).answer(text, outside) is None
    assert searcher(kb).search(text, []) is not None  # with no names, the words alone are searched
    # a span outside the text (a stale entity) is ignored, never an error
    assert searcher(kb).answer("income", [Found(40, 50, "x", "occupation", named(kb, "sonographer"))]) is not None


@pytest.mark.parametrize("value", BAD_INPUTS)
def test_bad_input_never_crashes_and_is_never_answered(kb: KnowledgeBase, value: Any) -> None:
    search = searcher(kb)
    assert search.answer(value) is None or (isinstance(value, str) and "salary" in value)
    assert search.task(value) is None
    assert select_task(kb, group_duties(kb), value) is None


def test_it_is_built_once_deterministic_and_fast(kb: KnowledgeBase) -> None:
    assert searcher(kb) is searcher(kb)
    started = time.perf_counter()
    again = Searcher(kb)
    assert time.perf_counter() - started < 2
    messages = ["income?", "is it risky 4 mammo techs", "eeg technologist job tasks?", "how do I bake bread"]
    assert [searcher(kb).search(m) for m in messages] == [again.search(m) for m in messages]
    started = time.perf_counter()
    for _ in range(20):
        again.search("i'm 34 and thinking of retraining, what does working as a medical imaging technologist "
                     "involve in general, and is it risky for people who want kids later")
    assert (time.perf_counter() - started) / 20 < 0.05


def test_the_task_documents_keep_their_facts_sources(kb: KnowledgeBase) -> None:
    tasks = [d for d in searcher(kb).documents if d.task is not None]
    fact = group_duties(kb)
    assert len(tasks) == fact.text.count("\n") and all(t.source_ids == fact.source_ids for t in tasks)


def test_lemmas_are_the_nlu_pipelines(kb: KnowledgeBase) -> None:
    """The lookup table is read without spaCy: its keys are spaCy's 64-bit MurmurHash of the word."""
    assert _murmur64(b"doses") == 10718517124751874050  # spacy.strings.get_string_id("doses")
    lemma = load_lemmas()
    assert [lemma(w) for w in ("doses", "paid", "watching", "radiopharmaceuticals")] == [
        "dose", "pay", "watch", "radiopharmaceutical"]
    if LOOKUPS.is_file():
        assert lemma("u") == "you"  # the pipeline's chat spellings (knowledge/spacy_pipeline.py)
