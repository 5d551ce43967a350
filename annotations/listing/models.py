"""A reading's list changes: a row for each change to what GET /api/readings/{id}/annotations
shows of a reading, written by database triggers (versions.py) in the change's own
transaction. The list's ETag and its cached documents go by them.

Append-only, so writers never wait for each other: each change inserts a row of its own and
locks no row another writer needs. A reader takes the reading's newest change and how many
there are as its version (versions.py says why both).

It lives here, not in annotations/models.py (at its size limit). No foreign key in the
database: the triggers write here while Django deletes a reading's posts, before the
reading; the reading's own trigger removes its rows. AnnotationsConfig.ready() loads it.
"""

from django.db import models


class ListChange(models.Model):
    id = models.BigAutoField(primary_key=True)
    reading_id = models.BigIntegerField()
    # The thread (its top post's id) the change is in; none for a change that can touch
    # every post of the reading (a member, a name, a setting, the text).
    thread_id = models.BigIntegerField(null=True)

    class Meta:
        app_label = "annotations"
        indexes = [
            models.Index(fields=["reading_id", "id"], name="listchange_since"),
            # The page comments' version (versions.COMMENTS_VERSION_COLUMNS).
            models.Index(fields=["reading_id", "thread_id"], name="listchange_thread"),
        ]

    def __str__(self):
        where = f"thread {self.thread_id}" if self.thread_id else "everything"
        return f"reading {self.reading_id}: {where} (#{self.id})"
