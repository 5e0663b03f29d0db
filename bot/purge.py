"""Delete conversations whose last message is older than N days from the tracker store.

`make purge-conversations DAYS=30`. Students are often minors: keep conversations only as
long as the school needs them (RETENTION_DAYS in the README), then remove them whole.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional

import sqlalchemy as sa

DEFAULT_URL = "sqlite:///build/tracker.db"


def purge(url: str, days: float, now: Optional[float] = None) -> int:
    """Delete every conversation idle for more than `days`; return how many were deleted."""
    cutoff = (now if now is not None else time.time()) - days * 86_400
    engine = sa.create_engine(url)
    try:
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            last = sa.func.max(events.c.timestamp)
            stale = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last < cutoff)
            senders = [row[0] for row in connection.execute(stale)]
            for start in range(0, len(senders), 500):
                connection.execute(events.delete().where(events.c.sender_id.in_(senders[start:start + 500])))
        return len(senders)
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, required=True, help="keep conversations active in the last N days")
    parser.add_argument("--url", default=os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL,
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
