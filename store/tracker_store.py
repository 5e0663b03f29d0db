"""Where conversations are kept: Rasa's SQL tracker store, made to fail briefly and loudly.

Rasa 3.6's own `SQLTrackerStore` waits forever for a database that cannot be reached at
start-up, logging a warning every 5 s, and behind Rasa's fail-safe wrapper a database error
mid-conversation makes the assistant carry on with an empty history: the student's context
is silently gone. This store instead:

- tries `TRACKER_STORE_CONNECT_ATTEMPTS` times (default 3, 2 s apart) at start-up, then logs
  one clear error and starts anyway, retrying on each turn until the database is back;
- raises `TrackerStoreUnavailable` on a turn whose history cannot be read or saved, which
  the channels turn into a polite "try again" reply;
- gives SQLite a write-ahead log and a busy timeout, so that two server processes can share
  one file.

It is Rasa's `SQLTrackerStore` otherwise: same tables, same URL (`TRACKER_STORE_URL`, else store/url.py's
default). endpoints.yml names it as `store.tracker_store.GuardedSQLTrackerStore`.

The Rasa internals this relies on are listed in bot/rasa_patches.py, which checks at start-up that they
still exist.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Iterable, Optional, Text

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from store.url import tracker_url

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_SECONDS = 5.0  # a write waits this long for another process before the turn fails


class TrackerStoreUnavailable(BaseException):
    """The conversation database failed during a turn.

    A BaseException on purpose: Rasa's FailSafeTrackerStore catches every Exception and goes on
    with an empty, unsaved conversation. This one passes through to the channel, which answers
    the student politely and keeps nothing half-done.
    """


def _reason(error: BaseException) -> str:
    """The driver's own message, never SQLAlchemy's text, which quotes the SQL parameters
    (message texts included)."""
    orig = getattr(error, "orig", None) or error
    return f"{type(orig).__name__}: {str(orig).splitlines()[0] if str(orig) else ''}"


class GuardedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore with bounded start-up retries and a clear failure per turn."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[Text] = None,
                 event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = host or tracker_url()
        if "://" not in url:
            raise ValueError(f"tracker_store url must be an SQLAlchemy URL, not {url!r}")
        engine_kwargs = create_engine_kwargs(url)
        if url.startswith("sqlite"):
            engine_kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._available, self._reported = False, False
        attempts = max(1, int(os.environ.get("TRACKER_STORE_CONNECT_ATTEMPTS", "3")))
        for attempt in range(1, attempts + 1):
            if self._connect(log_failure=attempt == attempts):
                break
            if attempt < attempts:
                time.sleep(float(os.environ.get("TRACKER_STORE_RETRY_SECONDS", "2")))
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    @property
    def where(self) -> str:
        """The database's URL with any password hidden, for log lines."""
        return self.engine.url.render_as_string(hide_password=True)

    def _connect(self, log_failure: bool) -> bool:
        """Create the tables if needed; remember whether the database answered."""
        try:
            self.Base.metadata.create_all(self.engine)
            if self.engine.dialect.name == "sqlite":
                # WAL lets readers and one writer work at once, so two server processes can share the
                # file. It is stored in the file: set once here, not on each of SQLite's per-turn connections.
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        except sqlalchemy.exc.SQLAlchemyError as error:
            if log_failure:
                self._went_down(error)
            return False
        if not self._available:
            logger.info("Conversation database %s is available.", self.where)
        self._available = True
        return True

    def _went_down(self, error: BaseException) -> None:
        """Log an outage once, with the driver's reason, and remember it so that the next turn reconnects."""
        if self._available or not self._reported:  # once per outage, not once per turn
            logger.error(
                "Cannot reach the conversation database %s (%s). Students get a 'please try "
                "again' reply until it is back; check TRACKER_STORE_URL and the database.",
                self.where, _reason(error))
            self._reported = True
        self._available = False

    def _ready(self) -> None:
        """Reconnect if the database was down; a turn never runs against a store known to be unreachable."""
        if not self._available and not self._connect(log_failure=False):
            raise TrackerStoreUnavailable(self.where)

    async def _guarded(self, call: Any, *args: Any) -> Any:
        """Run one of Rasa's store calls; a database error becomes TrackerStoreUnavailable for the channel."""
        self._ready()
        try:
            return await call(*args)
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._went_down(error)
            raise TrackerStoreUnavailable(self.where) from None

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve, guarded."""
        return await self._guarded(super().retrieve, sender_id)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve_full_tracker, guarded."""
        return await self._guarded(super().retrieve_full_tracker, sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, guarded: an unsaved turn is never answered as if it were saved."""
        await self._guarded(super().save, tracker)

    async def keys(self) -> Iterable[Text]:
        """Rasa's keys, guarded."""
        return await self._guarded(super().keys)

