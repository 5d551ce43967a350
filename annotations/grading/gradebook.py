"""The gradebook: every student × reading, with participation, suggested and final grades.

Built with a fixed number of queries whatever the size of the seminar (students, readings,
posts with their scores and marks, grades, releases, policy), then computed in Python by
annotations.grading.policy; `reading_cells` computes the same cells a student at a time, for
exports that must not hold every post. Write paths for scores, grades and releases are here
too.

What is graded is `gradable_posts`: a hidden post is in it (marked, scored, counted as the
policy says), a private note or a deleted post never is.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Subquery, Value, When

from annotations.grading import policy as grading
from annotations.grading.permissions import can_grade
from annotations.models import (
    DEFAULT_DESCRIPTORS,
    Annotation,
    Grade,
    GradeRelease,
    GradingPolicy,
    Score,
    Status,
    Visibility,
    Vote,
)
from annotations.notifications.services import notify_grades
from seminar.models import Membership, Reading, Role
from seminar.services import ServiceError


def policy_for(seminar):
    """The seminar's policy, or the default one (unsaved) if it never set its own."""
    policy = GradingPolicy.objects.filter(seminar=seminar).first()
    return policy or GradingPolicy(seminar=seminar, descriptors=list(DEFAULT_DESCRIPTORS))


def as_rules(policy):
    return grading.Policy(
        score_max=policy.score_max,
        best_n=policy.best_n,
        late_penalty=policy.late_penalty,
        grace_minutes=policy.grace_minutes,
        count_hidden=policy.count_hidden,
    )


def gradable_posts(seminar):
    """The seminar's posts as graders see them in grading: every status but deleted (never
    graded) and every visibility but private (a note is its author's alone: no grader may
    read it, so no grade counts it). Hidden and waiting posts are in: they are the student's
    work, which a grader must see to judge, marked in every grading view."""
    return _gradable(Annotation.objects.filter(reading__seminar=seminar))


def _gradable(posts):
    return posts.exclude(status=Status.DELETED).exclude(visibility=Visibility.PRIVATE)


