"""`make bench`: latency, throughput, memory, start-up and training time, on the real servers.

Rasa's own starter bot (`rasa init`) is trained and served in the same run as the reference: requests
to it and to the assistant are interleaved, so machine noise hits both, and every figure is reported
as a ratio to the starter bot's. Simulated students on loopback, each in its own multi-turn
conversation, with bounded loops. Turns answered by a custom action and turns answered by a plain
response are timed apart. Benchmarks report; they never fail.
Writes docs/benchmarks.md and docs/latency.png, and the figures as JSON to build/bench-results.json
(generated, not committed: `--no-training` reuses the training times of the last full run there).
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

from bench.starter import STARTER_CONVERSATION, StarterBot
from harness.provenance import provenance
from harness.servers import BIN, PROJECT_DIR, Redis, Servers, free_port, rss_mb

CUSTOM, PLAIN = "custom action", "plain response"
Turn = Tuple[str, str, str]
Record = Dict[str, Any]
# One student's conversation: (message, what answers it, a word the answer must contain).
CONVERSATION: List[Turn] = [
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
MANY = 10  # students in the starter-bot comparison's throughput rounds
TARGETS = ("custom-action turn p50 ≤ the starter bot's plain turn p50; throughput at 10 users ≥ the starter bot's; "
           "Rasa server memory ≤ 800 MB; start-up ≤ 20 s; cold training ≤ 60 s")
MEMORY_TARGET_MB, STARTUP_TARGET_S, TRAINING_TARGET_S = 800, 20, 60
RESULTS = PROJECT_DIR / "build" / "bench-results.json"  # the last run's figures on this machine, not committed


def percentile(values: List[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values, so an empty kind shows instead of failing the run."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def send(session: aiohttp.ClientSession, url: str, sender: str, turn: Turn, out: List[Record]) -> None:
    """One timed message; an answer without the expected words counts as an error, not just a slow reply."""
    text, kind, expected = turn
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


async def student(session: aiohttp.ClientSession, url: str, turns: int, out: List[Record],
                  conversation: List[Turn] = CONVERSATION) -> None:
    """One simulated student: `turns` messages, a new conversation each time the last one ends."""
    student_id = uuid.uuid4().hex[:10]
    for turn in range(turns):
        sender = f"bench-{student_id}-{turn // len(conversation)}"
        await send(session, url, sender, conversation[turn % len(conversation)], out)


async def run_students(url: str, users: int, turns: int,
                       conversation: List[Turn] = CONVERSATION) -> Tuple[List[Record], float]:
    """`users` students at once; returns every timed message and the wall-clock seconds they took."""
    results: List[Record] = []
    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(student(session, url, turns, results, conversation) for _ in range(users)))
        elapsed = time.perf_counter() - start
    return results, elapsed


def timing(records: List[Record], kind: str) -> Dict[str, Any]:
    """Latency of one kind of turn, in ms: p50 for the typical student, p95/p99 for the unlucky ones."""
    times = [r["seconds"] * 1000 for r in records if r["kind"] == kind]
    return {"n": len(times), "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "mean_ms": round(statistics.fmean(times), 1) if times else float("nan")}


def tally(records: List[Record]) -> Dict[str, Any]:
    """Messages, errors with a few samples (to find the cause), and latency of each kind of turn present."""
    summary: Dict[str, Any] = {"messages": len(records), "errors": sum(not r["ok"] for r in records),
                               "error_samples": sorted({r["detail"] for r in records if not r["ok"]})[:5]}
    for kind in (CUSTOM, PLAIN):
        if any(r["kind"] == kind for r in records):
            summary[kind] = timing(records, kind)
    return summary


async def load(url: str, users: int, turns: int) -> Dict[str, Any]:
    """One load level on the assistant alone, as today's levels table reports it."""
    records, elapsed = await run_students(url, users, turns)
    summary: Dict[str, Any] = {"users": users, "seconds": round(elapsed, 2),
                               "messages_per_second": round(len(records) / elapsed, 2), **tally(records)}
    summary["custom_over_plain_p50"] = round(summary[CUSTOM]["p50_ms"] / summary[PLAIN]["p50_ms"], 2)
    return {key: summary[key] for key in ("users", "messages", "seconds", "messages_per_second", "errors",
                                          "error_samples", CUSTOM, PLAIN, "custom_over_plain_p50")}


