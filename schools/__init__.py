"""The schools a server serves: their file, its checks, and which school a request comes from.

A foundation room: bot/ (the channels), actions/ (the handoff's contact checks) and insights/ (the
counsellors' sign-in) read it, and it reads none of them. Kept small and free of Rasa, so that the
action server's image carries it without bot/. Modules: contact.py (the checks on a contact, and
the contact as a message's metadata carries it), school.py (a school, and the one lookup from a
request's Origin to its school), file.py (the schools file and its validation); `python -m schools`
checks a file.
"""
