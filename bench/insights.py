"""`make bench-insights`: the counsellors' page on a busy district's store -> docs/insights.md.

The store holds 30 days of a busy school (10,000 conversations) beside four other schools (5,000
each), in Rasa's own row format (harness/insights_data.py), ending with the latest finished week:
the page shows that week (about a quarter of them) and the 12 weeks' trend up to it. The real server (scripts/serve.sh)
serves the page. In the same run, interleaved, it measures a reference: the sign-in page, which the
same server renders without counting anything. Also: the page's bytes, the browser's load time and
axe's verdict in Debian's Chromium, the Rasa server's memory, and whether a counsellor's page view
slows a student's chat turn (turns timed alone and while pages load). Benchmarks report; they never fail.
"""

from __future__ import annotations

import datetime as dt
import gzip
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from harness.assistant import Assistant, start_assistant
from harness.insights_data import busy_school, create_store
from harness.provenance import provenance, publish
from harness.servers import PROJECT_DIR, rss_mb
from insights.counts import UTC, latest_week
from schools.school import hash_token

DOCS = PROJECT_DIR / "docs" / "insights.md"
RESULTS = PROJECT_DIR / "build" / "insights-bench.json"
TOKEN = "bench-token-" + uuid.uuid4().hex
BUSY, OTHERS, OTHER_SIZE = 10_000, 4, 5_000
ROUNDS = 7
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"


def schools_file(folder: Path) -> Path:
    """A busy school with a known token beside the others, so the page can be signed in to."""
    lines = ["schools:", "  - id: busy", "    name: Busy High School", "    origins: [https://busy.example]",
             f"    insights_token_sha256: {hash_token(TOKEN)}"]
    for n in range(OTHERS):
        lines += [f"  - id: other{n}", f"    name: Other School {n}", f"    origins: [https://other{n}.example]"]
    path = folder / "schools.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rasa_pid(port: int) -> Optional[int]:
    """The `rasa run` process listening on this port, from /proc."""
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"run" in args and str(port).encode() in args and any(a.endswith(b"rasa") for a in args):
            return int(proc.name)
    return None


def timed_get(session: requests.Session, url: str) -> tuple:
    """Seconds and response of one GET, failing loudly so no error is timed as a page."""
    start = time.perf_counter()
    answer = session.get(url, timeout=120)
    answer.raise_for_status()
    return time.perf_counter() - start, answer


def chat_turns(assistant: Assistant, n: int, tag: str) -> List[float]:
    """Time student turns, to see whether a counsellor's page views slow them down."""
    times = []
    for i in range(n):
        start = time.perf_counter()
        assistant.say(f"bench-{tag}-{i}", "how much do sonographers earn", origin="https://busy.example")
        times.append(time.perf_counter() - start)
    return times


