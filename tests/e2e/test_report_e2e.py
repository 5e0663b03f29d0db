"""The counsellor's report of a conversation held with the real servers.

The report counts only finished weeks, and the conversation is this week's: its rows, exactly as the
real server stored them, are copied two weeks back into a store of the test's own, and the report reads
that (a finished week, with no one else's conversations in it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict

import pytest

from harness.assistant import Assistant
from harness.insights_data import copy_moved
from insights.counts import Week
from tests.e2e.conftest import RIDGEVIEW

pytestmark = pytest.mark.e2e


WEEK_SECONDS = 7 * 86_400


def report(assistant: Assistant, school: str, url: str, week: str) -> Dict[str, Any]:
    """`make report` for one school and one finished week, as its maintainer runs it: every count
    exact (`--min-students 1`), since they hold the database."""
    env = {**os.environ, "SCHOOLS_FILE": str(assistant.tracker_db.parent / "schools.yml")}
    output = subprocess.run([sys.executable, "-m", "insights.report", "--week", week, "--school", school, "--json",
                             "--min-students", "1", "--url", url],
                            capture_output=True, text=True, timeout=60, check=True, env=env).stdout
    weeks = json.loads(output)
    assert len(weeks) == 1
    data = weeks[0]
    for key in ("topics", "jobs", "sources_silent"):  # name -> messages, to compare before and after
        data[key] = {row["key"]: row["messages"] for row in data[key]}
    return data


def test_report_of_a_real_conversation(district: Assistant, tmp_path: Path) -> None:
    """Through the real servers: the school of the page's origin is what the counsellor sees, whatever
    the page claims."""
    school = "Ridgeview Academy"
    sender = f"report-{uuid.uuid4().hex[:8]}"
    for text in ("what does a sonographer do", "how much do they earn", "what about nuclear medicine?",
                 "how many hours a week do they work"):
        district.say(sender, text, metadata={"school": "Claimed School"}, origin=RIDGEVIEW)
    live = district.tracker_url
    today = dt.datetime.now(dt.timezone.utc).date()
    # Two weeks back is a finished week in every school's zone: one week back is not, early on a Monday (UTC)
    # for a school west of Greenwich ("Claimed School"'s report refused it then).
    this_week, last_week = Week.of(today).label, Week.of(today - dt.timedelta(days=14)).label
    refused = subprocess.run([sys.executable, "-m", "insights.report", "--week", this_week, "--url", live],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "not over yet" in refused.stderr, "the running week is never counted"
    url = f"sqlite:///{tmp_path / 'last-week.db'}"
    assert copy_moved(live, url, [sender], 2 * WEEK_SECONDS) > 4
    assert report(district, "Claimed School", url, last_week)["messages"] == 0
    assert report(district, "ridgeview", url, last_week)["messages"] == \
        report(district, school, url, last_week)["messages"]  # id or name
    found = report(district, school, url, last_week)
    assert (found["conversations"], found["messages"]) == (1, 4)
    topics = Counter({k: v for k, v in found["topics"].items() if v})
    assert topics["salary"] == 2 and topics["hours"] == 1 and sum(topics.values()) == 4, topics
    assert set(found["jobs"]) == {"diagnostic medical sonographer", "nuclear medicine technologist"}, found["jobs"]
    assert Counter({k: v for k, v in found["sources_silent"].items() if v}) == Counter({"hours": 1})
    assert sender not in json.dumps(found)
