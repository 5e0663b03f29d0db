"""A server killed under `make run` (scripts/serve.sh, deploy/supervise.py) comes back by itself.

While the action server is down, students get the channel's polite reply; the supervisor starts
it again within seconds and custom actions answer again. A killed Rasa server is back within its
start-up time. Neither kill takes the other server down, and the output says why each restarted.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Callable, List, Tuple

import pytest
import requests

from bot.input import TROUBLE_REPLY
from harness.assistant import Assistant
from harness.figures import record

pytestmark = pytest.mark.e2e
SALARY_QUESTION = "how much do sonographers earn"  # answered by a custom action, with a "$" figure


def is_action_server(argv: List[str]) -> bool:
    return any(a == "-m" and b == "actions" for a, b in zip(argv, argv[1:], strict=False))


def is_rasa_server(argv: List[str]) -> bool:
    return any(a.endswith("/rasa") and b == "run" for a, b in zip(argv, argv[1:], strict=False))


def children_of(parent: int) -> List[int]:
    """Direct children of any thread of `parent` (the supervisor starts them from its watch thread)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def server_pid(assistant: Assistant, which: Callable[[List[str]], bool]) -> int:
    """The pid of one of serve.sh's servers, from /proc (the supervisor's children)."""
    assert assistant.process is not None
    found = []
    for pid in children_of(assistant.process.pid):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if which(argv):
            found.append(pid)
    assert len(found) == 1, f"expected one such server, found {found}"
    return found[0]


def ask(assistant: Assistant, text: str) -> Tuple[int, str, str]:
    """(status, the reply's text, the raw body), as a new student."""
    response = requests.post(f"{assistant.url}/webhooks/rest/webhook", timeout=60,
                             json={"sender": f"keepalive-{uuid.uuid4().hex[:8]}", "message": text})
    try:
        reply = "\n".join(m.get("text", "") for m in response.json())
    except ValueError:
        reply = ""
    return response.status_code, reply, response.text


def said(assistant: Assistant, text: str, timeout: float = 10) -> str:
    """The first line serve.sh printed that contains `text`, waiting for it a little."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(assistant.output):
            if text in line:
                return line.strip()
        time.sleep(0.1)
    raise AssertionError(f"serve.sh never printed {text!r}; it printed:\n{''.join(assistant.output)}")


def test_a_killed_action_server_is_restarted_and_students_are_answered_politely_meanwhile(
        own_assistant: Assistant) -> None:
    rasa = server_pid(own_assistant, is_rasa_server)
    actions = server_pid(own_assistant, is_action_server)
    assert "$" in ask(own_assistant, SALARY_QUESTION)[1]

    os.kill(actions, signal.SIGKILL)
    killed = time.monotonic()
    status, reply, body = ask(own_assistant, SALARY_QUESTION)  # right away
    assert status == 200 and (reply == TROUBLE_REPLY or "$" in reply), body  # never silence, never a 5xx
    assert "Traceback" not in body

    replies: List[str] = [reply]
    while "$" not in replies[-1] and time.monotonic() - killed < 60:
        time.sleep(0.25)
        status, reply, body = ask(own_assistant, SALARY_QUESTION)
        assert status == 200 and (reply == TROUBLE_REPLY or "$" in reply), body
        replies.append(reply)
    answered_after = time.monotonic() - killed
    assert "$" in replies[-1], f"no custom-action answer within 60 s of the kill: {replies[-3:]}"

    line = said(own_assistant, "The action server stopped (killed by SIGKILL)")
    assert "restarting it in 1 s" in line
    back = said(own_assistant, "The action server is back")
    log = (own_assistant.logs / "actions.log").read_text(errors="replace")
    assert "supervisor: The action server stopped (killed by SIGKILL)" in log
    assert server_pid(own_assistant, is_action_server) != actions
    assert server_pid(own_assistant, is_rasa_server) == rasa  # the Rasa server was never stopped
    figures = {"kill_to_custom_action_answer_s": round(answered_after, 2),
               "polite_replies_while_down": replies.count(TROUBLE_REPLY),
               "serve_sh_said": f"{line.split(' ', 1)[1]} {back.split(' ', 1)[1]}"}
    record("keepalive-action-server", figures)
    print(figures)


def test_a_killed_rasa_server_is_back_within_its_start_up_time(own_assistant: Assistant) -> None:
    rasa = server_pid(own_assistant, is_rasa_server)
    actions = server_pid(own_assistant, is_action_server)

    os.kill(rasa, signal.SIGKILL)
    killed = time.monotonic()
    healthy_after = None
    while time.monotonic() - killed < 180:
        try:
            if requests.get(f"{own_assistant.url}/webhooks/health/", timeout=2).status_code == 200:
                healthy_after = time.monotonic() - killed
                break
        except requests.RequestException:  # nothing listens while it restarts: documented in serve.sh
            pass
        time.sleep(0.25)
    assert healthy_after is not None, "the Rasa server was not healthy again within 180 s"
    status, reply, body = ask(own_assistant, SALARY_QUESTION)
    answered_after = time.monotonic() - killed
    assert status == 200 and "$" in reply, body

    line = said(own_assistant, "The Rasa server stopped (killed by SIGKILL)")
    assert "restarting it in 1 s" in line
    back = said(own_assistant, "The Rasa server is back")
    assert server_pid(own_assistant, is_rasa_server) != rasa
    assert server_pid(own_assistant, is_action_server) == actions  # the action server was never stopped
    figures = {"kill_to_healthy_s": round(healthy_after, 2), "kill_to_answer_s": round(answered_after, 2),
               "serve_sh_said": f"{line.split(' ', 1)[1]} {back.split(' ', 1)[1]}"}
    record("keepalive-rasa-server", figures)
    print(figures)
