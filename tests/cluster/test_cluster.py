"""`make cluster-test`: the loopback cluster, through nginx and TLS, with replicas, PostgreSQL and Redis
failing under load. Every count comes from the real servers: nginx's access log for which replica
took a request, PostgreSQL's `events` table for what was stored.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
import requests

from harness.classroom import ClassResult, run_class
from harness.cluster import NGINX_WORKERS, Cluster
from harness.figures import record

pytestmark = pytest.mark.cluster


def wait_healthy(cluster: Cluster, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(cluster.healthy(i) for i in range(cluster.replicas)):
            return
        time.sleep(1)
    pytest.fail("a replica did not come back healthy")


def post(cluster: Cluster, sender: str, text: str) -> Tuple[int, str]:
    answer = requests.post(f"{cluster.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                           verify=str(cluster.certificate), timeout=90)
    try:
        return answer.status_code, " ".join(m.get("text", "") for m in answer.json())
    except ValueError:
        return answer.status_code, answer.text


def access_log(cluster: Cluster) -> List[str]:
    path: Path = cluster.logs / "nginx-access.log"
    return path.read_text().splitlines() if path.exists() else []


def fields(line: str) -> Tuple[float, List[str], List[str], float, str]:
    """(end, upstream addresses, their statuses, duration, client) of an access log line (log_format
    assistant_noquery). A request nginx tried on a second replica lists both, as `a, b` and `502, 200`:
    the comma's space splits them into several words, so each list runs on while its word ends in a comma."""
    words = line.split()

    def listed(at: int) -> Tuple[List[str], int]:
        found = [words[at]]
        while found[-1].endswith(","):
            at += 1
            found.append(words[at])
        return [w.strip(",") for w in found], at + 1

    addresses, at = listed(2)
    statuses, at = listed(at)
    return float(words[0]), addresses, statuses, float(words[at]), words[at + 1]


def logged_upstream(cluster: Cluster, before: int) -> str:
    """The replica that took the REST request logged after line `before` (nginx writes the line just after
    it has sent the answer, so the client may read the log a moment too early)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [x for x in access_log(cluster)[before:] if "/webhooks/rest/webhook" in x]
        if found:
            return fields(found[0])[1][-1]
        time.sleep(0.05)
    raise AssertionError("nginx logged no REST request")


def listen_overflows() -> Optional[int]:
    """The kernel's count of connections dropped because a listen queue was full."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split()[1:], values.split()[1:], strict=True))["ListenOverflows"])
    return None


def classroom(cluster: Cluster, students: int, turns: int, **options: object) -> ClassResult:
    return asyncio.run(run_class(cluster.url, students, turns, context=cluster.tls_context(), **options))


def assert_nothing_lost(cluster: Cluster, result: ClassResult, prefix: str) -> None:
    """Each student's answered turns are stored once each: no turn lost, none stored twice."""
    stored = cluster.count_user_events(prefix)
    mismatched = {s.sender: (s.answered, stored.get(s.sender, 0)) for s in result.students
                  if stored.get(s.sender, 0) != s.answered}
    assert not mismatched, f"answered vs stored: {dict(list(mismatched.items())[:10])}"


def test_https_serves_the_widget_and_refuses_plain_http(cluster: Cluster) -> None:
    page = requests.get(f"{cluster.url}/webhooks/widget/demo.html", verify=str(cluster.certificate), timeout=30)
    assert page.status_code == 200 and "widget.js" in page.text
    plain = requests.post(cluster.url.replace("https://", "http://") + "/webhooks/rest/webhook",
                          json={"sender": "s", "message": "hi"}, timeout=10)
    assert plain.status_code == 400 and "plain HTTP request was sent to HTTPS port" in plain.text


def test_one_conversation_keeps_its_context_across_replicas(cluster: Cluster) -> None:
    wait_healthy(cluster)
    sender = f"ctx-{uuid.uuid4().hex[:8]}"
    upstreams = []
    for text, expected in (("what does a sonographer do", "Source:"), ("how much do they earn", "$65,860"),
                           ("what about nuclear medicine?", "$70,180"), ("do they need a license", "some states")):
        before = len(access_log(cluster))
        status, reply = post(cluster, sender, text)
        assert status == 200 and expected in reply, (text, reply)
        upstreams.append(logged_upstream(cluster, before))
    assert len(set(upstreams)) == 2, f"every turn went to one replica: {upstreams}"
    assert cluster.count_user_events(sender) == {sender: 4}
    record("cluster-context", {"turns": 4, "replicas_used": sorted(set(upstreams)), "stored_turns": 4})


