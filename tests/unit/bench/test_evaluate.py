"""bench/evaluate.py without training: the Spanish section from a made-up summary, and how the sets are scored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bench import evaluate
from harness import sealed
from harness.servers import PROJECT_DIR


def scores(intent: float, caught: float, refused: float, jobs: float, spanish: bool = True) -> Dict[str, Any]:
    """What harness/sealed.py writes for a set, figures made up; a Spanish set's conversations count English replies."""
    figures = {"intent_accuracy": intent, "out_of_scope_caught": caught, "near_caught": caught, "far_caught": caught,
               "in_scope_refused": refused, "job_ids_right": jobs}
    dialogues = {"conversations": 20, "conversations_right": 10, "turns": 88, "turns_right": 70}
    if spanish:
        dialogues.update(spanish_turns=86, english_replies=2)
    return {"messages": 440, "in_scope": 261, "near": 98, "far": 81, "out_of_scope": 179, **figures,
            "dialogues": dialogues, "coinciding_texts": 11,
            "clean": {"messages": 429, "in_scope": 250, "out_of_scope": 179, "near": 98, "far": 81, **figures},
            "caught_by_kind": {"far": {"caught": 70, "of": 81}}}


SUMMARY = {"shipped": {"spanish": scores(0.92, 0.91, 0.03, 0.96), "spanish_sealed": scores(0.94, 0.90, 0.02, 0.97),
                       "sealed": scores(0.936, 0.94, 0.024, 0.894, spanish=False)},
           "rasa_default": {"spanish": scores(0.80, 0.70, 0.06, 0.96),
                            "spanish_sealed": scores(0.80, 0.75, 0.04, 0.97)}}


def test_the_spanish_section_has_every_candidate_both_sets_and_the_issue_targets() -> None:
    lines = evaluate.spanish_section(SUMMARY)
    text = "\n".join(lines)
    assert lines[0] == "## Spanish" and "### Development set" in lines and "### Sealed set" in lines
    assert f"`{sealed.SPANISH_SEALED.relative_to(PROJECT_DIR)}/`: 440 messages (261 in scope" in text
    assert "never read" in text
    assert "| shipped | 0.940 | 0.900 | 0.020 | 0.970 | 10/20 | 70/88 | 2/86 |" in lines
    assert "| rasa_default | 0.800 | 0.700 | 0.060 | 0.960 | 10/20 | 70/88 | 2/86 |" in lines
    assert lines.count("| *target (issue 23)* | ≥ 0.93 | ≥ 0.90 |  | ≥ 0.97 | | | 0 |") == 2
    assert ("Shipped ÷ Rasa's default pipeline, same run: intent accuracy 1.15; out of scope caught 1.30; "
            "in scope refused 0.50; right job ids 1.00.") in lines  # the development set's
    assert "mostly short common questions" not in text  # said of the English sets' coinciding texts only


def test_without_spanish_figures_there_is_no_spanish_section() -> None:
    """A summary written before the Spanish sets were scored still makes the page."""
    assert evaluate.spanish_section({"shipped": {"sealed": SUMMARY["shipped"]["sealed"]}}) == []


def test_the_english_sets_keep_their_columns_and_targets() -> None:
    lines = evaluate.sealed_section(SUMMARY)
    assert lines[0] == "## Sealed test set" and lines[2].startswith(f"`{sealed.SEALED.relative_to(PROJECT_DIR)}/`: ")
    assert "| shipped | 0.936 | 0.940 | 0.940 | 0.940 | 0.024 | 0.894 | 10/20 | 70/88 |" in lines
    assert "| *target (issue 20)* | ≥ 0.95 | ≥ 0.95 | ≥ 0.95 |  | ≤ 0.02 | ≥ 0.98 | | |" in lines
    assert not any("answered in English" in line for line in lines)


def test_every_set_is_scored_with_its_own_flag_and_no_text_is_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[List[str]] = []
    sealed_calls: List[bool] = []

    def fake_run(args: List[str], check: bool = False, reads_sealed: bool = False) -> None:
        calls.append(args)
        sealed_calls.append(reads_sealed)
        Path(args[4]).write_text(json.dumps({"intent_accuracy": 0.9, "confusions": [{"count": 1}]}))

    monkeypatch.setattr(evaluate, "run", fake_run)
    scored = evaluate.score_sets(Path("model.tar.gz"), tmp_path, "shipped")
    assert scored == {key: {"intent_accuracy": 0.9} for key in evaluate.SETS}
    assert [a[5:] for a in calls] == [["--development"], ["--names"], ["--students"], [], ["--spanish"],
                                      ["--spanish-2"], ["--spanish-sealed"]]
    assert all(a[1:3] == ["-m", "harness.sealed"] for a in calls)
    assert sealed_calls == [False, False, False, True, False, False, True]


def test_a_step_that_fails_on_a_sealed_set_does_not_echo_what_it_said(capsys: pytest.CaptureFixture) -> None:
    """What a scorer prints on failure could quote a sealed text: only its command is shown."""
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('a quoted ' + 'text'); sys.exit(1)"]
    with pytest.raises(subprocess.CalledProcessError):
        evaluate.run(failing, check=True, reads_sealed=True)
    assert "a quoted text" not in capsys.readouterr().err
    with pytest.raises(subprocess.CalledProcessError):
        evaluate.run(failing, check=True)
    assert "a quoted text" in capsys.readouterr().err
