"""Grading: rubric scores on posts, the seminar's stated policy (policy.py), the gradebook
that turns scores into suggested and final grades (gradebook.py), release to students,
and the CSVs for Canvas and Moodle (downloads.py). docs/grading.md describes it for users."""
