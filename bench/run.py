"""`make bench`: latency, throughput, memory, start-up and training time, on the real servers.

Simulated students on loopback, each in its own multi-turn conversation, with bounded loops.
Turns answered by a custom action and turns answered by a plain response are timed apart, so
every figure sits beside a floor measured in the same run. Benchmarks report; they never fail.
Writes bench/results.json, docs/benchmarks.md and docs/latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

from harness.servers import BIN, PROJECT_DIR, Redis, Servers, free_port, rss_mb

CUSTOM, PLAIN = "custom action", "plain response"
# One student's conversation: (message, what answers it, a word the answer must contain).
CONVERSATION: List[Tuple[str, str, str]] = [
    ("hi", PLAIN, "medical imaging"),
    ("what does a sonographer do", CUSTOM, "gel"),
    ("do they need a license", CUSTOM, "only a few states"),
    ("thanks", PLAIN, "welcome"),
    ("how much do x-ray techs earn", CUSTOM, "$54,620"),
    ("what about nuclear medicine?", CUSTOM, "$70,180"),
    ("are you a bot", PLAIN, "bot"),
    ("bye", PLAIN, "Bye"),
]
LEVELS = (1, 10, 50)


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def student(session: aiohttp.ClientSession, url: str, turns: int, out: List[Dict[str, Any]]) -> None:
    """One simulated student: `turns` messages, a new conversation each time the last one ends."""
    student_id = uuid.uuid4().hex[:10]
    for turn in range(turns):
        sender = f"bench-{student_id}-{turn // len(CONVERSATION)}"
        text, kind, expected = CONVERSATION[turn % len(CONVERSATION)]
        start = time.perf_counter()
        ok, detail = False, ""
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=60)) as response:
                body = await response.json()
                reply = " ".join(m.get("text", "") for m in body)
                ok = response.status == 200 and expected in reply
                detail = f"{response.status}: {text!r} -> {reply[:100]!r}"
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            detail = f"{text!r} -> {type(error).__name__}"
        out.append({"kind": kind, "seconds": time.perf_counter() - start, "ok": ok, "detail": detail})


async def load(url: str, users: int, turns: int) -> Dict[str, Any]:
    results: List[Dict[str, Any]] = []
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(student(session, url, turns, results) for _ in range(users)))
        elapsed = time.perf_counter() - start
    summary: Dict[str, Any] = {"users": users, "messages": len(results), "seconds": round(elapsed, 2),
                               "messages_per_second": round(len(results) / elapsed, 2),
                               "errors": sum(not r["ok"] for r in results),
                               "error_samples": sorted({r["detail"] for r in results if not r["ok"]})[:5]}
    for kind in (CUSTOM, PLAIN):
        times = [r["seconds"] * 1000 for r in results if r["kind"] == kind]
        summary[kind] = {"n": len(times), "p50_ms": round(percentile(times, 50), 1),
                         "p95_ms": round(percentile(times, 95), 1), "p99_ms": round(percentile(times, 99), 1),
                         "mean_ms": round(statistics.fmean(times), 1)}
    summary["custom_over_plain_p50"] = round(summary[CUSTOM]["p50_ms"] / summary[PLAIN]["p50_ms"], 2)
    return summary


def training_times() -> Dict[str, float]:
    """Cold (no cache) and cached `rasa train` of the same data into a scratch directory."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-train-"))
    env_cmd = [str(BIN / "rasa"), "train", "--out", str(scratch), "--quiet"]
    times = {}
    try:
        for name, extra in (("cold_s", ["--force"]), ("cached_s", [])):
            start = time.perf_counter()
            subprocess.run(env_cmd + extra, cwd=PROJECT_DIR, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times[name] = round(time.perf_counter() - start, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return times


def run(turns: int, single_turns: int, with_training: bool, with_processes: bool) -> Dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    servers = Servers(workdir, free_port(), free_port(), {"RATE_LIMIT_PER_SENDER": "100000",
                                                          "RATE_LIMIT_PER_IP": "100000"})
    results: Dict[str, Any] = {"machine": {"cpus": _cpus(), "python": platform.python_version()}}
    redis: Optional[Redis] = None
    try:
        results["startup_s"] = {"action_server": round(servers.start_actions(), 1),
                                "rasa_server": round(servers.start_rasa(), 1)}
        asyncio.run(load(servers.url, 2, 8))  # warm-up: first-call costs are not a student's experience
        assert servers.actions is not None and servers.rasa is not None
        results["memory_mb_idle"] = {"rasa_server": round(rss_mb(servers.rasa.pid)),
                                     "action_server": round(rss_mb(servers.actions.pid))}
        results["levels"] = []
        for users in LEVELS:  # one student gets more turns: a p95 needs samples
            results["levels"].append(asyncio.run(load(servers.url, users, single_turns if users == 1 else turns)))
            print(json.dumps(results["levels"][-1]))
        results["memory_mb_after_load"] = {"rasa_server": round(rss_mb(servers.rasa.pid)),
                                           "action_server": round(rss_mb(servers.actions.pid))}
        if with_processes:
            servers.stop(servers.rasa)
            redis = Redis()
            servers.env.update({**redis.env(), "SANIC_WORKERS": "2"})
            startup = servers.start_rasa("endpoints.redis.yml", workers=2)
            asyncio.run(load(servers.url, 4, 8))
            two = asyncio.run(load(servers.url, LEVELS[-1], turns))
            print(json.dumps(two))
            one = results["levels"][-1]
            results["processes"] = {
                "users": LEVELS[-1], "one": one, "two": two, "startup_two_s": round(startup, 1),
                "memory_mb_two": round(rss_mb(servers.rasa.pid)),
                "throughput_ratio": round(two["messages_per_second"] / one["messages_per_second"], 2)}
    finally:
        servers.stop_all()
        if redis is not None:
            redis.stop()
        runs = results.get("levels", []) + ([results["processes"]["two"]] if "processes" in results else [])
        if any(level["errors"] for level in runs):  # keep the evidence
            kept = PROJECT_DIR / "build" / "bench-logs"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(workdir, kept, ignore=shutil.ignore_patterns("*.db"))
            print(f"errors seen: server logs kept in {kept}")
        shutil.rmtree(workdir, ignore_errors=True)
    if with_training:
        results["training"] = training_times()
    return results


def _cpus() -> int:
    return os.cpu_count() or 0


def write_reports(results: Dict[str, Any], out_json: Path, out_md: Path, out_png: Path) -> None:
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=2) + "\n")
    plot(results, out_png)
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {results['machine']['cpus']} cores, Python {results['machine']['python']}, "
        "against the real action server and Rasa server on loopback (SQLite tracker store). Each simulated "
        f"student holds its own conversations of {len(CONVERSATION)} alternating turns "
        "(greeting, questions answered by custom actions, thanks, bot challenge, goodbye), starting a new one "
        "after each goodbye; the lone student sends more messages than the others, for a steadier p95. "
        "These machines are shared: compare the ratios, which are measured in the same run, "
        "rather than the absolute times.",
        "",
        "| users | messages | errors | msg/s | custom action p50 / p95 / p99 (ms) "
        "| plain response p50 / p95 / p99 (ms) | custom ÷ plain (p50) |",
        "|---:|---:|---:|---:|---|---|---:|",
    ]
    for level in results["levels"]:
        c, p = level[CUSTOM], level[PLAIN]
        lines.append(f"| {level['users']} | {level['messages']} | {level['errors']} | {level['messages_per_second']} "
                     f"| {c['p50_ms']} / {c['p95_ms']} / {c['p99_ms']} | {p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']} "
                     f"| {level['custom_over_plain_p50']} |")
    start, idle, after = results["startup_s"], results["memory_mb_idle"], results["memory_mb_after_load"]
    lines += [
        "",
        "![latency against users](latency.png)",
        "",
        "| | Rasa server | action server |",
        "|---|---:|---:|",
        f"| start-up (s) | {start['rasa_server']} | {start['action_server']} |",
        f"| resident memory, idle (MB) | {idle['rasa_server']} | {idle['action_server']} |",
        f"| resident memory, after the 50-user run (MB) | {after['rasa_server']} | {after['action_server']} |",
    ]
    if "processes" in results:
        pr = results["processes"]
        one, two = pr["one"], pr["two"]
        lines += [
            "",
            f"## One Rasa server process against two ({pr['users']} students, same run)",
            "",
            "Two processes: `SANIC_WORKERS=2` with `endpoints.redis.yml` (Redis lock store, the rate limit "
            "counted in Redis), sharing the SQLite tracker store (write-ahead log) and the one action server.",
            "",
            "| processes | messages | errors | msg/s | custom action p50 / p95 (ms) | plain response p50 / p95 (ms) |",
            "|---:|---:|---:|---:|---|---|",
            *(f"| {n} | {lv['messages']} | {lv['errors']} | {lv['messages_per_second']} "
              f"| {lv[CUSTOM]['p50_ms']} / {lv[CUSTOM]['p95_ms']} | {lv[PLAIN]['p50_ms']} / {lv[PLAIN]['p95_ms']} |"
              for n, lv in ((1, one), (2, two))),
            "",
            f"Throughput ratio, two processes ÷ one: **{pr['throughput_ratio']}**. Two processes hold "
            f"{pr['memory_mb_two']} MB (the parent and both workers) and took {pr['startup_two_s']} s to start, "
            "loading the model side by side. The machine has two cores, shared by both Rasa workers, the action "
            "server and the simulated students.",
        ]
    if "training" in results:
        lines += ["", f"Training: {results['training']['cold_s']} s cold (`--force`), "
                      f"{results['training']['cached_s']} s with Rasa's cache and unchanged data."]
    if "notes" in results:
        lines += ["", *results["notes"]]
    out_md.write_text("\n".join(lines) + "\n")


