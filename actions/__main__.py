"""Start the action server, but only once the knowledge base opens.

`python -m actions` is `rasa run actions` with a check first: a missing or corrupt
knowledge base stops the server at start with a message that says how to rebuild it,
instead of failing on a student's first question.
"""

from __future__ import annotations

import os
import sys

from knowledge.query import KnowledgeBase, KnowledgeBaseMissing


def main() -> int:
    """Refuse to start without a usable knowledge base, so the failure shows at start, not on a question."""
    try:
        KnowledgeBase()
    except KnowledgeBaseMissing as error:
        print(f"action server not started: {error}", file=sys.stderr)
        return 2
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")  # localhost only, unless configured
    # Keep idle connections open longer than the Rasa server's client pools them (aiohttp: 15 s).
    # With Sanic's 5 s default, a busy Rasa server reused connections the action server had just
    # closed ("Cannot write to closing transport"): 5 of 800 turns failed at 50 students.
    os.environ.setdefault("SANIC_KEEP_ALIVE_TIMEOUT", "75")
    from rasa_sdk.__main__ import main as rasa_sdk_main

    sys.argv = [sys.argv[0], "--actions", "actions", *sys.argv[1:]]
    rasa_sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
