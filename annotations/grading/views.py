"""Grading pages: the gradebook, the policy, grading one student's posts, and grades pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotations.forms import GradeForm, PolicyForm
from annotations.grading import display, gradebook, passback
from annotations.grading.permissions import can_grade, can_release_grades
from annotations.models import Annotation, GradeRelease
from annotations.presenting import name_mentions
from seminar.access import access_seminar, access_staff_reading, access_staff_seminar
from seminar.models import Membership, Role
from seminar.services import ServiceError


def access_grading(user, slug, *, allowed=can_grade):
    """The seminar, for grading pages: a staff page (seminar.access), 404 to students."""
    return access_staff_seminar(user, slug, allowed=allowed)


def _access_grading_reading(user, slug, reading_slug, *, allowed=can_grade):
    return access_staff_reading(
        user, slug, reading_slug, allowed=lambda u, r: allowed(u, r.seminar)
    )


def _student(seminar, student_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        seminar=seminar,
        user_id=student_id,
        role=Role.STUDENT,
    )
    return membership.user


@login_required
def book(request, slug):
    seminar = access_grading(request.user, slug)
    students, readings, cells = gradebook.build(seminar)
    groups = sorted({s.group_name for s in students if s.group_name})
    # A group's students only (?group=<name>): the staff grade a section at a time.
    group = request.GET.get("group", "")
    shown = [s for s in students if s.group_name == group] if group in groups else students
    rows = [(s, [cells[(r.pk, s.pk)] for r in readings]) for s in shown]
    released = {cell.reading.pk for cell in cells.values() if cell.released}
    lms = passback.gradebook_lms(students=students, readings=readings, cells=cells)
    context = {
        "seminar": seminar,
        "readings": readings,
        "columns": [(r, r.pk in released) for r in readings],
        "rows": rows,
        "groups": groups,
        "group": group if group in groups else "",
        "policy": gradebook.policy_for(seminar),
        "can_release": can_release_grades(request.user, seminar),
        "lms": lms,
    }
    return render(request, "annotations/gradebook.html", context)


@login_required
def policy(request, slug):
    seminar = access_grading(request.user, slug, allowed=can_release_grades)
    current = gradebook.policy_for(seminar)
    initial = {
        "score_max": current.score_max,
        "best_n": current.best_n,
        "late_penalty": current.late_penalty,
        "grace_minutes": current.grace_minutes,
        "count_hidden": current.count_hidden,
        "descriptors": "\n".join(current.descriptors),
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gradebook.policy_save(
                seminar=seminar,
                score_max=data["score_max"],
                best_n=data["best_n"],
                late_penalty=data["late_penalty"],
                grace_minutes=data["grace_minutes"],
                count_hidden=data["count_hidden"],
                descriptors=data["descriptors"].splitlines(),
            )
        except gradebook.PolicyError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Grading policy saved. Suggested grades follow it now.")
            return redirect("gradebook", slug=seminar.slug)
    return render(
        request,
        "annotations/grading_policy.html",
        {"seminar": seminar, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def grade_student(request, slug, reading_slug, student_id):
    reading = _access_grading_reading(request.user, slug, reading_slug)
    seminar = reading.seminar
    student = _student(seminar, student_id)
    students, _readings, cells = gradebook.build(seminar, readings=[reading])
    cell = cells[(reading.pk, student.pk)]
    posts = {
        a.pk: a
        for a in Annotation.objects.filter(pk__in=[p.id for p in cell.posts]).select_related(
            "score", "reading__seminar"
        )
    }
    name_mentions(request.user, posts.values())
    form = GradeForm(
        request.POST or None,
        initial={"final": cell.grade.final if cell.grade else None, "feedback": cell.feedback},
    )
    # The unit, as on every grade the page shows ("72.2%"): a grade is out of 100.
    form.fields["final"].label = f"Final grade ({display.OUT_OF})"
    if request.method == "POST" and form.is_valid():
        gradebook.grade_set(
            reading=reading, student=student, grader=request.user, **form.cleaned_data
        )
        messages.success(request, f"Grade for {student.name} saved.")
        return redirect(request.path)
    order = [s.pk for s in students]
    at = order.index(student.pk)
    policy = gradebook.policy_for(seminar)
    context = {
        "seminar": seminar,
        "reading": reading,
        "student": student,
        "cell": cell,
        "posts": [posts[p.id] for p in cell.posts if p.id in posts],
        "policy": policy,
        "scale": [
            (v, policy.descriptors[v] if v < len(policy.descriptors) else "")
            for v in range(policy.score_max + 1)
        ],
        "form": form,
        "previous": students[at - 1] if at > 0 else None,
        "next": students[at + 1] if at + 1 < len(students) else None,
        "can_release": can_release_grades(request.user, seminar),
    }
    return render(
        request, "annotations/grade_student.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def release(request, slug, reading_slug):
    reading = _access_grading_reading(request.user, slug, reading_slug, allowed=can_release_grades)
    on = request.POST.get("release") == "1"
    gradebook.grades_release(reading=reading, by=request.user, release=on)
    messages.success(
        request,
        f"Grades for “{reading.title}” are {'released to' if on else 'hidden from'} students.",
    )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("gradebook", slug=slug)


@login_required
@require_POST
def lms_send(request, slug, reading_slug):
    """The gradebook's "Send to LMS": queues the reading's passback, never waits for it."""
    reading = _access_grading_reading(request.user, slug, reading_slug, allowed=can_release_grades)
    if not GradeRelease.objects.filter(reading=reading).exists():
        messages.error(request, f"Release the grades for “{reading.title}” first.")
    elif passback.passback_later(reading=reading):
        messages.success(request, f"Grades for “{reading.title}” are on their way to the LMS.")
    else:
        messages.error(request, f"“{reading.title}” is not linked to an LMS assignment.")
    return redirect("gradebook", slug=slug)


@login_required
def student_grades(request, slug, student_id):
    """One student's grades across readings: staff see all; a student only their own,
    released ones. Anyone else gets a 404, as if the page did not exist."""
    seminar = access_seminar(request.user, slug)
    staff = can_grade(request.user, seminar)
    if not staff and request.user.pk != student_id:
        raise Http404
    student = _student(seminar, student_id)
    _students, readings, cells = gradebook.build(seminar, students=[student])
    rows = []
    for reading in readings:
        cell = cells[(reading.pk, student.pk)]
        if staff or (cell.released and not reading.is_draft):
            rows.append(cell)
    ids = [p.id for cell in rows for p in cell.posts]
    scored = {
        a.pk: a
        for a in Annotation.objects.filter(pk__in=ids, score__isnull=False).select_related(
            "score", "reading__seminar"
        )
    }
    for cell in rows:
        cell.scored = [scored[p.id] for p in cell.posts if p.id in scored]
    context = {
        "seminar": seminar,
        "student": student,
        "rows": rows,
        "staff": staff,
        "score_max": gradebook.policy_for(seminar).score_max,
    }
    return render(request, "annotations/student_grades.html", context)


@login_required
def my_grades(request, slug):
    seminar = access_seminar(request.user, slug)
    return redirect("student_grades", slug=seminar.slug, student_id=request.user.pk)


@login_required
@require_POST
def score_post(request, slug, pk):
    """The no-script way to score a post (the page's script uses PUT /api/…/score)."""
    seminar = access_grading(request.user, slug)
    # Only what the grader may see: a private note is a 404, as in the API (never a 302 that
    # would confirm it exists).
    annotation = get_object_or_404(
        Annotation.objects.visible_to(request.user), pk=pk, reading__seminar=seminar
    )
    try:
        value = int(request.POST.get("score", ""))
        gradebook.score_set(
            annotation=annotation,
            grader=request.user,
            value=value,
            comment=request.POST.get("comment", ""),
        )
    except (ValueError, ServiceError) as exc:
        messages.error(request, str(exc) if isinstance(exc, ServiceError) else "Choose a score.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("gradebook", slug=seminar.slug)
