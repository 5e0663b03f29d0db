"""deploy/supervise.py with tiny real child processes: `python -c` scripts and python's http.server."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import pytest

from deploy.supervise import Service, ServiceDidNotStart, Supervisor, exit_reason

PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    """Running (a zombie, or a pid that is gone, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class Said:
    """`say`, keeping every message and when it came."""

    def __init__(self) -> None:
        self.lines: List[Tuple[float, str]] = []

    def __call__(self, message: str) -> None:
        self.lines.append((time.monotonic(), message))

    def matching(self, text: str) -> List[Tuple[float, str]]:
        return [(at, line) for at, line in list(self.lines) if text in line]


class Running:
    """A supervisor whose watch() runs in a thread, stopped at the end of the test."""

    def __init__(self, services: List[Service], max_backoff: float = 30.0) -> None:
        self.said = Said()
        self.supervisor = Supervisor(services, say=self.said, max_backoff=max_backoff)
        self.stop_watching = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def start(self) -> "Running":
        self.supervisor.start()
        self.thread = threading.Thread(target=self.supervisor.watch, args=(self.stop_watching,), daemon=True)
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop_watching.set()
        self.supervisor.stop()
        if self.thread is not None:
            self.thread.join(timeout=10)


@pytest.fixture()
def running() -> Iterator[Callable[..., Running]]:
    made: List[Running] = []

    def make(services: List[Service], max_backoff: float = 30.0) -> Running:
        made.append(Running(services, max_backoff))
        return made[-1]

    yield make
    for one in made:
        one.close()


def sleeper(tmp_path: Path, name: str) -> Service:
    return Service(name, [PY, "-c", f"import time; print('{name} up', flush=True); time.sleep(600)"],
                   None, tmp_path / f"{name}.log")


def web(tmp_path: Path, name: str) -> Tuple[Service, int]:
    """python's own http.server: GET / is 200 once it listens."""
    port = free_port()
    return Service(name, [PY, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                   f"http://127.0.0.1:{port}/", tmp_path / f"{name}.log", ready_timeout=20), port


def test_exit_reasons() -> None:
    assert exit_reason(3) == "exit code 3"
    assert exit_reason(-signal.SIGKILL) == "killed by SIGKILL"
    assert exit_reason(-signal.SIGTERM) == "killed by SIGTERM"


def test_a_crashed_service_is_restarted_and_the_reason_is_said_and_logged(tmp_path: Path, running) -> None:
    crashing = Service("crasher", [PY, "-c", "import time; time.sleep(0.3); raise SystemExit(3)"], None,
                       tmp_path / "crasher.log")
    run = running([crashing]).start()
    # the counter goes up a moment before the message is said and logged: wait for the message
    eventually(lambda: bool(run.said.matching("Restarted the crasher (restart 1, pid ")), 5, "a restart")
    assert run.said.matching("The crasher stopped (exit code 3) after 0 s; restarting it in 1 s.")
    log = (tmp_path / "crasher.log").read_text()
    assert "supervisor: The crasher stopped (exit code 3)" in log and "supervisor: Restarted the crasher" in log


def test_a_killed_service_is_restarted_with_the_signal_named(tmp_path: Path, running) -> None:
    run = running([sleeper(tmp_path, "worker")]).start()
    first = run.supervisor.pid("worker")
    assert first is not None
    os.kill(first, signal.SIGKILL)
    eventually(lambda: run.supervisor.pid("worker") not in (None, first), 5, "a new worker")
    assert run.said.matching("The worker stopped (killed by SIGKILL)")
    second = run.supervisor.pid("worker")
    assert second is not None
    os.kill(second, signal.SIGTERM)
    eventually(lambda: run.said.matching("The worker stopped (killed by SIGTERM)") != [], 5, "SIGTERM named")
    assert run.said.matching("restarting it in 2 s.")  # the second stop within a minute waits longer


def test_the_backoff_doubles_up_to_the_cap_and_is_kept(tmp_path: Path, running) -> None:
    failing = Service("failing", [PY, "-c", "raise SystemExit(1)"], None, tmp_path / "failing.log")
    run = running([failing], max_backoff=2.0).start()
    eventually(lambda: len(run.said.matching("The failing stopped")) >= 4, 15, "four stops")
    stops = run.said.matching("The failing stopped")[:4]
    assert [line.rsplit("restarting it in ", 1)[1] for _, line in stops] == ["1 s.", "2 s.", "2 s.", "2 s."]
    starts = run.said.matching("Restarted the failing")[:3]
    for (stopped_at, _), (restarted_at, _), delay in zip(stops[:3], starts, [1, 2, 2], strict=True):  # waited
        assert delay - 0.05 <= restarted_at - stopped_at < delay + 1.0


def test_the_backoff_goes_back_to_1_s_after_a_service_stayed_up(tmp_path: Path, running) -> None:
    brief = Service("brief", [PY, "-c", "import time; time.sleep(0.6); raise SystemExit(4)"], None,
                    tmp_path / "brief.log")
    run = running([brief])
    run.supervisor.stable_after = 0.5  # instead of 60 s
    run.start()
    eventually(lambda: len(run.said.matching("The brief stopped")) >= 3, 15, "three stops")
    assert all(line.endswith("restarting it in 1 s.") for _, line in run.said.matching("The brief stopped"))


def test_one_service_dying_does_not_stop_another(tmp_path: Path, running) -> None:
    (first, first_port), (second, _) = web(tmp_path, "first"), web(tmp_path, "second")
    run = running([first, second]).start()
    first_pid, second_pid = run.supervisor.pid("first"), run.supervisor.pid("second")
    assert first_pid is not None and second_pid is not None
    assert os.getpgid(first_pid) == first_pid and os.getpgid(second_pid) == second_pid  # own groups
    assert os.getsid(first_pid) == first_pid != os.getsid(0)  # not in the test's session either
    os.killpg(first_pid, signal.SIGKILL)
    eventually(lambda: run.said.matching("The first is back") != [], 10, "the first answers again")
    assert run.supervisor.pid("second") == second_pid and alive(second_pid)
    assert run.supervisor.restarts == {"first": 1, "second": 0}
    with socket.create_connection(("127.0.0.1", first_port), timeout=2):
        pass


def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    parent = Service("parent", [PY, "-c", (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print('child', child.pid, flush=True)\n"
        "time.sleep(600)\n")], None, tmp_path / "parent.log")
    supervisor = Supervisor([parent], say=lambda _: None)
    supervisor.start()
    log = tmp_path / "parent.log"
    eventually(lambda: "child " in log.read_text(), 10, "the child's pid in the log")
    child = int(log.read_text().split("child ", 1)[1].split()[0])
    leader = supervisor.pid("parent")
    assert leader is not None and alive(child) and os.getpgid(child) == leader
    supervisor.stop()
    eventually(lambda: not alive(child), 5, "the child gone too")
    assert not alive(leader) and supervisor.pid("parent") is None
    supervisor.stop()  # idempotent


def test_stop_sigkills_what_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = Service("stubborn", [PY, "-c", (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n")], None, tmp_path / "stubborn.log")
    supervisor = Supervisor([stubborn], say=lambda _: None)
    supervisor.stop_grace = 1.0  # instead of 20 s
    supervisor.start()
    eventually(lambda: "ready" in (tmp_path / "stubborn.log").read_text(), 10, "SIGTERM ignored")
    pid = supervisor.pid("stubborn")
    assert pid is not None
    begun = time.monotonic()
    supervisor.stop()
    assert 0.9 <= time.monotonic() - begun < 5 and not alive(pid)


def test_a_service_that_never_answers_raises_with_its_name_and_last_log_lines(tmp_path: Path) -> None:
    never = Service("silent server", [PY, "-c", (
        "import time\n"
        "for n in range(1, 31): print('line', n, flush=True)\n"
        "time.sleep(600)\n")], f"http://127.0.0.1:{free_port()}/health", tmp_path / "silent.log", ready_timeout=1.5)
    before = sleeper(tmp_path, "before")
    supervisor = Supervisor([before, never], say=lambda _: None)
    with pytest.raises(ServiceDidNotStart) as raised:
        supervisor.start()
    message = str(raised.value)
    assert "The silent server did not answer within 1.5 s" in message and str(tmp_path / "silent.log") in message
    assert "line 30" in message and "line 11" in message and "line 10\n" not in message  # the last 20
    assert supervisor.pid("before") is None and supervisor.pid("silent server") is None  # all stopped again


def test_a_service_that_exits_while_starting_raises_with_the_exit_code(tmp_path: Path) -> None:
    broken = Service("broken", [PY, "-c", "import sys; print('no knowledge base', file=sys.stderr); sys.exit(2)"],
                     f"http://127.0.0.1:{free_port()}/health", tmp_path / "broken.log", ready_timeout=30)
    with pytest.raises(ServiceDidNotStart, match=r"The broken stopped while starting \(exit code 2\)") as raised:
        Supervisor([broken], say=lambda _: None).start()
    assert "no knowledge base" in str(raised.value)


def test_env_is_merged_over_the_environment(tmp_path: Path, running) -> None:
    env_service = Service("env", [PY, "-c", "import os, time; print(os.environ['ONLY_HERE'], 'PATH' in os.environ, "
                                            "flush=True); time.sleep(600)"], None, tmp_path / "env.log",
                          env={"ONLY_HERE": "yes"})
    running([env_service]).start()
    eventually(lambda: "yes True" in (tmp_path / "env.log").read_text(), 10, "the merged environment")
