"""Score a model on the discovery sets: finding a job from what a student likes.

The development set (tests/discovery/; the scanner's words were chosen on it) was written by a helper shown
only the two sources, the label schema and the discovery spec (tests/discovery/spec.md), never `data/`.
Each message has its intent, the preferences its own words state (`likes`, `dislikes`) and a scope; each
conversation also says what the student wants by its end, in context.
The sealed set (tests/discovery_sealed/) was written the same way by another helper, shown neither set nor
`data/`: nothing is tuned on it, and only its figures are printed.

What counts:
- intent accuracy, as in the sealed set (an out-of-scope message caught counts as right). A message that
  only asks which jobs there are (explore_jobs with no preference) may also be read as ask_titles: both
  list the jobs and offer the guided path. An explore_jobs message read as another intent counts when the
  reply was a discovery answer all the same (the actions hand a typed answer to a guided question back to
  discovery: "mostly machines" read as a question on equipment);
- preferences right: of the explore_jobs messages, those whose stated dislikes are exactly the labelled
  ones and whose likes are all found and none extra. "Doesn't mind" (radiation is fine) satisfies a
  labelled like without being one (the label schema counts "OK with radiation" as a like);
- in conversations: each turn's intent, what the assistant keeps in its `preferences` slot at the end
  against `wants`, and that no discovery answer offers a job that a stated dislike rules out;
- every job an answer offers has a fact of its own (a reason in knowledge/discovery.yml or its overview).

    python -m harness.discovery_set MODEL OUT.json [--show]   # the development set (tests/discovery/)
    python -m harness.discovery_set MODEL OUT.json --sealed   # the sealed one (tests/discovery_sealed/)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from harness.dialogue import Dialogue, Turn
from harness.sealed import CAUGHT, _share, load
from harness.servers import PROJECT_DIR

FOLDER = PROJECT_DIR / "tests" / "discovery"  # the development set: its texts may be read (--show)
SEALED_FOLDER = PROJECT_DIR / "tests" / "discovery_sealed"  # figures only, never its texts
EXPLORE = "explore_jobs"
ALSO_RIGHT = {EXPLORE: "ask_titles"}  # "what jobs are there": the title list answers it too


DISCOVERY_SLOTS = ("preferences", "discovery_step")


def discovery_reply(before: Dict[str, Any], turn: Turn) -> bool:
    """The reply was a discovery answer: the discovery action ran, or an answer handed the message to it
    (a guided answer read as another question) and it changed what the student wants or the step."""
    return turn.action == "action_explore_jobs" or any(
        turn.slots.get(name) != before.get(name) for name in DISCOVERY_SLOTS)


def intent_right(item: Dict[str, Any], turn: Turn, before: Optional[Dict[str, Any]] = None) -> bool:
    """The labelled intent, or a caught refusal for out-of-scope; "which jobs are there" may list the titles;
    an explore_jobs message read as another intent counts when its reply was a discovery answer all the same."""
    if item["scope"] != "in":
        return turn.kind in CAUGHT
    if turn.intent == item["intent"]:
        return True
    if item["intent"] == EXPLORE and discovery_reply(before or {}, turn):
        return True
    bare = not (item.get("likes") or item.get("dislikes"))
    return bare and ALSO_RIGHT.get(item["intent"]) == turn.intent


def stances(values: List[str]) -> Tuple[Set[str], Set[str], Set[str]]:
    """Liked, disliked and don't-mind preferences, from slot values or a message's Stated values."""
    from knowledge.discovery import ANY, DISLIKE, LIKE, discovery

    parsed = [s for s in (discovery().parse(v) for v in values) if s is not None]
    return ({s.preference for s in parsed if s.stance == LIKE}, {s.preference for s in parsed if s.stance == DISLIKE},
            {s.preference for s in parsed if s.stance == ANY})


def preferences_right(want_likes: List[str], want_dislikes: List[str], got: List[str]) -> bool:
    """Dislikes exactly; every labelled like found (a "doesn't mind" will do) and no like that isn't labelled."""
    likes, dislikes, neutral = stances(got)
    return dislikes == set(want_dislikes) and set(want_likes) <= likes | neutral and likes <= set(want_likes)


def offered(reply: str) -> List[str]:
    """The job ids an answer offers, from its offer line."""
    from actions.context import knowledge_base
    from actions.discover import offered_line

    line = offered_line(reply)
    return [o.id for o in knowledge_base().occupations() if o.plural in line]


