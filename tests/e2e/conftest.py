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
