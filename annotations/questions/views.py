"""The staff's "Open questions" page: a seminar's (or one reading's) open questions, oldest
first, and marking the ticked ones addressed in class."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotations.models import Annotation, Kind
from annotations.presenting import name_mentions
from annotations.questions.permissions import can_see_open_questions
from annotations.questions.services import NOTE_CHARS, open_questions, questions_address
from seminar.access import access_staff_seminar
from seminar.models import Reading


def _reading(request, seminar, source):
    slug = source.get("reading", "")
    if not slug:
        return None
    return Reading.objects.visible_to(request.user).filter(seminar=seminar, slug=slug).first()


@login_required
def open_list(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_see_open_questions)
    reading = _reading(request, seminar, request.GET)
    questions = list(open_questions(seminar=seminar, user=request.user, reading=reading))
    name_mentions(request.user, questions)
    readings = Reading.objects.visible_to(request.user).filter(seminar=seminar)
    context = {
        "seminar": seminar,
        "reading": reading,
        "readings": readings.order_by("position", "id").only("slug", "title"),
        "questions": questions,
        "note_chars": NOTE_CHARS,
    }
    return render(request, "annotations/questions/open.html", context)


@login_required
@require_POST
def address(request, slug):
    seminar = access_staff_seminar(request.user, slug, allowed=can_see_open_questions)
    reading = _reading(request, seminar, request.POST)
    back = reverse("open_questions", kwargs={"slug": seminar.slug})
    if reading is not None:
        back += f"?reading={reading.slug}"
    ids = {int(i) for i in request.POST.getlist("ids") if i.isdigit()}
    if not ids:
        messages.error(request, "Tick the questions addressed in class first.")
        return redirect(back)
    # Only questions the caller may see: an id typed in for another's note marks nothing.
    found = list(
        Annotation.objects.visible_to(request.user)
        .filter(pk__in=ids, reading__seminar=seminar, kind=Kind.QUESTION)
        .order_by("created", "id")
    )
    done, problems = questions_address(
        questions=found, user=request.user, note=request.POST.get("note", "")
    )
    if missing := len(ids) - len(found):
        problems.insert(
            0, f"{missing} of the ticked questions {pluralize(missing, 'was,were')} not found."
        )
    if done:
        messages.success(request, f"Marked {done} question{pluralize(done)} addressed in class.")
    for problem in problems[:5]:
        messages.error(request, problem)
    return redirect(back)