def ruled_out(dislikes: Set[str]) -> Set[str]:
    """The jobs that a dislike rules out: those knowledge/discovery.yml ties to a disliked preference."""
    from knowledge.discovery import discovery

    found = discovery()
    return {r.occupation for p in dislikes if p in found.preferences and found.preferences[p].rules_out
            for r in found.preferences[p].jobs}


def has_fact(occupation_id: str) -> bool:
    """A job offered must come with something the sources say of it."""
    from actions.context import knowledge_base
    from knowledge.discovery import discovery

    reasons = {r.occupation for p in discovery().preferences.values() for r in (*p.jobs, *p.without)}
    return occupation_id in reasons or knowledge_base().fact(occupation_id, "overview") is not None


async def score(dialogue: Dialogue, messages: List[Dict[str, Any]], conversations: List[Dict[str, Any]],
                show: bool = False) -> Dict[str, Any]:
    """The set's figures; with `show`, each wrong message or conversation is printed (this set may be read)."""
    from knowledge.discovery import discovery

    intents, prefs, offers_ok = [], [], []
    for item in messages:
        turn = await dialogue.turn(item["text"], {})
        intents.append(intent_right(item, turn))
        got: List[str] = []
        if item["scope"] == "in" and item["intent"] == EXPLORE:
            got = [s.value for s in discovery().stated(item["text"])]
            prefs.append(preferences_right(item.get("likes") or [], item.get("dislikes") or [], got))
        if turn.action == "action_explore_jobs":
            jobs = [j for r in turn.replies for j in offered(r)]
            offers_ok.append(all(has_fact(j) for j in jobs))
        if show and (not intents[-1] or (prefs and item["intent"] == EXPLORE and item["scope"] == "in"
                                         and not prefs[-1])):
            print(f"message {item['intent']} -> {turn.intent}; likes {item.get('likes')} dislikes "
                  f"{item.get('dislikes')} -> {got}: {item['text']!r}")
    turns_right, whole, kept_right, never_ruled_out = [], [], [], []
    for conversation in conversations:
        slots: Dict[str, Any] = {}
        results, said_dislikes, clean = [], set(), True
        for item in conversation["turns"]:
            before = dict(slots)
            turn = await dialogue.turn(item["text"], slots)
            results.append(intent_right(item, turn, before))
            if show and not results[-1]:
                print(f"  turn {item['intent']} -> {turn.intent}: {item['text']!r}")
            said_dislikes = stances(slots.get("preferences") or [])[1]
            for reply in turn.replies if turn.action in ("action_explore_jobs", "action_yes_no") else []:
                jobs = offered(reply)
                offers_ok.append(all(has_fact(j) for j in jobs))
                clean = clean and not (set(jobs) & ruled_out(said_dislikes))
        wants = conversation.get("wants") or {}
        kept = preferences_right(wants.get("likes") or [], wants.get("dislikes") or [], slots.get("preferences") or [])
        turns_right += results
        whole.append(all(results))
        kept_right.append(kept)
        never_ruled_out.append(clean)
        if show and not (all(results) and kept and clean):
            print(f"conversation {conversation['name']!r}: turns {results}, kept {slots.get('preferences')} "
                  f"for {wants}, nothing ruled out offered: {clean}")
    return {
        "messages": len(messages), "intent_accuracy": _share(intents),
        "explore_messages": len(prefs), "preferences_right": _share(prefs),
        "conversations": len(conversations), "turns": len(turns_right), "turn_accuracy": _share(turns_right),
        "conversations_all_turns_right": _share(whole), "preferences_kept_right": _share(kept_right),
        "no_ruled_out_job_offered": _share(never_ruled_out), "offered_jobs_with_a_fact": _share(offers_ok),
    }


async def evaluate(model: Path, folder: Path = FOLDER, show: bool = False) -> Dict[str, Any]:
    """All the figures of a discovery set; the sealed one's texts are never shown."""
    if show and folder == SEALED_FOLDER:
        raise ValueError("the sealed discovery set's texts are not shown")
    dialogue = Dialogue(model)
    return await score(dialogue, load(folder / "messages.yml", "messages"),
                       load(folder / "conversations.yml", "conversations"), show)


def main(argv: Optional[List[str]] = None) -> int:
    """Figures as JSON (and the wrong items on --show)."""
    args = argv if argv is not None else sys.argv[1:]
    show, sealed = "--show" in args, "--sealed" in args
    args = [a for a in args if a not in ("--show", "--sealed")]
    if len(args) != 2 or (show and sealed):
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    result = asyncio.run(evaluate(Path(args[0]), SEALED_FOLDER if sealed else FOLDER, show))
    Path(args[1]).parent.mkdir(parents=True, exist_ok=True)
    Path(args[1]).write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
