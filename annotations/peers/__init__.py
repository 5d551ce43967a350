"""Peer visibility: think before you see your classmates.

Per reading, an instructor chooses when a student sees classmates' posts
(`Reading.peer_visibility`): always; once the student has published a passage annotation of
their own there (to the class, not a private note); or once the discussion's due date has
passed. Until then the student sees their own posts, the staff's (in threads the staff or
they started) and the reading's imported reader comments; instructors and TAs see
everything. The rule is one QuerySet clause (`annotations.peers.rules`), so
it holds wherever posts are read: the page, the API's list and changes feed, search,
notifications and emails, exports and counts. What is held back says so by number
(`held_back_count`), never by snippet.

A change of the setting is on the record (`seminar.models.AccessChange`), with what it did.
"""
