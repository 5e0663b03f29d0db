"""Delete conversations whose last message is older than N days from the tracker store.

`make purge-conversations DAYS=30`, or `python -m store.purge --days 30` in the Rasa image (the
Kubernetes CronJob). Students are often minors: keep conversations only as long as the school needs
them (RETENTION_DAYS in the README), then remove them whole.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional

import sqlalchemy as sa

from store.events import delete_idle
from store.url import tracker_url


def purge(url: str, days: float, now: Optional[float] = None) -> int:
    """Delete every conversation idle for more than `days`; return how many were deleted."""
    return delete_idle(url, (now if now is not None else time.time()) - days * 86_400)


def main(argv: Optional[List[str]] = None) -> int:
    """The command: 0 when done (or nothing was ever stored), 1 when the database cannot be purged."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, required=True, help="keep conversations active in the last N days")
    parser.add_argument("--url", default=tracker_url(),
                        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL)")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must be 0 or more")
    try:
        count = purge(args.url, args.days)
    except sa.exc.NoSuchTableError:
        print(f"no conversations stored at {args.url}", file=sys.stderr)
        return 0
    except sa.exc.SQLAlchemyError as error:
        print(f"cannot purge {args.url}: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 1
    print(f"deleted {count} conversation(s) idle for more than {args.days:g} days from {args.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
