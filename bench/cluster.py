"""Throughput of 1, 2 and 3 Rasa replicas behind nginx, in one run -> docs/cluster.md (part of `make bench`).

One loopback cluster (harness/cluster.py) with three replicas is started once; nginx is reloaded to
send to the first 1, 2 or 3 of them, and the rounds are interleaved (1, 2, 3, 1, 2, 3, ...) so that the
machine's noise falls on every count alike. Each round is a class of students, each holding a
four-turn conversation with no pause, over HTTPS through nginx. Reported: answered turns per second,
the ratios to one replica, errors and lost turns (answered turns against the user events in
PostgreSQL), and the memory of every part. Benchmarks report; they never fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

from harness.classroom import run_class
from harness.cluster import Cluster
from harness.provenance import provenance, publish
from harness.servers import PROJECT_DIR, rss_mb

DOCS = PROJECT_DIR / "docs" / "cluster.md"
RESULTS = PROJECT_DIR / "build" / "cluster-bench.json"
LEVELS = (1, 2, 3)
ROUNDS = int(os.environ.get("CLUSTER_BENCH_ROUNDS", "3"))
STUDENTS, TURNS = 40, 4


def use_replicas(cluster: Cluster, count: int) -> None:
    """nginx sends to the first `count` replicas only (a reload: connections in flight finish)."""
    assert cluster.ports is not None
    everyone = cluster.ports.rasa
    cluster.ports.rasa = everyone[:count]
    try:
        cluster._nginx_config()
    finally:
        cluster.ports.rasa = everyone
    os.kill(int((cluster.nginx_dir / "nginx.pid").read_text()), signal.SIGHUP)
    time.sleep(1.5)


def memory(cluster: Cluster) -> Dict[str, float]:
    """Each part's resident memory, for the page: what a replica, nginx, PostgreSQL and Redis cost."""
    assert cluster.supervisor is not None
    found = {}
    for n in range(cluster.replicas):
        pid = cluster.supervisor.pid(f"rasa-{n + 1}")
        found[f"Rasa server {n + 1}"] = rss_mb(pid) if pid else float("nan")
    for n in range(cluster.action_servers):
        pid = cluster.supervisor.pid(f"actions-{n + 1}")
        found[f"action server {n + 1}"] = rss_mb(pid) if pid else float("nan")
    found["nginx (master and workers)"] = rss_mb(int((cluster.nginx_dir / "nginx.pid").read_text()))
    found["PostgreSQL (all its processes)"] = rss_mb(int((cluster.pg_data / "postmaster.pid").read_text().split()[0]))
    redis = getattr(cluster, "_redis", None)
    found["Redis"] = rss_mb(redis.pid) if redis else float("nan")
    return {k: round(v, 0) for k, v in found.items()}


