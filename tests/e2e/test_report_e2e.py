"""The counsellor's report of a conversation held with the real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from typing import Any, Dict

import pytest

from harness.assistant import Assistant
from tests.e2e.conftest import RIDGEVIEW

pytestmark = pytest.mark.e2e


def report(assistant: Assistant, school: str) -> Dict[str, Any]:
    """`make report` for one school, as its maintainer runs it: every count, since they hold the database."""
    env = {**os.environ, "SCHOOLS_FILE": str(assistant.tracker_db.parent / "schools.yml")}
    output = subprocess.run([sys.executable, "-m", "insights.report", "--days", "2", "--school", school, "--json",
                             "--min-students", "1", "--url", f"sqlite:///{assistant.tracker_db}"],
                            capture_output=True, text=True, timeout=60, check=True, env=env).stdout
    data = json.loads(output)
    for key in ("topics", "jobs", "sources_silent"):  # name -> messages, to compare before and after
        data[key] = {row["key"]: row["messages"] for row in data[key]}
    return data


def test_report_of_a_real_conversation(district: Assistant) -> None:
    """Through the real servers: the school of the page's origin is what the counsellor sees, whatever
    the page claims."""
    school = "Ridgeview Academy"
    before = report(district, school)  # other tests talk to this server too: count what this one adds
    sender = f"report-{uuid.uuid4().hex[:8]}"
    for text in ("what does a sonographer do", "how much do they earn", "what about nuclear medicine?",
                 "how many hours a week do they work"):
        district.say(sender, text, metadata={"school": "Claimed School"}, origin=RIDGEVIEW)
    assert report(district, "Claimed School")["messages"] == 0
    assert report(district, "ridgeview")["messages"] == report(district, school)["messages"]  # id or name
    found = report(district, school)

    def added(key: str) -> Counter:
        return Counter(found[key]) - Counter(before[key])

    assert (found["conversations"] - before["conversations"], found["messages"] - before["messages"]) == (1, 4)
    topics = added("topics")
    assert topics["salary"] == 2 and topics["hours"] == 1 and sum(topics.values()) == 4, topics
    assert set(added("jobs")) == {"diagnostic medical sonographer", "nuclear medicine technologist"}, added("jobs")
    assert added("sources_silent") == Counter({"hours": 1})
    assert sender not in json.dumps(found)
