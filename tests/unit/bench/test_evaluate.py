"""bench/evaluate.py without training: how the sets in the sealed set's format are scored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bench import evaluate


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
    assert [a[5:] for a in calls] == [["--development"], [], ["--spanish"], ["--spanish-sealed"]]
    assert all(a[1:3] == ["-m", "harness.sealed"] for a in calls)
    assert sealed_calls == [False, True, False, True]


def test_a_step_that_fails_on_a_sealed_set_does_not_echo_what_it_said(capsys: pytest.CaptureFixture) -> None:
    """What a scorer prints on failure could quote a sealed text: only its command is shown."""
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('a quoted ' + 'text'); sys.exit(1)"]
    with pytest.raises(subprocess.CalledProcessError):
        evaluate.run(failing, check=True, reads_sealed=True)
    assert "a quoted text" not in capsys.readouterr().err
    with pytest.raises(subprocess.CalledProcessError):
        evaluate.run(failing, check=True)
    assert "a quoted text" in capsys.readouterr().err
