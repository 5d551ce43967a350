"""Instructor insight: where the class is confused, before class starts
(docs/instructors.md, "Before class").

Staff of a seminar only. From what Seminar already knows — each post's kind, its exact
passage (kept through edits), helpful marks and scores — it makes a heat map of the reading
(`spans`, `services.passage_map`), a "Before class" page per reading and a seminar's
activity table (`activity`). Counts are the class's: posts by the seminar's students,
published or awaiting approval, never private notes, hidden or deleted posts.
"""