def browser_figures(url: str) -> Dict[str, Any]:
    """Load time as Chromium measures it (navigation start to load event), and axe's violations."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists() or not AXE.exists():
        return {"skipped": "Chromium or axe-core missing (make e2e installs both)"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
        page = context.new_page()
        page.goto(url)
        page.get_by_label("Insights token").fill(TOKEN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        loads = []
        for _ in range(3):
            page.reload(wait_until="load")
            loads.append(page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                                       " return n.loadEventEnd - n.startTime; }") / 1000)
        page.add_script_tag(path=str(AXE))
        axe = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        browser.close()
    return {"browser_load_s": statistics.median(loads),
            "axe": [f"{v['impact']}: {v['id']} ({len(v['nodes'])})" for v in axe["violations"]]}


def measure() -> Dict[str, Any]:
    """Build the district's store, start the real server, and time the page against the sign-in page."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp / 'tracker.db'}"
        create_store(url)
        started = time.perf_counter()
        end = dt.datetime.combine(latest_week(UTC).sunday, dt.time(23), UTC).timestamp()  # the schools' zone
        turns = busy_school(url, {"school": "Busy High School", "school_id": "busy"}, BUSY, seed=1, now=end)
        for n in range(OTHERS):
            turns += busy_school(url, {"school": f"Other School {n}", "school_id": f"other{n}"}, OTHER_SIZE,
                                 seed=10 + n, now=end)
        generated_s = time.perf_counter() - started
        store_mb = (tmp / "tracker.db").stat().st_size / 1e6
        env = {"SCHOOLS_FILE": str(schools_file(tmp)), "TRACKER_STORE_URL": url,
               "INSIGHTS_SECRET_FILE": str(tmp / "insights.secret")}
        with start_assistant(tmp, env) as assistant:
            base = f"{assistant.url}/webhooks/insights/"
            pid = rasa_pid(int(assistant.url.rsplit(":", 1)[1]))
            session = requests.Session()
            session.post(f"{base}sign-in", data={"token": TOKEN}, timeout=30).raise_for_status()
            chat_turns(assistant, 3, "warm")
            memory_before = rss_mb(pid) if pid else None
            page_s, reference_s, csv_s = [], [], []
            body = b""
            for _ in range(ROUNDS):  # interleaved: the reference sees the same machine noise
                seconds, answer = timed_get(session, base)
                page_s.append(seconds)
                body = answer.content
                reference_s.append(timed_get(requests.Session(), base)[0])  # no cookie: the sign-in page
                csv_s.append(timed_get(session, f"{base}export.csv")[0])
            memory_after = rss_mb(pid) if pid else None
            css = requests.get(f"{base}insights.css", timeout=30).content
            alone = chat_turns(assistant, 20, "alone")
            stop = threading.Event()

            def load_pages() -> None:
                while not stop.is_set():
                    session.get(base, timeout=120)

            loader = threading.Thread(target=load_pages)
            loader.start()
            during = chat_turns(assistant, 20, "during")
            stop.set()
            loader.join()
            browser = browser_figures(base)
    shown = body.decode()
    return {
        "provenance": provenance(),
        "store": {"conversations_busy_school": BUSY, "other_schools": OTHERS, "conversations_each_other": OTHER_SIZE,
                  "turns": turns, "store_mb": round(store_mb, 1), "generated_s": round(generated_s, 1)},
        "page_s": round(statistics.median(page_s), 3), "reference_s": round(statistics.median(reference_s), 4),
        "page_to_reference": round(statistics.median(page_s) / statistics.median(reference_s), 1),
        "csv_s": round(statistics.median(csv_s), 3),
        "page_bytes": len(body), "page_gzip_bytes": len(gzip.compress(body)), "css_bytes": len(css),
        "scripts_on_page": shown.count("<script"), "rounds": ROUNDS,
        "rasa_rss_mb_before": round(memory_before, 0) if memory_before else None,
        "rasa_rss_mb_after": round(memory_after, 0) if memory_after else None,
        "chat_turn_p50_alone_s": round(statistics.median(alone), 3),
        "chat_turn_p50_during_page_loads_s": round(statistics.median(during), 3),
        "chat_slowdown": round(statistics.median(during) / statistics.median(alone), 2),
        "browser": browser,
    }


def markdown(found: Dict[str, Any]) -> str:
    """docs/insights.md from the figures, with the commit and date they were measured on."""
    p, s, b = found["provenance"], found["store"], found["browser"]
    axe = b.get("axe")
    axe_text = "not run: " + b["skipped"] if axe is None else ("no violations" if not axe else ", ".join(axe))
    load = f"{b['browser_load_s']:.2f} s" if "browser_load_s" in b else "not run"
    memory = f"{found['rasa_rss_mb_before']} / {found['rasa_rss_mb_after']} MB"
    chat = (f"{found['chat_turn_p50_alone_s']} / {found['chat_turn_p50_during_page_loads_s']} s "
            f"({found['chat_slowdown']}×)")
    return f"""# The counsellors' insights page: figures

Measured by `make bench-insights` (bench/insights.py) at commit {p['commit']}
{'(with uncommitted changes) ' if p['uncommitted_changes'] else ''}on {p['date_utc']}, on this machine (2 shared cores).

**The store:** 30 days of a busy school, {s['conversations_busy_school']:,} conversations, beside
{s['other_schools']} other schools of {s['conversations_each_other']:,} conversations each: {s['turns']:,} student
turns in all, {s['store_mb']} MB of SQLite, in Rasa's own row format (generated in {s['generated_s']} s). The
30 days end with the latest finished week, which the page shows (about a quarter of the conversations),
with the trend of the 12 weeks up to it.

| figure | value |
|---|---|
| page: the latest finished week and 12-week trend, server time (median of {found['rounds']}) | {found['page_s']} s |
| reference, same run, interleaved: the sign-in page, rendered without counting | {found['reference_s']} s |
| page / reference | {found['page_to_reference']}× |
| CSV of the same week's counts (no trend) | {found['csv_s']} s |
| page load in Chromium, navigation start to load event (median of 3) | {load} |
| page bytes (HTML with its inline SVG plots) | {found['page_bytes']:,} ({found['page_gzip_bytes']:,} gzipped) |
| stylesheet bytes | {found['css_bytes']:,} |
| script elements on the page | {found['scripts_on_page']} |
| axe-core 4.14.1 on the signed-in page | {axe_text} |
| Rasa server memory before / after {found['rounds'] * 2 + 1} page and CSV views | {memory} |
| a student's chat turn, median: alone / while a counsellor reloads the page non-stop | {chat} |

The count runs in a worker thread, so the chat's event loop keeps serving students; on 2 cores the
two still share the CPU, which is the slowdown in the last row. The page is counted on each view
(nothing cached); the running week is never counted, so a finished week's figures change only when
the retention purge deletes conversations.
{PROTECTS}"""