async def alternate_single(assistant_url: str, starter_url: str, turns: int) -> Tuple[List[Record], List[Record]]:
    """One student on each bot, one request to each in turn (order swapped every turn): noise hits both alike."""
    assistant: List[Record] = []
    starter: List[Record] = []
    ids = uuid.uuid4().hex[:10], uuid.uuid4().hex[:10]
    async with aiohttp.ClientSession() as session:
        for turn in range(turns):
            pair = [(assistant_url, CONVERSATION, ids[0], assistant),
                    (starter_url, STARTER_CONVERSATION, ids[1], starter)]
            for url, conversation, sender_id, out in (pair if turn % 2 == 0 else pair[::-1]):
                sender = f"bench-{sender_id}-{turn // len(conversation)}"
                await send(session, url, sender, conversation[turn % len(conversation)], out)
    return assistant, starter


def alternate_rounds(assistant_url: str, starter_url: str, users: int, turns: int,
                     rounds: int) -> Dict[str, Tuple[List[Record], List[float]]]:
    """`rounds` rounds on each bot, alternating S A A S S A (drift hits both); records and msg/s of each round."""
    out: Dict[str, Tuple[List[Record], List[float]]] = {"assistant": ([], []), "starter": ([], [])}
    pair = [("starter", starter_url, STARTER_CONVERSATION), ("assistant", assistant_url, CONVERSATION)]
    for index in range(rounds):
        for name, url, conversation in (pair if index % 2 == 0 else pair[::-1]):
            records, elapsed = asyncio.run(run_students(url, users, turns, conversation))
            out[name][0].extend(records)
            out[name][1].append(round(len(records) / elapsed, 2))
    return out


def compare(assistant_url: str, starter_url: str, single_turns: int, turns: int, rounds: int) -> Dict[str, Any]:
    """Latency at 1 user and latency and throughput at 10 users, on both bots, interleaved."""
    single = asyncio.run(alternate_single(assistant_url, starter_url, single_turns))
    many = alternate_rounds(assistant_url, starter_url, MANY, turns, rounds)
    found: Dict[str, Any] = {"single_turns": single_turns, "users": MANY, "turns_per_student": turns,
                             "rounds": rounds}
    for index, name in enumerate(("assistant", "starter")):
        records, per_round = many[name]
        found[name] = {"single": tally(single[index]),
                       "many": {**tally(records), "messages_per_second_rounds": per_round,
                                "messages_per_second": round(statistics.median(per_round), 2)}}
    return found