def measure() -> Dict[str, Any]:
    """One cluster, rounds of 1, 2 and 3 replicas interleaved, so the machine's noise falls on each alike."""
    root = Path(tempfile.mkdtemp(prefix="career-bench-cluster-"))
    os.chmod(root, 0o755)
    # Every simulated student comes from 127.0.0.1: without a higher per-address limit, the second round
    # would measure the rate limit (600 a minute, a school's students behind one address), not the replicas.
    cluster = Cluster(root, replicas=max(LEVELS), extra_env={"RATE_LIMIT_PER_IP": "1000000",
                                                              "RATE_LIMIT_CONVERSATIONS_PER_IP": "1000000"},
                      say=lambda line: print(f"[cluster] {line}", flush=True))
    rounds: Dict[int, List[Dict[str, Any]]] = {n: [] for n in LEVELS}
    try:
        started = time.perf_counter()
        cluster.start()
        start_s = time.perf_counter() - started
        asyncio.run(run_class(cluster.url, 10, 2, context=cluster.tls_context(), think=0))  # warm every replica
        for r in range(ROUNDS):
            for count in LEVELS:
                use_replicas(cluster, count)
                prefix = f"bench-{count}-{r}-{int(time.time())}"
                result = asyncio.run(run_class(cluster.url, STUDENTS, TURNS, context=cluster.tls_context(),
                                               think=0, retries=3, retry_wait=1.0, prefix=prefix))
                stored = cluster.count_user_events(prefix)
                lost = sum(abs(stored.get(s.sender, 0) - s.answered) for s in result.students)
                summary = result.summary()
                rounds[count].append({**summary, "lost_or_doubled": lost})
                print(f"[bench] {count} replica(s), round {r + 1}: {summary['turns_per_second']} turns/s, "
                      f"attempts {summary['attempts']}, lost {lost}", flush=True)
        parts = memory(cluster)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    per_level = {}
    for count in LEVELS:
        speeds = [r["turns_per_second"] for r in rounds[count]]
        per_level[count] = {
            "turns_per_second_median": round(statistics.median(speeds), 2), "rounds": speeds,
            "p50_s_median": round(statistics.median(r["p50_s"] for r in rounds[count]), 3),
            "errors": sum(r["attempts"].get("error", 0) + r["attempts"].get("wrong", 0) for r in rounds[count]),
            "polite": sum(r["attempts"].get("polite", 0) for r in rounds[count]),
            "gave_up": sum(r["gave_up"] for r in rounds[count]),
            "lost_or_doubled": sum(r["lost_or_doubled"] for r in rounds[count]),
        }
    one = per_level[1]["turns_per_second_median"]
    for count in LEVELS:
        per_level[count]["ratio_to_one"] = round(per_level[count]["turns_per_second_median"] / one, 2)
    return {"provenance": provenance(), "cores": os.cpu_count(), "students": STUDENTS, "turns": TURNS,
            "rounds": ROUNDS, "cluster_start_s": round(start_s, 1), "levels": per_level, "memory_mb": parts}


def markdown(found: Dict[str, Any]) -> str:
    """docs/cluster.md from the figures, with the commit and date they were measured on."""
    p = found["provenance"]
    rows = "\n".join(
        f"| {n} | {v['turns_per_second_median']} ({', '.join(map(str, v['rounds']))}) | {v['ratio_to_one']}× | "
        f"{v['p50_s_median']} s | {v['errors']} | {v['polite']} | {v['gave_up']} | {v['lost_or_doubled']} |"
        for n, v in ((int(k), v) for k, v in found["levels"].items()))
    memory_rows = "\n".join(f"| {name} | {mb:.0f} MB |" for name, mb in found["memory_mb"].items())
    return f"""# The loopback cluster: throughput of 1, 2 and 3 replicas

Measured by `make bench` (bench/cluster.py) at commit {p['commit']}
{'(with uncommitted changes) ' if p['uncommitted_changes'] else ''}on {p['date_utc']}, on this machine:
{found['cores']} shared cores.

One cluster with three Rasa replicas, two action servers, PostgreSQL, Redis and nginx (TLS) was
started once ({found['cluster_start_s']} s); nginx was reloaded to use the first 1, 2 or 3 replicas,
in {found['rounds']} interleaved rounds. Each round: {found['students']} students at once, each a
{found['turns']}-turn conversation with no pause, over HTTPS through nginx. All of them come from one
address, so the per-address rate limit is raised for this run (it would otherwise be measured). "Lost or doubled"
compares each student's answered turns with the user events PostgreSQL holds for them.

| replicas | answered turns/s, median (each round) | ratio to 1 | turn p50 | errors | polite | gave up | lost |
|---|---|---|---|---|---|---|---|
{rows}

Each Rasa server is one Python process, which uses at most one core. So the throughput grows with
the replicas up to the number of cores ({found['cores']} here) and then flattens or falls: a replica
without a core of its own only adds contention with the others, the action servers, nginx,
PostgreSQL and the load generator, which all share the same cores here. Plan one Rasa replica per
core, and a second machine rather than a third replica on two cores.

Memory of each part, at the end of the run:

| part | resident memory |
|---|---|
{memory_rows}
"""


def main() -> int:
    """`make bench`'s cluster half: measure, then publish the JSON to build/ and the page to docs/."""
    found = measure()
    publish(found, RESULTS, DOCS, markdown(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
