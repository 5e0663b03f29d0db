"""A small process supervisor: start services, wait until each answers, restart one that exits.

`make run` (scripts/serve.sh, through deploy/run_local.py) runs the action server and the Rasa
server under it, and harness/cluster.py its replicas. What it does:

- `start()` starts the services in order, each in its own process group (a kill of one never
  takes another down), and waits until each is ready (its `health_url` answers 200) before the
  next; a service that exits or does not answer within `ready_timeout` raises ServiceDidNotStart
  with the last lines of its log, after everything started so far is stopped again.
- `watch(stop)` restarts a service that exits, after a backoff of 1, 2, 4 ... `max_backoff`
  seconds, back to 1 s once it has stayed up 60 s. Each stop and restart is said (`say`) and
  written to the service's log, with the reason (exit code or signal) and the delay. A restarted
  service that does not answer within its `ready_timeout` is killed, and so restarted again.
- `stop()` sends SIGTERM to every service's process group (last started first), waits up to
  20 s, then SIGKILLs what is left, children included.

The methods may be called from different threads (`watch` usually runs in its own).
Standard library only.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

LOG_TAIL_LINES = 20
HEALTH_TIMEOUT = 2.0
POLL_SECONDS = 0.2
# Health checks are local: a proxy from the environment (http_proxy) must not answer them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Service:
    name: str                      # e.g. "action server", "rasa-1"
    argv: List[str]
    health_url: Optional[str]      # polled (GET, 2 s timeout, 200 = ready) before the service counts as up
    log: Path                      # stdout+stderr appended here
    env: Dict[str, str] = field(default_factory=dict)   # merged over os.environ
    ready_timeout: float = 240.0


class ServiceDidNotStart(RuntimeError):
    """A service exited while starting or did not answer in time; the message names it and holds
    the last 20 lines of its log."""


def exit_reason(returncode: int) -> str:
    """`exit code 2`, or `killed by SIGKILL` for Popen's negative return codes."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def healthy(url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    """GET `url`: True on 200, False on any other status, a refused connection or a timeout."""
    try:
        with _OPENER.open(url, timeout=timeout) as answer:
            status: int = answer.status
            return status == 200
    except (OSError, ValueError, http.client.HTTPException):
        return False


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of a log, or a note that it cannot be read."""
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 64_000))
            text = log.read().decode("utf-8", errors="replace")
    except OSError as error:
        return f"(cannot read {path}: {error.strerror})"
    return "\n".join(text.splitlines()[-lines:])


def _signal_group(pgid: Optional[int], signum: int) -> bool:
    """Send `signum` to a process group; False if the group is gone."""
    if pgid is None:
        return False
    try:
        os.killpg(pgid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


@dataclass
class _State:
    """What the supervisor knows about one service."""

    process: Optional[subprocess.Popen[bytes]] = None
    started_at: float = 0.0
    backoff: Optional[float] = None  # the delay before the next restart; None: `first_backoff`
    restart_at: Optional[float] = None
    down_since: Optional[float] = None
    awaiting_health: bool = False  # restarted, not yet seen healthy
    last_group: Optional[int] = None  # the process group of the run that exited (leftover children)


class Supervisor:
    """Starts, watches and stops a list of services; see the module's docstring."""

    first_backoff: float = 1.0     # seconds before the first restart
    stable_after: float = 60.0     # a service up this long gets `first_backoff` again
    stop_grace: float = 20.0       # SIGTERM, then this long, then SIGKILL

    def __init__(self, services: List[Service], say: Callable[[str], None] = print,
                 max_backoff: float = 30.0) -> None:
        names = [service.name for service in services]
        if len(set(names)) != len(names):
            raise ValueError(f"service names must be unique: {names}")
        self.services = list(services)
        self.say = say
        self.max_backoff = max_backoff
        self.restarts: Dict[str, int] = {name: 0 for name in names}
        self._state: Dict[str, _State] = {name: _State() for name in names}
        self._lock = threading.Lock()
        self._closing = threading.Event()

    # --- the API ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the services in order, each once the one before answers; raise ServiceDidNotStart
        (everything started so far stopped again) if one exits or does not answer in time."""
        begun = time.monotonic()
        try:
            for service in self.services:
                with self._lock:
                    if self._closing.is_set():
                        raise ServiceDidNotStart(f"The {service.name} was not started: the supervisor is stopping.")
                    state = self._state[service.name]
                    try:
                        state.process = self._spawn(service)
                    except OSError as error:
                        raise ServiceDidNotStart(f"The {service.name} could not be started: {error}") from error
                    state.started_at = time.monotonic()
                self._wait_ready(service, state, begun)
        except ServiceDidNotStart:
            self.stop()
            raise

    def watch(self, stop: threading.Event) -> None:
        """Restart services that exit, with a backoff, until `stop` is set (or `stop()` is called)."""
        while not stop.is_set() and not self._closing.is_set():
            self._tick()
            stop.wait(POLL_SECONDS)

    def stop(self) -> None:
        """SIGTERM every service's process group (reverse order), wait up to `stop_grace` s, then SIGKILL."""
        with self._lock:
            self._closing.set()
            running: List[Tuple[Service, subprocess.Popen[bytes]]] = []
            leftovers: List[int] = []  # the groups of runs that exited: children of theirs may be left
            for service in reversed(self.services):
                state = self._state[service.name]
                if state.process is not None:
                    running.append((service, state.process))
                elif state.last_group is not None:
                    leftovers.append(state.last_group)
                state.process, state.restart_at, state.last_group = None, None, None
        for service, process in running:
            if process.poll() is None:
                self._write_log(service, f"stopping the {service.name} (SIGTERM)")
            _signal_group(process.pid, signal.SIGTERM)
        for pgid in leftovers:
            _signal_group(pgid, signal.SIGTERM)
        groups = [process.pid for _, process in running] + leftovers
        deadline = time.monotonic() + self.stop_grace
        for _, process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        while groups and time.monotonic() < deadline and any(_signal_group(pgid, 0) for pgid in groups):
            time.sleep(0.1)  # the leaders are gone; their children may still be closing
        for pgid in groups:
            _signal_group(pgid, signal.SIGKILL)
        for _, process in running:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # stuck in the kernel; nothing more to do
                pass

    def pid(self, name: str) -> Optional[int]:
        """The pid (and process group) of a running service; None while it is down. KeyError: no such service."""
        with self._lock:
            process = self._state[name].process
        return process.pid if process is not None and process.poll() is None else None

    # --- inside -----------------------------------------------------------------------------------

    def _spawn(self, service: Service) -> subprocess.Popen[bytes]:
        """Start one run of a service, its output appended to its log (the caller holds the lock)."""
        service.log.parent.mkdir(parents=True, exist_ok=True)
        self._write_log(service, f"starting the {service.name}")
        with open(service.log, "ab") as out:
            return subprocess.Popen(service.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    env={**os.environ, **service.env}, start_new_session=True)

    def _wait_ready(self, service: Service, state: _State, begun: float) -> None:
        deadline = time.monotonic() + service.ready_timeout
        next_note = 10
        while True:
            process = state.process
            if self._closing.is_set() or process is None:
                raise ServiceDidNotStart(f"The {service.name} was stopped while starting. Last lines of "
                                         f"{service.log}:\n{log_tail(service.log)}")
            returncode = process.poll()
            if returncode is not None:
                raise ServiceDidNotStart(f"The {service.name} stopped while starting ({exit_reason(returncode)}). "
                                         f"Last lines of {service.log}:\n{log_tail(service.log)}")
            if service.health_url is None or healthy(service.health_url):
                return
            if time.monotonic() >= deadline:
                raise ServiceDidNotStart(f"The {service.name} did not answer within {service.ready_timeout:g} s; "
                                         f"see {service.log}. Last lines:\n{log_tail(service.log)}")
            elapsed = time.monotonic() - begun
            if elapsed >= next_note:
                self.say(f"  ... still starting the {service.name} ({elapsed:.0f} s)")
                next_note += 10
            self._closing.wait(0.5)

    def _tick(self) -> None:
        """One look at every service: notice exits, start due restarts, check restarted ones' health."""
        notes: List[Tuple[Service, str]] = []
        restarted: List[Tuple[Service, _State, subprocess.Popen[bytes]]] = []
        with self._lock:
            if self._closing.is_set():
                return
            now = time.monotonic()
            for service in self.services:
                state = self._state[service.name]
                process = state.process
                if process is not None:
                    returncode = process.poll()
                    up = now - state.started_at
                    if up >= self.stable_after:
                        state.backoff = None
                    if returncode is None:
                        if state.awaiting_health:
                            restarted.append((service, state, process))
                        continue
                    _signal_group(process.pid, signal.SIGTERM)  # children it left behind
                    delay = self._next_delay(state)
                    state.process, state.last_group, state.awaiting_health = None, process.pid, False
                    state.restart_at, state.down_since = now + delay, state.down_since or now
                    notes.append((service, f"The {service.name} stopped ({exit_reason(returncode)}) after {up:.0f} s; "
                                           f"restarting it in {delay:g} s."))
                elif state.restart_at is not None and now >= state.restart_at:
                    _signal_group(state.last_group, signal.SIGKILL)  # nothing of the old run may hold the port
                    state.last_group = None
                    try:
                        state.process = self._spawn(service)
                    except OSError as error:
                        delay = self._next_delay(state)
                        state.restart_at = now + delay
                        notes.append((service, f"The {service.name} could not be started again ({error}); "
                                               f"trying again in {delay:g} s."))
                        continue
                    state.started_at, state.restart_at = now, None
                    state.awaiting_health = True
                    self.restarts[service.name] += 1
                    notes.append((service, f"Restarted the {service.name} (restart {self.restarts[service.name]}, "
                                           f"pid {state.process.pid})."))
        for service, note in notes:
            self._note(service, note)
        for service, state, process in restarted:
            self._check_restarted(service, state, process)

    def _next_delay(self, state: _State) -> float:
        delay = min(self.first_backoff if state.backoff is None else state.backoff, self.max_backoff)
        state.backoff = min(delay * 2, self.max_backoff)
        return delay

    def _check_restarted(self, service: Service, state: _State, process: subprocess.Popen[bytes]) -> None:
        """Say when a restarted service answers again; kill it if it does not within its ready_timeout."""
        ok = service.health_url is None or healthy(service.health_url)
        with self._lock:
            if state.process is not process or not state.awaiting_health or self._closing.is_set():
                return
            now = time.monotonic()
            if ok:
                down = now - (state.down_since or state.started_at)
                state.awaiting_health, state.down_since = False, None
                note = f"The {service.name} is back ({down:.1f} s after it stopped)."
            elif now - state.started_at > service.ready_timeout:
                _signal_group(process.pid, signal.SIGKILL)  # the next tick notices the exit and restarts it
                note = f"The {service.name} did not answer within {service.ready_timeout:g} s; killing it."
            else:
                return
        self._note(service, note)

    def _note(self, service: Service, message: str) -> None:
        self._write_log(service, message)
        self.say(message)

    @staticmethod
    def _write_log(service: Service, message: str) -> None:
        try:
            with open(service.log, "a", encoding="utf-8") as log:
                log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} supervisor: {message} ---\n")
        except OSError:
            pass
