"""Where the conversations are: TRACKER_STORE_URL, else the one default, a SQLite file in build/.

The Rasa server's tracker store, the purge, the insights page, the report and scripts/serve.sh
(`python -m store.url`) all take the URL from here, so that they can never disagree about it.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

DEFAULT_URL = "sqlite:///build/tracker.db"


def tracker_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """TRACKER_STORE_URL when set and not empty, else DEFAULT_URL."""
    environ = os.environ if environ is None else environ
    return environ.get("TRACKER_STORE_URL") or DEFAULT_URL


if __name__ == "__main__":
    print(tracker_url())
