"""The counsellor's report of a conversation held with the real servers."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from harness.assistant import Assistant

pytestmark = pytest.mark.e2e


def test_report_of_a_real_conversation(assistant: Assistant) -> None:
    """Through the real servers: what the widget's school sent is what the counsellor sees."""
    school = f"Report Test School {uuid.uuid4().hex[:6]}"
    sender = f"report-{uuid.uuid4().hex[:8]}"
    for text in ("what does a sonographer do", "how much do they earn", "what about nuclear medicine?",
                 "how many hours a week do they work"):
        assistant.say(sender, text, metadata={"school": school})
    output = subprocess.run([sys.executable, "-m", "bot.report", "--days", "1", "--school", school, "--json",
                             "--url", f"sqlite:///{assistant.tracker_db}"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    report = json.loads(output)
    assert (report["conversations"], report["messages"]) == (1, 4)
    topics = report["topics"]
    assert topics["salary"] == 2 and topics["hours"] == 1 and sum(topics.values()) == 4, topics
    assert set(report["jobs"]) == {"diagnostic medical sonographer", "nuclear medicine technologist"}
    assert report["sources_silent"] == {"hours": 1}
    assert sender not in output
