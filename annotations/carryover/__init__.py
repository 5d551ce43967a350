"""Carrying a seminar to a new term: its readings with their history, its grading policy,
its groups' shape and the staff's chosen annotations, never students' posts
(docs/instructors.md, "A new term from this seminar")."""