PROTECTS = """
## What the page protects, and what it can still reveal

A counsellor may view the page as often as they like and do arithmetic with what it shows. The
rules, all in `insights/counts.py`:

- **Fixed weeks only.** Everything is counted over ISO weeks, Monday to Sunday in the school's time
  zone (`timezone` in the schools file), and only once the week is over. There are no chosen dates,
  no days inside a week, and no running week, so no two figures cover overlapping sets of
  conversations: there is no "these two days" to subtract "the first day" from, and no "Monday
  noon" to subtract from "Monday evening". The trend is one figure per week. The CSV and `make
  report` (`--weeks N`: each of the last N weeks on its own) use the same weeks.
- **Only established conversations.** A conversation counts in a week only if it has at least two
  student messages in that week, so a made-up one-message sender lifts nothing.
- **Small numbers look like zero, and numbers are rounded.** A number behind fewer than K
  (`INSIGHTS_MIN_STUDENTS`, 5) different conversations says "fewer than K", the same words for none
  and for one to K-1. A shown number is rounded to the nearest 5 and never shown below 5: 5, 6 and 7
  all show as 5. Every topic has a row every week, asked or not, and so do the "sources could not
  answer" and "answered for a wider group" tables; hidden rows come last in a fixed order. Jobs are
  listed only at K or more, with one line, always there, saying every other job came up in fewer.
  The JSON behind the page holds no hidden number at all.
- **A student's own words need K conversations from two addresses.** A not-understood text (masked
  and grouped) is shown only when at least K established conversations typed it and they came from
  at least two different client addresses. The channels store a keyed hash of the address with each
  message (`client_tag`), never the address; the page only compares them. A message stored without
  a tag (before the channels wrote it) never helps reach two.

What it can still reveal, or fail to show:

- **A school behind one address sees no typed texts from on site.** If all students share the
  school's NAT address, every conversation from school has the same tag, so a text is shown only
  when it was also typed from somewhere else (home, a phone's own data). The counts are unaffected.
- **Padding by someone with two addresses.** The `Origin` header is not authentication. An outsider
  who controls two addresses (home broadband and a phone, or a cloud machine) and writes K
  two-message conversations with a school's Origin can still put their own text on that school's
  page, or write K-1 such conversations to lift one real student's text over K, and can inflate
  the counts the same way. The rate limits slow this; nothing on the page can tell such a
  conversation from a student's.
- **Rounding is to 5 only.** A figure shown as 10 means 8 to 12 conversations; "5" means K to 7. Two
  figures of the same week about overlapping groups (all conversations, and those that asked about
  pay) still say roughly how many did not, rounded.
- **Changing K between views.** The same week viewed under two values of `INSIGHTS_MIN_STUDENTS` can
  narrow a rounded figure: hidden at K = 6 and shown as 5 at K = 5 means exactly 5. Set K once.
- **Changing a school's time zone** moves its week boundaries by a few hours: the same week viewed
  before and after differs by the conversations of those hours. Set it once.
- **The retention purge changes old weeks.** `make purge-conversations` deletes whole conversations
  idle for N days, so a week viewed before and after a purge can differ by the conversations it
  deleted (rounding hides a small difference unless it crosses a boundary of 5 or the threshold).
  With a 30-day purge, weeks older than about four weeks are emptied and say "fewer than K".
- **A counsellor who knows the people behind a figure.** K protects against a reader who knows
  none of the conversations behind a figure, not one who knows K-1 of them (they sat with those
  students, or wrote them): the last one is then singled out. A counsellor who knows that one
  student typed a sentence learns, when it appears, that K conversations did so; when it does not,
  nothing (it may not have reached K, or two addresses).
- **A conversation stands for a student.** A student who clears the browser's storage starts a
  new conversation, and counts twice; a conversation over two weeks counts in each week where it
  has two messages.
- **The report's `--min-students 1`** (for IT, who hold the database anyway) shows every number
  exact, unrounded, with every text: never give that output to a school.
"""


def main() -> int:
    """`make bench-insights`: measure, then publish the JSON to build/ and the page to docs/."""
    found = measure()
    publish(found, RESULTS, DOCS, markdown(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
