"""Annotations from elsewhere: a Hypothesis export or W3C Web Annotation JSON-LD (Seminar's
own included) placed onto a reading through the same anchoring as re-anchoring
(docs/instructors.md, "Bring annotations along")."""
