"""deploy/command.py: the one `rasa run` command line, which every starter uses, and its exec for the entrypoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.command import actions_run, main, rasa_run

ROOT = Path(__file__).resolve().parents[3]


def test_rasa_run_names_the_model_endpoints_channels_and_address_and_never_cors() -> None:
    assert rasa_run(model="models/current.tar.gz", endpoints="endpoints.yml", interface="127.0.0.1", port=5005) == [
        "rasa", "run", "--model", "models/current.tar.gz", "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", "5005"]
    command = rasa_run(model=Path("/m.tar.gz"), endpoints="endpoints.redis.yml", interface="0.0.0.0", port="5105",
                       rasa=".venv/bin/rasa", extra=["--debug"])
    assert command[0] == ".venv/bin/rasa" and command[-1] == "--debug" and "/m.tar.gz" in command
    assert "--cors" not in command and "--enable-api" not in command


def test_actions_run() -> None:
    assert actions_run(port=5055) == ["python", "-m", "actions", "--port", "5055"]
    assert actions_run(port=5160, python=".venv/bin/python")[0] == ".venv/bin/python"


def test_every_python_starter_builds_its_command_line_here() -> None:
    """No starter types `rasa run`'s flags again: they ask rasa_run (deploy/, harness/, bench/)."""
    typed = [str(p.relative_to(ROOT)) for folder in ("deploy", "harness", "bench", "scripts")
             for p in sorted((ROOT / folder).rglob("*.py")) if '"--credentials"' in p.read_text()]
    assert typed == ["deploy/command.py"]
    entrypoint = (ROOT / "deploy" / "docker" / "rasa-entrypoint.sh").read_text()
    assert "exec python -m deploy.command " in entrypoint and "exec rasa run" not in entrypoint


def test_print_shows_the_command_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["--model", "m.tar.gz", "--endpoints", "e.yml", "--interface", "0.0.0.0", "--port", "5005",
                 "--print", "--", "--debug", "--log-file", "a b.log"]) == 0
    assert capsys.readouterr().out.strip() == ("rasa run --model m.tar.gz --endpoints e.yml --credentials "
                                               "credentials.yml --interface 0.0.0.0 --port 5005 --debug "
                                               "--log-file 'a b.log'")


def test_it_execs_rasa_in_its_own_process(tmp_path: Path) -> None:
    """The entrypoint's last step: the process becomes `rasa run`, so that Rasa gets the signals."""
    stand_in = tmp_path / "rasa"
    stand_in.write_text('#!/bin/sh\necho "pid $$"\nprintf "%s\\n" "$@"\n')
    stand_in.chmod(0o755)
    process = subprocess.Popen([sys.executable, "-m", "deploy.command", "--model", "m", "--endpoints", "e",
                                "--interface", "i", "--port", "1", "--", "--debug"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"})
    out, _ = process.communicate(timeout=60)
    lines = out.splitlines()
    assert process.returncode == 0 and lines[0] == f"pid {process.pid}"
    assert lines[1:] == ["run", "--model", "m", "--endpoints", "e", "--credentials", "credentials.yml",
                         "--interface", "i", "--port", "1", "--debug"]


def test_a_missing_rasa_is_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--model", "m", "--endpoints", "e", "--interface", "i", "--port", "1",
                 "--rasa", str(tmp_path / "no-rasa")]) == 1
    assert "cannot start" in capsys.readouterr().err
