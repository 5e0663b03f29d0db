"""The real servers, started once per test session by scripts/serve.sh; every test here is end to end."""

from __future__ import annotations

import contextlib
from typing import Iterator

import pytest

from harness.assistant import Assistant, AssistantDidNotStart, start_assistant

SCHOOL = {
    "SCHOOL_NAME": "Hillside High",
    "COUNSELLOR_NAME": "Ms Ada Park",
    "COUNSELLOR_EMAIL": "ada.park@hillside.example",
}


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(start_assistant(tmp_path_factory.mktemp("servers"), SCHOOL))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        yield running


# A district's server: two schools in a schools file (bot/schools.py), whose pages are known only by
# their Origin. The hosts need not exist: the clients send the Origin header a browser would.
HILLSIDE, RIDGEVIEW, FOREIGN = "https://hillside.example", "https://ridgeview.example", "http://evil.example"
SCHOOLS_FILE = f"""
schools:
  - id: hillside
    name: Hillside High School
    origins: [{HILLSIDE}]
    counsellor: {{name: Ms Ada Park, email: ada.park@hillside.example}}
  - id: ridgeview
    name: Ridgeview Academy
    origins: [{RIDGEVIEW}]
    counsellor: {{name: Mr Tom Lee, email: tom.lee@ridgeview.example, phone: "555-0199"}}
"""


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("district")
    (tmp / "schools.yml").write_text(SCHOOLS_FILE, encoding="utf-8")
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(start_assistant(tmp, {"SCHOOLS_FILE": str(tmp / "schools.yml")}))
        except AssistantDidNotStart as error:
            pytest.fail(str(error))
        yield running