def test_a_class_of_200_at_once_through_nginx(cluster: Cluster) -> None:
    wait_healthy(cluster)
    before = listen_overflows()
    prefix = f"burst-{uuid.uuid4().hex[:6]}"
    result = classroom(cluster, 200, 2, think=0, retries=6, prefix=prefix)
    summary = result.summary()
    overflows = None if before is None else listen_overflows() - before  # type: ignore[operator]
    assert result.outcomes["error"] == 0 and result.outcomes["wrong"] == 0, summary
    assert summary["gave_up"] == 0 and result.answered == 400, summary
    assert overflows in (None, 0), f"{overflows} connections overflowed a listen queue"
    assert_nothing_lost(cluster, result, prefix)
    record("cluster-burst", {**summary, "listen_overflows": overflows})


def test_redis_down_then_back(cluster: Cluster) -> None:
    """Without Redis no replica can order a conversation's turns: students are asked to try again, and
    nothing is stored; the rate limit falls back to each process. Back as soon as Redis is."""
    wait_healthy(cluster)
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    assert "$65,860" in post(cluster, sender, "how much do sonographers earn")[1]
    cluster.stop_redis()
    try:
        for text in ("what about nuclear medicine?", "do they need a license"):
            status, reply = post(cluster, sender, text)
            assert status in (200, 503) and "try again" in reply.lower(), (status, reply)
    finally:
        cluster.start_redis()
    back = time.monotonic()
    deadline, reply = back + 30, ""
    while time.monotonic() < deadline:
        status, reply = post(cluster, sender, "what about nuclear medicine?")
        if "$70,180" in reply:
            break
        time.sleep(1)
    assert "$70,180" in reply, f"no answer 30 s after Redis came back: {reply}"
    assert cluster.count_user_events(sender) == {sender: 2}
    record("cluster-redis-down", {"polite_replies_while_down": 2, "stored_turns": 2,
                                  "answered_again_s_after_redis_started": round(time.monotonic() - back, 1)})


def test_postgresql_restarted_under_load(cluster: Cluster) -> None:
    wait_healthy(cluster)
    prefix = f"pg-{uuid.uuid4().hex[:6]}"
    outage = {}

    def restart() -> None:
        time.sleep(1)
        outage["start"] = time.monotonic()
        cluster.stop_postgres()
        time.sleep(6)
        cluster.start_postgres()
        outage["end"] = time.monotonic()

    restarter = threading.Thread(target=restart)
    restarter.start()
    # 5 turns (a student's script has 5) two seconds apart: the class outlasts the outage (1 s to about
    # 7 s) however fast the servers answer (a fresh clone's 4 turns half a second apart were over in
    # 2.5 s, before PostgreSQL stopped).
    result = classroom(cluster, 20, 5, think=2.0, retries=15, retry_wait=2.0, prefix=prefix)
    restarter.join()
    summary = result.summary()
    assert result.outcomes["polite"] > 0, f"the outage was not seen: {summary}"
    assert result.outcomes["error"] == 0 and result.outcomes["wrong"] == 0, summary
    assert summary["gave_up"] == 0 and result.answered == 100, summary
    assert_nothing_lost(cluster, result, prefix)
    record("cluster-postgres-restart", {**summary, "outage_s": round(outage["end"] - outage["start"], 1)})