def unscored_counts(*, grader, seminars):
    """{seminar id: its students' gradable posts nobody has scored yet} for those of
    `seminars` that `grader` grades: the dashboard's "to score". One query for all."""
    ids = [seminar.pk for seminar in seminars if can_grade(grader, seminar)]
    if not ids:
        return {}
    students = Membership.objects.filter(
        seminar_id=OuterRef("reading__seminar_id"), user_id=OuterRef("author_id"), role=Role.STUDENT
    )
    rows = (
        _gradable(Annotation.objects.filter(reading__seminar_id__in=ids))
        .filter(Exists(students), score__isnull=True)
        .order_by()
        .values("reading__seminar_id")
        .annotate(n=Count("pk"))
        .values_list("reading__seminar_id", "n")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


class PolicyError(ServiceError):
    """A refused policy change that names the form field it is about, so the page can show
    the reason next to that field."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


@dataclass
class Cell:
    reading: Reading
    student_id: int
    posts: list
    participation: grading.Participation
    suggestion: grading.Suggestion
    grade: Grade | None
    released: bool
    # Decided by grading.is_late, so a "late" badge and the penalty can never disagree.
    late_posts: frozenset = frozenset()
    # Hidden by a moderator: marked on every grading view, counted only if the policy says.
    hidden_posts: frozenset = frozenset()
    counts_hidden: bool = False

    @property
    def final(self):
        if self.grade is not None and self.grade.final is not None:
            return float(self.grade.final)
        return self.suggestion.grade

    @property
    def overridden(self):
        return self.grade is not None and self.grade.final is not None

    @property
    def missing(self):
        """No post at all: a hidden post is work done, never "missing"."""
        return not self.posts

    @property
    def hidden_not_counted(self):
        """How many of the student's posts are hidden and, by the policy, left out."""
        return 0 if self.counts_hidden else len(self.hidden_posts)

    @property
    def hidden_note(self):
        """The words for the posts left out ("2 hidden posts, not counted"), or "" if none."""
        count = self.hidden_not_counted
        return grading.hidden_note(count) if count else ""

    @property
    def mark(self):
        """What the gradebook writes on a cell besides its grade: "missing" for no post,
        "hidden, not counted" when every post is hidden and the policy leaves them out."""
        if self.missing:
            return "missing"
        if self.hidden_not_counted == len(self.posts):
            return "hidden, not counted"
        return ""

    @property
    def feedback(self):
        return self.grade.feedback if self.grade else ""


# Posts are read this many at a time: a post's text is only counted, never kept.
CHUNK = 2000


def _post_query(seminar, student_ids, reading_ids):
    helpful = (
        Vote.objects.filter(annotation=OuterRef("pk"))
        .values("annotation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        gradable_posts(seminar)
        .filter(reading_id__in=reading_ids, author_id__in=student_ids)
        .annotate(helpful=Subquery(helpful, output_field=IntegerField()))
        .values_list(
            "id",
            "kind",
            "created",
            "text",
            "start",
            "end",
            "reading_id",
            "author_id",
            "score__value",
            "helpful",
            "status",
        )
        .order_by("created", "id")
    )


def _as_posts(rows):
    """((reading id, author id), grading.Post) of each row, in the rows' order."""
    for row in rows:
        pk, kind, created, text, start, end, reading_id, author_id, score, helpful, status = row
        post = grading.Post(
            id=pk,
            kind=kind,
            created=created,
            words=len(text.split()),
            passage=(start, end) if start is not None else None,
            helpful=helpful or 0,
            score=score,
            hidden=status == Status.HIDDEN,
        )
        yield (reading_id, author_id), post


def _posts(seminar, student_ids, reading_ids):
    posts = {}
    rows = _post_query(seminar, student_ids, reading_ids).iterator(chunk_size=CHUNK)
    for key, post in _as_posts(rows):
        posts.setdefault(key, []).append(post)
    return posts


def students_of(seminar):
    """The seminar's students, in the gradebook's order (by name), each with `group_name`
    (their group's, or "")."""
    students = []
    members = Membership.objects.filter(seminar=seminar, role=Role.STUDENT)
    for m in members.select_related("user", "group").order_by(
        "user__display_name", "user__username"
    ):
        m.user.group_name = m.group.name if m.group else ""
        students.append(m.user)
    return students


def _cell(reading, student, mine, rules, grade, released):
    return Cell(
        reading=reading,
        student_id=student.pk,
        posts=mine,
        participation=grading.participation(mine, reading.due, rules),
        suggestion=grading.suggest(mine, reading.due, rules),
        grade=grade,
        released=released,
        late_posts=frozenset(p.id for p in mine if grading.is_late(p, reading.due, rules)),
        hidden_posts=frozenset(p.id for p in mine if p.hidden),
        counts_hidden=rules.count_hidden,
    )


def build(seminar, *, students=None, readings=None):
    """(students, readings, {(reading id, student id): Cell}) for the seminar."""
    if students is None:
        students = students_of(seminar)
    if readings is None:
        readings = list(Reading.objects.filter(seminar=seminar).order_by("position", "id"))
    rules = as_rules(policy_for(seminar))
    student_ids = [s.pk for s in students]
    reading_ids = [r.pk for r in readings]
    posts = _posts(seminar, student_ids, reading_ids)
    grades = {
        (g.reading_id, g.student_id): g
        for g in Grade.objects.filter(reading_id__in=reading_ids, student_id__in=student_ids)
    }
    released = set(
        GradeRelease.objects.filter(reading_id__in=reading_ids).values_list("reading_id", flat=True)
    )
    cells = {}
    for reading in readings:
        for student in students:
            key = (reading.pk, student.pk)
            cells[key] = _cell(
                reading, student, posts.get(key, []), rules, grades.get(key), reading.pk in released
            )
    return students, readings, cells


def reading_cells(seminar, *, reading, students=None):
    """(student, Cell) of each student on one reading, the same cells as `build`'s, holding
    one student's posts at a time: one query, its rows in the order of `students` (a
    CASE of their positions, which also follows a list sorted by pseudonym)."""
    if students is None:
        students = students_of(seminar)
    rules = as_rules(policy_for(seminar))
    grades = {
        g.student_id: g
        for g in Grade.objects.filter(reading=reading, student_id__in=[s.pk for s in students])
    }
    released = GradeRelease.objects.filter(reading=reading).exists()
    rows = iter(())
    if students:
        place = Case(
            *(When(author_id=s.pk, then=Value(n)) for n, s in enumerate(students)),
            output_field=IntegerField(),
        )
        query = _post_query(seminar, [s.pk for s in students], [reading.pk])
        rows = _as_posts(query.order_by(place, "created", "id").iterator(chunk_size=CHUNK))
    pending = next(rows, None)
    for student in students:
        mine = []
        while pending is not None and pending[0][1] == student.pk:
            mine.append(pending[1])
            pending = next(rows, None)
        yield student, _cell(reading, student, mine, rules, grades.get(student.pk), released)


@transaction.atomic
def score_set(*, annotation, grader, value, comment=""):
    policy = policy_for(annotation.reading.seminar)
    if not isinstance(value, int) or not 0 <= value <= policy.score_max:
        raise ServiceError(f"A score is a whole number from 0 to {policy.score_max}.")
    if annotation.status == Status.DELETED:
        raise ServiceError("This post was deleted.")
    if annotation.visibility == Visibility.PRIVATE:
        raise ServiceError("A private note is its author's alone: it is never graded.")
    score, _ = Score.objects.update_or_create(
        annotation=annotation,
        defaults={"value": value, "comment": (comment or "").strip()[:2000], "grader": grader},
    )
    return score


@transaction.atomic
def grade_set(*, reading, student, grader, final=None, feedback=""):
    if final is not None:
        final = Decimal(str(final)).quantize(Decimal("0.1"))
        if not Decimal(0) <= final <= Decimal(100):
            raise ServiceError("A final grade is between 0 and 100.")
    if not Membership.objects.filter(
        seminar=reading.seminar, user=student, role=Role.STUDENT
    ).exists():
        raise ServiceError("Grades are for students of this seminar.")
    grade, _ = Grade.objects.update_or_create(
        reading=reading,
        student=student,
        defaults={"final": final, "feedback": (feedback or "").strip(), "grader": grader},
    )
    return grade


@transaction.atomic
def grades_release(*, reading, by, release=True):
    """Release a reading's grades to its students (each told once, in their notifications),
    or take them back (what they were told is no longer listed)."""
    if release:
        _release, created = GradeRelease.objects.get_or_create(
            reading=reading, defaults={"released_by": by}
        )
        if created:
            notify_grades(reading=reading, by=by)
            from annotations.grading.passback import passback_later  # it reads the gradebook

            passback_later(reading=reading)  # to the LMS's line item, if linked; in the worker
    else:
        GradeRelease.objects.filter(reading=reading).delete()


def scores_above(seminar, score_max):
    """Scores on the seminar's posts that a 0–score_max scale could not hold. Deleted posts
    are left out: they are never graded and can no longer be rescored."""
    return Score.objects.filter(annotation__reading__seminar=seminar, value__gt=score_max).exclude(
        annotation__status=Status.DELETED
    )


@transaction.atomic
def policy_save(
    *, seminar, score_max, descriptors, best_n, late_penalty, grace_minutes, count_hidden=False
):
    if not 1 <= score_max <= 10:
        raise PolicyError(
            "The rubric scale goes from 0 to a number between 1 and 10.", field="score_max"
        )
    if not 1 <= best_n <= 50:
        raise PolicyError("Count between 1 and 50 best posts.", field="best_n")
    if not 0 <= late_penalty <= 100:
        raise PolicyError("A late penalty is a percentage from 0 to 100.", field="late_penalty")
    # Refused, not capped or rescaled: a score is a grader's judgement, and silently turning
    # a 3 into a 2 (or a grade into 150%) would leave numbers nobody can explain.
    above = scores_above(seminar, score_max).aggregate(count=Count("pk"), highest=Max("value"))
    if above["count"]:
        count, highest = above["count"], above["highest"]
        raise PolicyError(
            f"{count} score{'s are' if count != 1 else ' is'} above {score_max} (the highest "
            f"is {highest}). Rescore {'those posts' if count != 1 else 'that post'} first, "
            f"or keep the scale at 0–{highest}.",
            field="score_max",
        )
    descriptors = [d.strip() for d in descriptors if d.strip()][: score_max + 1]
    policy, _ = GradingPolicy.objects.update_or_create(
        seminar=seminar,
        defaults={
            "score_max": score_max,
            "descriptors": descriptors,
            "best_n": best_n,
            "late_penalty": late_penalty,
            "grace_minutes": grace_minutes,
            "count_hidden": bool(count_hidden),
        },
    )
    return policy
