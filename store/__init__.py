"""The conversations: the guarded tracker store, retention, and the one reader of Rasa's `events` table.

A foundation room. Rasa's SQLTrackerStore keeps every conversation in one table, `events`; only this
room names it or its columns, so that a change of Rasa's schema is mended here alone. The others ask:
the insights counts and the tests read through events.py, the purge deletes through purge.py, and
the default URL is url.py's. Modules import nothing heavy unless they need it: url.py and events.py
need no Rasa, tracker_store.py is Rasa's own store made to fail briefly and loudly.
"""
