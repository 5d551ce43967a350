"""The annotation list as a whole class loads it: GET /api/readings/{id}/annotations.

Two hundred students opening one reading ask for the same 2,000 posts, each as they may see
them. What makes that cheap without changing what anyone sees:

- A version per reading and per thread (models.py), moved by database triggers in the
  transaction of any change to what the list shows (versions.py). The list's strong ETag is
  the reading's version and the viewer (documents.etag); a repeat load that changed nothing
  is a 304 after one query (access.py: the reading, its seminar, the caller's role and the
  version together).
- A shared document per reading and audience (the viewer's role, whether they moderate,
  whether they see names), kept in Django's cache so every worker uses it, with each
  member's own part beside it; brought up to date thread by thread when only some threads
  changed (documents.py).
- gzip for clients that ask, under an ETag of its own (responses.py).

The result is what `Presenter.present_all(visible_rows(...))` gives, item for item
(tests/annotations/test_listing.py holds the two together for every role, state and change).
"""