def training_times() -> Dict[str, Any]:
    """Cold (no cache) and cached `rasa train` of the same data into a scratch directory."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-train-"))
    env_cmd = [str(BIN / "rasa"), "train", "--out", str(scratch), "--quiet"]
    times: Dict[str, Any] = {}
    try:
        for name, extra in (("cold_s", ["--force"]), ("cached_s", [])):
            start = time.perf_counter()
            subprocess.run(env_cmd + extra, cwd=PROJECT_DIR, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times[name] = round(time.perf_counter() - start, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return times


def run(turns: int, single_turns: int, rounds: int, with_training: bool, with_processes: bool,
        with_levels: bool, with_starter: bool) -> Dict[str, Any]:
    """Every measurement in one run, servers stopped and temporary folders removed whatever happens."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    servers = Servers(workdir, free_port(), free_port(), {"RATE_LIMIT_PER_SENDER": "100000",
                                                          "RATE_LIMIT_PER_IP": "100000",
                                                          "RATE_LIMIT_CONVERSATIONS_PER_IP": "100000"})
    results: Dict[str, Any] = {**provenance(), "machine": {"cpus": _cpus(), "python": platform.python_version()}}
    redis: Optional[Redis] = None
    starter = StarterBot(workdir) if with_starter else None
    try:
        reference: Dict[str, Any] = {}
        if starter is not None:  # trained first, on an idle machine, as the assistant's training is at the end
            reference = {"training_s": round(starter.train(), 1), "startup_s": round(starter.start(), 1)}
        results["startup_s"] = {"action_server": round(servers.start_actions(), 1),
                                "rasa_server": round(servers.start_rasa(), 1)}
        asyncio.run(load(servers.url, 2, 8))  # warm-up: first-call costs are not a student's experience
        assert servers.actions is not None and servers.rasa is not None
        results["memory_mb_idle"] = {"rasa_server": round(rss_mb(servers.rasa.pid)),
                                     "action_server": round(rss_mb(servers.actions.pid))}
        if starter is not None:
            asyncio.run(run_students(starter.url, 2, 8, STARTER_CONVERSATION))  # the same warm-up
            reference["memory_mb_idle"] = round(starter.memory_mb())
            comparison = compare(servers.url, starter.url, single_turns, turns, rounds)
            comparison["starter"].update(reference, memory_mb_after_load=round(starter.memory_mb()))
            comparison["assistant"].update(startup_s=results["startup_s"]["rasa_server"],
                                           memory_mb_idle=results["memory_mb_idle"]["rasa_server"],
                                           memory_mb_after_load=round(rss_mb(servers.rasa.pid)))
            results["starter_comparison"] = comparison
            print(json.dumps({name: {key: comparison[name][key] for key in ("single", "many")}
                              for name in ("assistant", "starter")}))
            Servers.stop(starter.process)  # the levels below run on a machine holding only the assistant
        if with_levels:
            results["levels"] = []
            for users in LEVELS:  # one student gets more turns: a p95 needs samples
                results["levels"].append(asyncio.run(load(servers.url, users, single_turns if users == 1 else turns)))
                print(json.dumps(results["levels"][-1]))
            results["memory_mb_after_load"] = {"rasa_server": round(rss_mb(servers.rasa.pid)),
                                               "action_server": round(rss_mb(servers.actions.pid))}
        if with_processes and with_levels:
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
        if starter is not None:
            starter.close()
        if redis is not None:
            redis.stop()
        if errors_seen(results):  # keep the evidence
            kept = PROJECT_DIR / "build" / "bench-logs"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(workdir, kept, ignore=shutil.ignore_patterns("*.db"))
            print(f"errors seen: server logs kept in {kept}")
        shutil.rmtree(workdir, ignore_errors=True)
    if with_training:
        results["training"] = {**training_times(), **{key: results[key] for key in ("commit", "date_utc",
                                                                                    "measured_utc")}}
    return results


def errors_seen(results: Dict[str, Any]) -> bool:
    """Whether any measured message failed, in any part of the run."""
    runs = results.get("levels", []) + ([results["processes"]["two"]] if "processes" in results else [])
    comparison = results.get("starter_comparison", {})
    runs += [comparison[name][part] for name in ("assistant", "starter") if name in comparison
             for part in ("single", "many")]
    return any(part["errors"] for part in runs)


def _cpus() -> int:
    """CPU cores: the figures mean little without them."""
    return os.cpu_count() or 0


def _ratio(mine: Optional[float], theirs: Optional[float]) -> Optional[float]:
    """mine ÷ theirs, or None when either is missing or the divisor is zero."""
    if mine is None or not theirs or theirs != theirs or mine != mine:
        return None
    return round(mine / theirs, 2)


