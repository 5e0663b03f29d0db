"""`make reliability`: try every bad input and fault on the real servers, and write docs/reliability.md.

The tests (tests/e2e/test_bad_input.py, test_faults.py, test_load.py) assert the behaviour; this
report records what each input and fault actually got on this commit, with timings.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests

from harness.load import STUDENTS, run_class
from harness.provenance import measured_at
from harness.ratelimit import class_behind_one_address
from harness.servers import PROJECT_DIR, Servers, free_port
from harness.socketio import socket_exchange
from store.events import count_events

INPUTS: List[Tuple[str, Any]] = [
    ("empty message", {"message": ""}),
    ("only whitespace", {"message": "   \n\t "}),
    ("100 KB message", {"message": "x" * 102_400}),
    ("1,001 characters", {"message": "a " * 500 + "b"}),
    ("not UTF-8", b'{"sender": "r", "message": "caf\xe9 \xff"}'),
    ("invalid JSON", b'{"sender": "r", "message": '),
    ("JSON list instead of object", ["hi"]),
    ("missing sender", {"sender": None, "message": "hi"}),
    ("sender is a number", {"sender": 42, "message": "hi"}),
    ("10 KB sender id", {"sender": "s" * 10_240, "message": "hi"}),
    ("missing message", {"_no_message": True}),
    ("message is a number", {"message": 7}),
    ("emoji", {"message": "what does a sonographer do 👩‍⚕️🩻"}),
    ("right-to-left text", {"message": "ما هو راتب فني الأشعة"}),
    ("zero-width characters", {"message": "what\u200b does\u200d a sono\u200bgrapher do"}),
    ("HTML and script tags", {"message": "<script>alert(1)</script><img src=x onerror=alert(1)>"}),
    ("SQL-like text", {"message": "'; DROP TABLE events; --"}),
    ("typed /intent, unknown intent", {"message": "/definitely_not_an_intent"}),
    ("typed /intent, value not in the KB", {"message": '/ask_salary{"occupation": "nurse"}'}),
    ("typed /intent, markup value", {"message": '/ask_salary{"occupation": "<b>x</b>"}'}),
    ("typed /intent, valid", {"message": '/ask_salary{"occupation": "sonographer"}'}),
    ("unknown words", {"message": "qwertyuiop asdfghjkl zxcvbnm"}),
    ("e-mail and phone number", {"message": "im jo@school.example 07700 900123 what does a sonographer do"}),
]


def short(text: str, limit: int = 90) -> str:
    """One line, cut after `limit` characters, so a long reply fits a table cell."""
    text = " ".join(text.split())
    return (text[:limit] + "…") if len(text) > limit else text


def try_inputs(url: str) -> List[Dict[str, Any]]:
    """Send every bad input over REST and note what the student would see."""
    rows = []
    for index, (name, body) in enumerate(INPUTS):
        kwargs: Dict[str, Any]
        if isinstance(body, bytes):
            kwargs = {"data": body, "headers": {"Content-Type": "application/json"}}
        elif isinstance(body, dict):
            payload = {"sender": f"rel-{index}", **{k: v for k, v in body.items() if k != "_no_message"}}
            kwargs = {"json": {k: v for k, v in payload.items() if v is not None}}
        else:
            kwargs = {"json": body}
        start = time.perf_counter()
        response = requests.post(f"{url}/webhooks/rest/webhook", timeout=60, **kwargs)
        elapsed = time.perf_counter() - start
        try:
            data = response.json()
            reply = data["error"] if isinstance(data, dict) else " / ".join(m.get("text", "") for m in data)
        except ValueError:
            reply = response.text
        rows.append({"input": name, "status": response.status_code, "reply": short(reply),
                     "ms": round(elapsed * 1000)})
    return rows


def try_socket(url: str) -> List[Dict[str, Any]]:
    """The same kinds of bad input on socket.io, a separate way in with its own checks."""
    rows = []
    cases = [("not an object", "not a dict"), ("3,000 characters", {"session_id": "rel-s", "message": "y " * 1500}),
             ("empty", {"session_id": "rel-s", "message": ""})]
    for name, data in cases:
        start = time.perf_counter()
        received = asyncio.run(socket_exchange(url, [("session_request", {"session_id": "rel-s"}),
                                                     ("user_uttered", data)], expect=1))
        rows.append({"input": f"socket.io: {name}", "status": "event",
                     "reply": short(received[0]["text"] if received else "(nothing)"),
                     "ms": round((time.perf_counter() - start) * 1000)})
    return rows


def faults(servers: Servers) -> List[Dict[str, str]]:
    """Stop, freeze and restart the servers mid-conversation, and note what a student saw each time."""
    rows = []
    assert servers.actions is not None
    servers.stop(servers.actions)
    start = time.perf_counter()
    reply = servers.say("rel-fault", "what does a sonographer do")
    rows.append({"fault": "action server stopped", "student saw": short(reply),
                 "after": f"{(time.perf_counter() - start) * 1000:.0f} ms"})
    servers.start_actions()
    rows.append({"fault": "action server back", "student saw": short(servers.say("rel-fault", "how much do they earn")),
                 "after": "the occupation from the failed turn was kept"})
    assert servers.actions is not None
    os.kill(servers.actions.pid, signal.SIGSTOP)
    start = time.perf_counter()
    reply = servers.say("rel-fault2", "what does an x-ray tech do")
    os.kill(servers.actions.pid, signal.SIGCONT)
    rows.append({"fault": "action server frozen (SIGSTOP), default 20 s timeout", "student saw": short(reply),
                 "after": f"{(time.perf_counter() - start):.1f} s"})
    servers.say("rel-restart", "what does a nuclear medicine technologist do")
    servers.stop(servers.rasa)
    servers.start_rasa()
    rows.append({"fault": "Rasa server restarted mid-conversation",
                 "student saw": short(servers.say("rel-restart", "do they need a license")),
                 "after": "slots and history kept (SQL tracker store)"})
    rows += tracker_database_faults(servers)
    for label, content in (("missing", None), ("corrupt", b"not a database" * 40)):
        path = Path(tempfile.mkdtemp()) / "knowledge.db"
        if content:
            path.write_bytes(content)
        result = subprocess.run([sys.executable, "-m", "actions", "--port", str(free_port())], cwd=PROJECT_DIR,
                                env={**os.environ, "KNOWLEDGE_DB_URL": f"sqlite:///{path}"}, capture_output=True,
                                text=True, timeout=120)
        rows.append({"fault": f"knowledge base file {label}", "student saw": "(the action server does not start)",
                     "after": f"exit {result.returncode}: {short(result.stderr.strip(), 140)}"})
    return rows


def tracker_database_faults(servers: Servers) -> List[Dict[str, str]]:
    """The conversation database locked mid-conversation, then unreachable at start-up."""
    rows = []
    lock = sqlite3.connect(servers.workdir / "tracker.db", isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")
    start = time.perf_counter()
    try:
        reply = servers.say("rel-db", "what does a sonographer do")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    seconds = time.perf_counter() - start
    rows.append({"fault": "tracker database locked by another process", "student saw": short(reply),
                 "after": f"{seconds:.1f} s (SQLite busy timeout); the turn was not saved half-done; next turn: "
                          + short(servers.say("rel-db", "what does a sonographer do"), 50)})
    missing = servers.workdir / "later" / "tracker.db"
    second = Servers(servers.workdir / "second", free_port(), servers.action_port,
                     {"TRACKER_STORE_URL": f"sqlite:///{missing}", "TRACKER_STORE_CONNECT_ATTEMPTS": "2",
                      "TRACKER_STORE_RETRY_SECONDS": "1"})
    second.workdir.mkdir()
    try:
        startup = second.start_rasa()
        log = [line for line in (second.workdir / "rasa.log").read_text(errors="replace").splitlines()
               if "conversation database" in line]
        reply = second.say("rel-db2", "hi")
        missing.parent.mkdir()
        back = second.say("rel-db2", "what does a sonographer do")
    finally:
        second.stop(second.rasa)
    rows.append({"fault": "tracker database unreachable at start-up", "student saw": short(reply),
                 "after": f"server up in {startup:.0f} s; log: {short(log[0].split(' - ', 1)[-1], 120)}; "
                          f"database back, no restart: {short(back, 40)}"})
    return rows


def rate_limits(url: str) -> List[Dict[str, str]]:
    """One conversation over its limit on the real server; then the shared Redis count's window."""
    limit = int(os.environ.get("RATE_LIMIT_PER_SENDER", "30"))
    codes, last = [], None
    for _ in range(limit + 2):
        last = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "rel-rate", "message": "hi"},
                             timeout=30)
        codes.append(last.status_code)
    rows = [{"case": f"{limit + 2} messages in a row from one conversation (limit {limit} a minute)",
             "got": f"{codes.count(200)} answered, then {codes.count(429)} × HTTP 429: "
                    f"{short(last.json()[0]['text'] if last.ok or last.status_code == 429 else last.text, 70)}"}]
    rows.append(redis_window())
    return rows


