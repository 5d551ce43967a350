"""A reading's text and its changes: importing and saving readings (readings.py), immutable
revisions with every annotation re-anchored in the same transaction (services.py), diffs
between revisions (diffs.py), and the edit, history and restore pages (views.py)."""
