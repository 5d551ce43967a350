"""Live updates of a reading's discussion: GET /api/readings/{id}/changes?since=<cursor>.

A reader's page asks about every 15 seconds what changed since the cursor it holds
(cursors.py). The answer comes from the reading's list changes (annotations/listing: rows
written by database triggers in the transaction of each change), so it needs no state in a
web process and works with any number of gunicorn workers; no websocket server either.
An unchanged reading is a 304 after two queries (access.py: the session, then the user, the
reading, the caller's role and the version together). A changed one gives each changed
thread as the caller may see it now, presented as the annotation list presents it.
"""