def redis_window() -> Dict[str, str]:
    """Two processes' limiters on a real redis-server, a 1 s window for speed: the most answered in any window."""
    from harness.servers import Redis

    redis, per_ip, window = Redis(), 12, 1.0
    try:
        answered = class_behind_one_address(redis.url, per_ip, window, 3)
    finally:
        redis.stop()
    busiest = max(sum(1 for t in answered[i:] if t < start + window - 0.05) for i, start in enumerate(answered))
    return {"case": f"20 students behind one address for 3 windows, through two processes sharing Redis "
                    f"(per-IP limit {per_ip}, window shortened to {window:g} s)",
            "got": f"{len(answered)} answered; at most {busiest} in any one window (sliding, never {2 * per_ip})"}


def write(inputs: List[Dict[str, Any]], fault_rows: List[Dict[str, str]], load: Dict[str, Any],
          path: Path, limits: List[Dict[str, str]], district_rows: List[str]) -> None:
    """docs/reliability.md from the rows and figures, with the commit and date."""
    lines = ["# Reliability", "", f"Measured by `make reliability` at {measured_at()} on the real action server "
             "and Rasa server "
             "(REST and socket.io channels of `bot/input.py`). The same cases are asserted by "
             "`tests/e2e/test_bad_input.py`, `test_faults.py`, `test_load.py`, `test_processes.py` "
             "and `test_ratelimit_redis.py` in `make test`.", "",
             "## Every input tried", "", "| input | HTTP | reply or error | ms |", "|---|---:|---|---:|"]
    for row in inputs:
        reply = row["reply"].replace("|", "\\|")
        lines.append(f"| {row['input']} | {row['status']} | {reply} | {row['ms']} |")
    lines += ["", "## Every fault injected", "", "| fault | the student saw | what survived |", "|---|---|---|"]
    for row in fault_rows:
        lines.append(f"| {row['fault']} | {row['student saw'].replace('|', '/')} | {row['after'].replace('|', '/')} |")
    lines += ["", "## Load held", "",
              f"{load['students']} students at once, each in their own 6-turn conversation with follow-ups "
              "that depend on its own slots, on loopback, default rate limits:", "",
              "| students | messages | errors | wrong or mixed-up replies | turns lost from the store "
              "| p50 | p95 | wall time |", "|---:|---:|---:|---:|---:|---:|---:|---:|",
              f"| {load['students']} | {load['messages']} | {load['errors']} | {load['cross_talk']} | {load['lost']} "
              f"| {load['p50_ms']} ms | {load['p95_ms']} ms | {load['seconds']} s |"]
    lines += ["", "## Rate limits", "", "| case | got |", "|---|---|"]
    lines += [f"| {row['case']} | {row['got'].replace('|', '/')} |" for row in limits]
    lines += district_rows
    path.write_text("\n".join(lines) + "\n")


