"""Moderation: flags, the moderators' actions on a post (hide, lock, pin, approve, ...), the
queue, and the append-only audit log every status change writes (docs/moderation.md).

services.py holds the one function through which every status change goes; api.py and
views.py are its JSON and page faces."""
