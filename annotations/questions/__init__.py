"""Questions that close: a question is open, answered or addressed in class, and staff
endorse a reply as its answer (docs/instructors.md, "Questions that close")."""