def measure_load(servers: Servers) -> Dict[str, Any]:
    """A class at once, then the turns counted in the tracker store, so lost turns show."""
    start = time.perf_counter()
    results = asyncio.run(run_class(servers.url))
    elapsed = time.perf_counter() - start
    latencies = sorted(t for r in results for t in r["latencies"])
    lost = sum(6 - count_events(servers.tracker_url, r["sender"], "user") for r in results)
    return {"students": STUDENTS, "messages": sum(r["turns"] for r in results),
            "errors": sum(len(r["errors"]) for r in results),
            "cross_talk": sum(1 for r in results for e in r["errors"] if e[1] == 200),
            "lost": lost, "seconds": round(elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000)}


# The scenarios whose tests record their figures (harness/figures.py), in the order they are shown.
SCENARIOS = {
    "cluster-context": "One conversation, its turns spread over the replicas by nginx",
    "cluster-socketio": "Socket.io through nginx: a WebSocket, and polling clients kept on one replica by `cid`",
    "cluster-burst": "A class of 200 at once, two turns each, through nginx (2 replicas)",
    "cluster-replica-killed": "A replica killed (SIGKILL) while 50 students chat",
    "cluster-postgres-restart": "PostgreSQL stopped for about 6 s while 20 students chat",
    "cluster-redis-down": "Redis stopped, then started again",
    "keepalive-action-server": "`make run`: the action server killed",
    "keepalive-rasa-server": "`make run`: the Rasa server killed",
    "burst-make-run": "A class of 200 at once, two turns each, against `make run` alone",
}
DISTRICT_TESTS = ["tests/cluster", "tests/e2e/test_keepalive.py", "tests/e2e/test_burst.py"]


