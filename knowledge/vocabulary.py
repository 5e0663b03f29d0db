"""The words the assistant's parts share: which intent asks about which topic, and what topics are called.

The actions answer by topic, the counsellors' report counts by topic, and the tests walk every
topic: all of them read it here, so a new topic is added once.
"""

from __future__ import annotations

# The question intents and the knowledge-base topic each asks about (facts.yml and gaps.yml topics).
TOPIC_BY_INTENT = {
    "ask_overview": "overview",
    "ask_duties": "duties",
    "ask_education": "education",
    "ask_license": "license",
    "ask_salary": "salary",
    "ask_best_paying": "best_paying",
    "ask_specialties": "specialties",
    "ask_safety": "safety",
    "ask_equipment": "equipment",
    "ask_outlook": "outlook",
    "ask_hours": "hours",
    "ask_program_length": "program_length",
}
# The topics the sources cover, as an answer names them ("the sources don't say anything about the pay of ...").
TOPIC_LABELS = {
    "overview": "a description",
    "duties": "duties",
    "education": "education or training",
    "license": "licensing rules",
    "salary": "pay",
    "best_paying": "best-paying industry",
    "specialties": "specialties",
    "safety": "safety",
    "equipment": "equipment",
}
# The question topics the sources never cover: every answer to them is the gap's text (gaps.yml).
GAPS = tuple(t for t in TOPIC_BY_INTENT.values() if t not in TOPIC_LABELS)