def reference_rows(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The starter-bot comparison, one row per figure: the assistant's, the starter bot's, the ratio, the target."""
    comparison = results["starter_comparison"]
    mine, theirs = comparison["assistant"], comparison["starter"]
    rows: List[Dict[str, Any]] = []

    def add(figure: str, a: Optional[float], s: Optional[float], target: str = "",
            met: Optional[bool] = None, part: str = "") -> None:
        """One row; no verdict without a target or a figure, or where wrong answers make the times meaningless."""
        errors = bool(part) and bool(mine[part]["errors"] or theirs[part]["errors"])
        rows.append({"figure": figure, "assistant": a, "starter": s, "ratio": _ratio(a, s), "target": target,
                     "met": met if a is not None and s is not None and not errors else None,
                     "errors": errors})

    for part, users in (("single", 1), ("many", comparison["users"])):
        plain_them = theirs[part][PLAIN]
        for kind, name in ((CUSTOM, "custom-action"), (PLAIN, "plain")):
            for stat in ("p50_ms", "p95_ms"):
                a, s = mine[part][kind][stat], plain_them[stat]
                is_target = kind == CUSTOM and stat == "p50_ms"
                add(f"{name} turn {stat[:3]}, {users} user{'s' if users > 1 else ''} (ms; starter bot: plain turn)",
                    a, s, "≤ starter bot's" if is_target else "", a <= s if is_target else None, part)
    a, s = mine["many"]["messages_per_second"], theirs["many"]["messages_per_second"]
    add(f"messages per second, {comparison['users']} users (median of {comparison['rounds']} rounds)", a, s,
        "≥ starter bot's", a >= s, "many")
    for key, label in (("memory_mb_idle", "idle"), ("memory_mb_after_load", f"after the {comparison['users']}-user "
                                                                            "rounds")):
        a = mine[key]
        add(f"Rasa server resident memory, {label} (MB)", a, theirs[key], f"≤ {MEMORY_TARGET_MB} MB",
            a <= MEMORY_TARGET_MB)
    a = mine["startup_s"]
    add("Rasa server start-up (s)", a, theirs["startup_s"], f"≤ {STARTUP_TARGET_S} s", a <= STARTUP_TARGET_S)
    training = results.get("training") or {}
    a = training.get("cold_s")
    add("cold training (s)", a, theirs["training_s"], f"≤ {TRAINING_TARGET_S} s",
        a <= TRAINING_TARGET_S if a is not None else None)
    return rows


def _cell(value: Optional[float]) -> str:
    """A figure for the table; a dash where it was not measured."""
    return "–" if value is None else str(value)


def reference_section(results: Dict[str, Any]) -> List[str]:
    """The first table of docs/benchmarks.md: the assistant against Rasa's starter bot, measured side by side."""
    comparison = results["starter_comparison"]
    lines = [
        "## Against Rasa's starter bot (same run)",
        "",
        "The reference is the bot `rasa init --no-prompt` scaffolds and trains (Rasa's default pipeline and "
        "policies, in-memory tracker store, no action server), served by `rasa run` from its own folder on "
        "loopback; its turns are all plain responses (hello, I am great, are you a bot?, bye). The assistant "
        "runs as in the tables below (SQLite tracker store, action server). At 1 user one request goes to each "
        f"bot in turn ({comparison['single_turns']} each, the order swapped every turn); at {comparison['users']} "
        f"users, rounds of {comparison['users']} students × {comparison['turns_per_student']} messages alternate "
        f"between the bots (starter, assistant, assistant, starter, …; {comparison['rounds']} rounds each): "
        "latencies pooled over the rounds, messages per second the median round. Ratios are assistant ÷ starter.",
        "",
        "| figure | this assistant | starter bot | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in results["starter_comparison"]["rows"]:
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        met = "not judged: wrong answers" if row["errors"] and row["target"] else met
        lines.append(f"| {row['figure']} | {_cell(row['assistant'])} | {_cell(row['starter'])} "
                     f"| {_cell(row['ratio'])} | {row['target']} | {met} |")
    who = (("assistant", "the assistant"), ("starter", "the starter bot"))
    errors = "; ".join(f"{label} {comparison[name]['single']['errors']} of {comparison[name]['single']['messages']} "
                       f"at 1 user and {comparison[name]['many']['errors']} of {comparison[name]['many']['messages']} "
                       f"at {comparison['users']}" for name, label in who)
    per_round = "; ".join(f"{label} {', '.join(str(x) for x in comparison[name]['many']['messages_per_second_rounds'])}"
                          for name, label in who)
    lines += ["", f"Wrong or missing answers: {errors}. Messages per second of each round: {per_round}."]
    if errors_seen({"starter_comparison": comparison}):
        lines += ["", "**Some answers were wrong, so the times above are not those of real answers; the server "
                      "logs are kept in build/bench-logs.**"]
    training = results.get("training") or {}
    if training.get("cold_s") is not None and training.get("measured_utc") != results["measured_utc"]:
        when = f"commit {training.get('commit') or 'not recorded'}, {training.get('date_utc') or 'date not recorded'}"
        lines += ["", f"The assistant's cold training time is from an earlier run ({when}); "
                      "the starter bot's is from this one."]
    lines += ["", "The starter bot's cold training time is the whole `rasa init --no-prompt` (scaffolding included, "
                  "an empty cache); start-up is the seconds until a Rasa server answers and logs that it is up."]
    return lines


def write_reports(results: Dict[str, Any], out_json: Path, out_md: Path, out_png: Path) -> None:
    """The figures as JSON, docs/benchmarks.md and docs/latency.png, each stamped with commit and date."""
    if "starter_comparison" in results:
        results["starter_comparison"]["rows"] = reference_rows(results)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=2) + "\n")
    plot(results, out_png)
    dirty = " with uncommitted changes" if results.get("uncommitted_changes") else ""
    lines = [
        f"# Benchmarks — commit {results['commit']}{dirty}, measured {results['date_utc']} (UTC)",
        "",
        f"**Targets:** {TARGETS}.",
        "",
    ]
    if "starter_comparison" in results:
        lines += [*reference_section(results), ""]
    lines += [
        f"Measured by `make bench` on {results['machine']['cpus']} cores, Python {results['machine']['python']}, "
        "against the real action server and Rasa server on loopback (SQLite tracker store). Each simulated "
        f"student holds its own conversations of {len(CONVERSATION)} alternating turns "
        "(greeting, questions answered by custom actions, thanks, bot challenge, goodbye), starting a new one "
        "after each goodbye; the lone student sends more messages than the others, for a steadier p95. "
        "These machines are shared: compare the ratios, which are measured in the same run, "
        "rather than the absolute times.",
    ]
    if "levels" in results:
        lines += [
            "",
            "## The assistant alone at 1, 10 and 50 students",
            "",
            "| users | messages | errors | msg/s | custom action p50 / p95 / p99 (ms) "
            "| plain response p50 / p95 / p99 (ms) | custom ÷ plain (p50) |",
            "|---:|---:|---:|---:|---|---|---:|",
        ]
        for level in results["levels"]:
            c, p = level[CUSTOM], level[PLAIN]
            lines.append(f"| {level['users']} | {level['messages']} | {level['errors']} "
                         f"| {level['messages_per_second']} | {c['p50_ms']} / {c['p95_ms']} / {c['p99_ms']} "
                         f"| {p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']} | {level['custom_over_plain_p50']} |")
    start, idle = results["startup_s"], results["memory_mb_idle"]
    after = results.get("memory_mb_after_load")
    lines += [
        "",
        "![latency against users](latency.png)",
        "",
        "| | Rasa server | action server |",
        "|---|---:|---:|",
        f"| start-up (s) | {start['rasa_server']} | {start['action_server']} |",
        f"| resident memory, idle (MB) | {idle['rasa_server']} | {idle['action_server']} |",
        *([f"| resident memory, after the 50-user run (MB) | {after['rasa_server']} | {after['action_server']} |"]
          if after else []),
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
        training = results["training"]
        lines += ["", f"Training: {training['cold_s']} s cold (`--force`), "
                      f"{training['cached_s']} s with Rasa's cache and unchanged data."]
    if "notes" in results:
        lines += ["", *results["notes"]]
    out_md.write_text("\n".join(lines) + "\n")


def plot(results: Dict[str, Any], path: Path) -> None:
    """Latency against students: the assistant's levels (or its comparison runs) and the starter bot's floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    comparison = results.get("starter_comparison")
    if "levels" in results:
        points = [(level["users"], level) for level in results["levels"]]
    elif comparison is not None:
        points = [(1, comparison["assistant"]["single"]), (comparison["users"], comparison["assistant"]["many"])]
    else:
        return
    users = [u for u, _ in points]
    figure, axis = plt.subplots(figsize=(6, 4), dpi=100)
    for kind, colour in ((CUSTOM, "#1f5fa8"), (PLAIN, "#b34700")):
        axis.plot(users, [lv[kind]["p50_ms"] for _, lv in points], "o-", color=colour, label=f"{kind} p50")
        axis.plot(users, [lv[kind]["p95_ms"] for _, lv in points], "s--", color=colour, label=f"{kind} p95")
    if comparison is not None:
        ref = [(1, comparison["starter"]["single"]), (comparison["users"], comparison["starter"]["many"])]
        axis.plot([u for u, _ in ref], [lv[PLAIN]["p50_ms"] for _, lv in ref], "o-", color="#777777",
                  label="starter bot p50 (interleaved)")
        axis.plot([u for u, _ in ref], [lv[PLAIN]["p95_ms"] for _, lv in ref], "s--", color="#777777",
                  label="starter bot p95 (interleaved)")
    axis.set_xlabel("concurrent students")
    axis.set_ylabel("reply latency (ms)")
    axis.set_xscale("log")
    axis.set_xticks(users)
    axis.set_xticklabels([str(u) for u in users])
    axis.set_title(f"Reply latency against concurrent students ({results.get('commit', '')})")
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the flags, measure, and write the three reports."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=16,
                        help="messages per student at 10 and 50 students, and per student in each 10-student "
                             "round of the starter-bot comparison (default 16)")
    parser.add_argument("--single-turns", type=int, default=96,
                        help="messages of the lone student, on each bot in the comparison (default 96)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="10-student rounds on each bot in the starter-bot comparison (default 3)")
    parser.add_argument("--no-training", action="store_true",
                        help="skip the assistant's two training runs (the last full run's times in "
                             "build/bench-results.json, if any, are reported with their commit and date); the "
                             "starter bot is still trained: it needs a model")
    parser.add_argument("--no-processes", action="store_true", help="skip the two-process run")
    parser.add_argument("--no-starter", action="store_true", help="skip the starter-bot comparison")
    parser.add_argument("--starter-only", action="store_true",
                        help="only the starter-bot comparison (implies --no-training --no-processes, and skips "
                             "the 1/10/50-student levels): the quick run")
    args = parser.parse_args(argv)
    if args.starter_only and args.no_starter:
        parser.error("--starter-only and --no-starter exclude each other")
    if min(args.turns, args.single_turns, args.rounds) < 1:
        parser.error("--turns, --single-turns and --rounds must be at least 1")
    no_training = args.no_training or args.starter_only
    results = run(args.turns, args.single_turns, args.rounds, not no_training,
                  not (args.no_processes or args.starter_only), not args.starter_only, not args.no_starter)
    last_training = json.loads(RESULTS.read_text()).get("training") if RESULTS.exists() else None
    if no_training and last_training:
        results["training"] = last_training  # from the last full run, which carries its own commit and date
        results["notes"] = [f"Training times are from an earlier full `make bench` run (commit "
                            f"{last_training.get('commit') or 'not recorded'}, "
                            f"{last_training.get('date_utc') or 'date not recorded'}), not this one."]
    write_reports(results, RESULTS, PROJECT_DIR / "docs" / "benchmarks.md", PROJECT_DIR / "docs" / "latency.png")
    print(f"wrote {RESULTS.relative_to(PROJECT_DIR)}, docs/benchmarks.md, docs/latency.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