def district() -> Dict[str, Dict[str, Any]]:
    """Run the cluster and keep-alive tests, which record what they measured, and read it back."""
    from harness.figures import load_all

    folder = Path(tempfile.mkdtemp(prefix="reliability-figures-"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DISTRICT_TESTS],
                         cwd=PROJECT_DIR, env={**os.environ, "FIGURES_DIR": str(folder)}, text=True,
                         capture_output=True)
    print(run.stdout[-2000:])
    found = load_all(folder)
    found["_outcome"] = {"passed": run.returncode == 0, "last_line": (run.stdout.strip().splitlines() or [""])[-1]}
    return found


def district_lines(found: Dict[str, Dict[str, Any]]) -> List[str]:
    """The cluster tests' recorded figures as the page's district section, or 'not run'."""
    outcome = found.get("_outcome", {})
    lines = ["", "## A district's deployment: the loopback cluster and `make run` kept alive", "",
             "The cluster of `make cluster` (harness/cluster.py): nginx with TLS, two Rasa servers, two action "
             "servers, PostgreSQL and Redis, on this machine. Students are simulated over HTTPS through nginx; "
             "a student told politely to try again waits and asks again. \"Stored\" counts the user events "
             "PostgreSQL holds for each student, against the turns that student saw answered: a lost or doubled "
             "turn would show there. Figures recorded by the tests themselves "
             f"({', '.join(f'`{t}`' for t in DISTRICT_TESTS)}): {outcome.get('last_line', 'not run')}.", "",
             "| scenario | what was measured |", "|---|---|"]
    for name, title in SCENARIOS.items():
        data = found.get(name)
        if data is None:
            lines.append(f"| {title} | not recorded (the test did not get that far) |")
            continue
        shown = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in data.items()
                          if key not in ("problems",) and value not in (None, [], {}))
        lines.append(f"| {title} | {shown.replace('|', '/')} |")
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    """`make reliability`: every input, load and fault on the real servers, then docs/reliability.md."""
    workdir = Path(tempfile.mkdtemp(prefix="reliability-"))
    servers = Servers(workdir, free_port(), free_port())
    try:
        servers.start_actions()
        servers.start_rasa()
        inputs = try_inputs(servers.url) + try_socket(servers.url)
        load = measure_load(servers)
        limits = rate_limits(servers.url)
        fault_rows = faults(servers)
    finally:
        servers.stop_all()
    figures = district()
    write(inputs, fault_rows, load, PROJECT_DIR / "docs" / "reliability.md", limits, district_lines(figures))
    print(json.dumps(load))
    print("wrote docs/reliability.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
