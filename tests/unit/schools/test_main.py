"""`python -m schools`: checks a file before a server starts with it, and makes tokens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from schools.__main__ import main
from schools.school import hash_token

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "schools.example.yml"


def test_a_valid_file_lists_its_schools(capsys: pytest.CaptureFixture) -> None:
    assert main([str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "hillside: Hillside High School <- https://www.hillside.example https://hillside.example" in out
    assert "ridgeview: Ridgeview Academy <- https://ridgeview.example (no insights token)" in out


def test_a_wrong_file_says_which_school_and_field(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["schools"][0].pop("origins")
    broken = tmp_path / "schools.yml"
    broken.write_text(yaml.safe_dump(data))
    assert main([str(broken)]) == 1 and "school hillside: `origins`" in capsys.readouterr().err
    assert main(["--origins", str(broken)]) == 1 and "schools file:" in capsys.readouterr().err


def test_origins_hash_and_new_token(capsys: pytest.CaptureFixture) -> None:
    assert main(["--origins", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.split() == ["https://www.hillside.example", "https://hillside.example",
                                               "https://ridgeview.example"]
    assert main(["--hash", "abc"]) == 0 and capsys.readouterr().out.strip() == hash_token("abc")
    assert main(["--new-token"]) == 0
    token_line, hash_line = capsys.readouterr().out.splitlines()
    assert hash_line.split()[-1] == hash_token(token_line.split()[-1])


def test_without_a_file_it_names_the_local_origins(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("SCHOOLS_FILE", raising=False)
    monkeypatch.setenv("CORS_ORIGINS", "http://127.0.0.1:5005")
    assert main([]) == 0 and "pages on CORS_ORIGINS only: http://127.0.0.1:5005" in capsys.readouterr().out


def test_it_runs_as_a_module() -> None:
    """As scripts/serve.sh and the Docker entrypoint run it."""
    done = subprocess.run([sys.executable, "-m", "schools", str(EXAMPLE)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0 and "hillside:" in done.stdout, done.stderr