def plot(results: Dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [level["users"] for level in results["levels"]]
    figure, axis = plt.subplots(figsize=(6, 4), dpi=100)
    for kind, colour in ((CUSTOM, "#1f5fa8"), (PLAIN, "#b34700")):
        axis.plot(users, [lv[kind]["p50_ms"] for lv in results["levels"]], "o-", color=colour, label=f"{kind} p50")
        axis.plot(users, [lv[kind]["p95_ms"] for lv in results["levels"]], "s--", color=colour, label=f"{kind} p95")
    axis.set_xlabel("concurrent students")
    axis.set_ylabel("reply latency (ms)")
    axis.set_xscale("log")
    axis.set_xticks(users)
    axis.set_xticklabels([str(u) for u in users])
    axis.set_title("Reply latency against concurrent students")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=16, help="messages per student at 10 and 50 students")
    parser.add_argument("--single-turns", type=int, default=96, help="messages of the lone student")
    parser.add_argument("--no-training", action="store_true", help="skip the two training runs")
    parser.add_argument("--no-processes", action="store_true", help="skip the two-process run")
    args = parser.parse_args(argv)
    results = run(args.turns, args.single_turns, not args.no_training, not args.no_processes)
    previous = PROJECT_DIR / "bench" / "results.json"
    last_training = json.loads(previous.read_text()).get("training") if previous.exists() else None
    if args.no_training and last_training:
        results["training"] = last_training  # from the last full run
        results["notes"] = ["Training times are from the previous full `make bench` run (`--no-training` now)."]
    write_reports(results, PROJECT_DIR / "bench" / "results.json", PROJECT_DIR / "docs" / "benchmarks.md",
                  PROJECT_DIR / "docs" / "latency.png")
    print("wrote bench/results.json, docs/benchmarks.md, docs/latency.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
