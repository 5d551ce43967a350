"""Who grades: one function per rule, asked by the grading pages, the grading API, the
reading page's score control and the exports alike (docs/grading.md, "Who reaches what").

Instructors and TAs score posts and see the gradebook; only instructors release grades
and change the policy. Everyone else, students included, is told nothing: the HTTP layer
turns a refusal into a 404 (a TA refused an instructor's action gets a 403).

What graders see is `gradebook.gradable_posts`: every post of the seminar's students but
private notes (their author's alone) and deleted posts (never graded). Hidden posts are in
it, marked, so a grader can score them; the policy says whether they count.
"""

from seminar.models import STAFF_ROLES, Role
from seminar.permissions import role_in


def can_grade(user, seminar) -> bool:
    """Instructors and TAs score posts and grade."""
    return role_in(user, seminar) in STAFF_ROLES


def can_release_grades(user, seminar) -> bool:
    """Only instructors release grades to students and set the grading policy."""
    return role_in(user, seminar) == Role.INSTRUCTOR
