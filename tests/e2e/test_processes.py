"""Two Rasa server processes (SANIC_WORKERS=2) behind one port, as the README documents them.

They share the tracker store (SQLite, write-ahead log), a Redis lock store and a rate limit
counted in Redis. Each conversation must keep its context whichever process takes a turn,
and a student must not get twice the rate limit.
"""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import requests

from bot.input import RATE_REPLY
from harness.servers import Redis, Servers, children, free_port

pytestmark = pytest.mark.e2e
PER_SENDER = 8
PER_IP = 150


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    redis = Redis()
    servers = Servers(tmp_path_factory.mktemp("two-processes"), free_port(), free_port(),
                      {**redis.env(), "SANIC_WORKERS": "2", "RATE_LIMIT_PER_SENDER": str(PER_SENDER),
                       "RATE_LIMIT_PER_IP": str(PER_IP), "TRUST_PROXY": "1"})
    try:
        servers.start_actions()
        servers.start_rasa("endpoints.redis.yml", workers=2)
        yield servers
    finally:
        servers.stop_all()
        redis.stop()


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def conversation(servers: Servers, occupation: str, expected_salary: str) -> Tuple[List[str], str]:
    who = f"two-{uuid.uuid4().hex[:8]}"
    return [servers.say(who, f"what does a {occupation} do"),
            servers.say(who, "how much do they earn"),
            servers.say(who, "do they need a license"),
            servers.say(who, "what is the salary")], expected_salary


def test_both_processes_answer_and_every_conversation_keeps_its_own_context(two: Servers) -> None:
    assert two.rasa is not None
    workers = [pid for pid in children(two.rasa.pid) if "rasa" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert len(workers) >= 2
    before = {pid: cpu_ticks(pid) for pid in workers}
    jobs = [("sonographer", "$65,860"), ("nuclear medicine technologist", "$70,180"),
            ("radiologic technologist", "$54,620")] * 8
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda job: conversation(two, *job), jobs))
    for replies, salary in results:
        assert salary in replies[1] and salary in replies[3], replies  # context followed the student
    busy = [pid for pid in workers if cpu_ticks(pid) - before[pid] > 20]  # more than 0.2 s of CPU each
    assert len(busy) >= 2, "only one process took the load"


def test_the_rate_limit_is_shared_by_both_processes(two: Servers) -> None:
    who = f"two-rate-{uuid.uuid4().hex[:8]}"
    codes = []
    for _ in range(PER_SENDER + 3):
        response = requests.post(f"{two.url}/webhooks/rest/webhook", json={"sender": who, "message": "hi"},
                                 timeout=60)
        codes.append(response.status_code)
    assert codes == [200] * PER_SENDER + [429] * 3
    assert response.json()[0]["text"] == RATE_REPLY


def test_behind_a_proxy_the_per_ip_limit_counts_the_address_the_proxy_saw(two: Servers) -> None:
    """TRUST_PROXY=1: the last X-Forwarded-For entry counts; what the client wrote before it does not."""
    def send(real: str, n: int) -> List[int]:
        return [requests.post(f"{two.url}/webhooks/rest/webhook", timeout=30,
                              headers={"X-Forwarded-For": f"6.6.6.6, {real}"},
                              json={"sender": f"proxy-{uuid.uuid4().hex[:8]}", "message": ""}).status_code
                for _ in range(n)]

    assert send("198.51.100.7", PER_IP) == [200] * PER_IP  # many students behind one school address
    assert send("198.51.100.7", 1) == [429]
    assert send("198.51.100.8", 1) == [200]  # another school, the same claimed first address