def test_a_replica_killed_under_load(cluster: Cluster) -> None:
    wait_healthy(cluster)
    assert cluster.ports is not None and cluster.supervisor is not None
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    dead = f"127.0.0.1:{cluster.ports.rasa[0]}"
    restarts = cluster.supervisor.restarts.get("rasa-1", 0)
    killed = {}

    def kill() -> None:
        time.sleep(2)
        killed["lines"] = len(access_log(cluster))
        killed["at"], killed["epoch"] = time.monotonic(), time.time()
        cluster.kill_replica(0)

    killer = threading.Thread(target=kill)
    killer.start()
    result = classroom(cluster, 50, 4, think=0.3, retries=6, retry_wait=1.0, prefix=prefix)
    killer.join()
    summary = result.summary()
    assert result.outcomes["error"] == 0 and result.outcomes["wrong"] == 0, summary
    assert summary["gave_up"] == 0 and result.answered == 200, summary
    assert_nothing_lost(cluster, result, prefix)
    # nginx marks the replica down at its first failed try (max_fails=1), for 10 s (fail_timeout=10s), then lets
    # one request try it again, and so on: the zone is shared, so its workers agree. Before the first failure
    # ended, nginx could not know: requests that began by then (in flight at the kill, or begun while the
    # killed process was still being torn down) are the polite replies the students asked again after. Those
    # that began after it are what is bounded (a bound on all that began after the kill failed on a loaded CI
    # machine at e19b9de, 9 of 158, with no timeline to tell them apart: the message now gives it).
    dead_hits, started_after = [], 0
    for line in access_log(cluster)[killed["lines"]:]:
        if "/webhooks/rest/webhook" not in line:
            continue
        end, addresses, statuses, duration, _ = fields(line)
        began = end - duration
        started_after += began >= killed["epoch"]
        if any(a == dead and s in ("502", "504") for a, s in zip(addresses, statuses, strict=False)):
            dead_hits.append((round(began - killed["epoch"], 3), round(end - killed["epoch"], 3)))
    seconds = time.monotonic() - killed["at"]
    assert dead_hits, "no request met the killed replica: the kill was not seen"
    first_failure = min(end for _, end in dead_hits)
    after_known = [hit for hit in dead_hits if hit[0] > first_failure]
    assert len(after_known) <= NGINX_WORKERS * (1 + (seconds - first_failure) / 10), \
        f"{len(after_known)} requests tried {dead} after nginx saw it fail; (began, ended) s after kill: {dead_hits}"
    tried_dead = sum(began >= 0 for began, _ in dead_hits)
    in_flight = len(dead_hits) - tried_dead
    figures = {**summary, "in_flight_at_kill": in_flight, "new_requests_after_kill": started_after,
               "new_requests_tried_on_dead_replica": tried_dead,
               "tried_on_dead_replica_after_its_first_failure": len(after_known),
               "first_failure_s_after_kill": first_failure, "seconds_after_kill": round(seconds, 1)}
    back = time.monotonic()
    wait_healthy(cluster)
    assert cluster.supervisor.restarts.get("rasa-1", 0) == restarts + 1
    figures["replica_back_healthy_s"] = round(time.monotonic() - killed["at"], 1)
    figures["waited_after_class_s"] = round(time.monotonic() - back, 1)
    record("cluster-replica-killed", figures)


def test_socketio_through_nginx_websocket_and_sticky_polling(cluster: Cluster) -> None:
    """The WebSocket upgrade passes nginx; a polling client, whose every request is a new HTTP request,
    reaches the one replica that holds its session because nginx hashes on `cid`."""
    import aiohttp
    import socketio

    from harness.socketio import socket_exchange

    wait_healthy(cluster)

    session = "ws-" + uuid.uuid4().hex[:8]

    async def over_websocket() -> List[dict]:
        return await socket_exchange(cluster.url, [("session_request", {"session_id": session}),
                                                   ("user_uttered", {"message": "how much do sonographers earn",
                                                                     "session_id": session})],
                                     expect=1, ssl=cluster.tls_context())

    answers = asyncio.run(over_websocket())
    assert answers and "$65,860" in answers[0].get("text", ""), answers

    async def over_polling(cid: str, address: str) -> str:
        connector = aiohttp.TCPConnector(ssl=cluster.tls_context(), local_addr=(address, 0))
        async with aiohttp.ClientSession(connector=connector) as session:
            client = socketio.AsyncClient(http_session=session, reconnection=False)
            got: asyncio.Queue = asyncio.Queue()
            client.on("bot_uttered", lambda data: got.put_nowait(data))
            await client.connect(f"{cluster.url}?cid={cid}", transports=["polling"], wait_timeout=10)
            await client.emit("session_request", {"session_id": cid})
            await client.emit("user_uttered", {"message": "what does a nuclear medicine technologist do",
                                               "session_id": cid})
            reply = await asyncio.wait_for(got.get(), 30)
            await client.disconnect()
            return str(reply.get("text", ""))

    before = len(access_log(cluster))
    # nginx logs no query string (no cid): each session comes from a loopback address of its own, which the
    # log's client field ($remote_addr, the sixth) tells apart.
    sessions = {f"poll{n}{uuid.uuid4().hex[:6]}": f"127.0.1.{n + 1}" for n in range(4)}
    for cid, address in sessions.items():
        assert "Before:" in asyncio.run(over_polling(cid, address)), cid  # the first part of the duties answer
    time.sleep(0.5)  # nginx's last log lines
    lines = [x for x in access_log(cluster)[before:] if "/socket.io/" in x]
    used = set()
    for cid, address in sessions.items():
        replicas = {fields(x)[1][-1] for x in lines if fields(x)[4] == address}
        assert len(replicas) == 1, f"the polling requests of {cid} went to {replicas}"
        used |= replicas
    record("cluster-socketio", {"websocket_answer": True, "polling_sessions": len(sessions),
                                "polling_requests": len(lines), "each_session_on_one_replica": True,
                                "replicas_used_by_the_sessions": len(used)})
