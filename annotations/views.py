"""The reading page (the post and its numbered discussion) and the instructor's reading forms."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from annotations.agenda.services import (
    open_items,
    reading_facts,
    reading_facts_columns,
    reading_visit_refresh,
)
from annotations.agenda.unread import unread_version
from annotations.forms import CommentForm, ReadingCreateForm
from annotations.grading import gradebook
from annotations.grading.permissions import can_grade
from annotations.listing.versions import version as list_version_of
from annotations.models import Annotation, Score
from annotations.peers.permissions import held_back_count, held_back_message, sees_classmates
from annotations.permissions import can_comment
from annotations.presenting import Presenter
from annotations.revisions.imports import (
    PREVIEW_SECONDS,
    pending_find,
    pending_mark_saved,
    pending_store,
)
from annotations.revisions.readings import read_pasted, read_upload, reading_import
from annotations.services import comment_create
from seminar import pagecache
from seminar.access import access_reading, access_staff_reading, access_staff_seminar
from seminar.documents.previews import opening
from seminar.models import Reading, ReadingStatus
from seminar.permissions import can_add_reading, can_edit_reading, can_teach, role_in
from seminar.services import ServiceError, reading_move

DISCUSSION_SECONDS = 24 * 3600  # one person's comments, under one list version
PREVIEW_PARAGRAPHS = 3  # of a new reading, shown before it is saved


def reading_page(request, reading, *, comment_form=None, status=200, list_version=None, key=None):
    """The page; kept whole under `key` when given (seminar/pagecache.py), else rendered with
    the person's discussion kept under the reading's list version."""
    newest, changes = list_version or list_version_of(reading.pk)
    context = {
        "seminar": reading.seminar,
        "reading": reading,
        "revision": reading.current_revision,
        # Rendered only when the page's kept copy of the discussion is out of date: it is
        # kept per person under the reading's list version (annotations/listing), which
        # moves with every change to what anyone may see of the reading.
        "comments": SimpleLazyObject(lambda: page_comments(request.user, reading)),
        "discussion_key": None
        if key
        else f"{pagecache.markup_stamp()}:{request.user.pk}:{reading.pk}:{newest}.{changes}",
        "discussion_seconds": DISCUSSION_SECONDS,
        "comment_form": comment_form or CommentForm(),
        "can_comment": can_comment(request.user, reading),
        "can_edit": can_edit_reading(request.user, reading),
        "can_teach": can_teach(request.user, reading.seminar),
        "scoring": scoring_context(request.user, reading),
        "held_back": held_back_notice(request.user, reading),
    }
    if key:
        return pagecache.render_kept(request, key, "annotations/reading.html", context)
    return render(request, "annotations/reading.html", context, status=status)


def held_back_notice(user, reading):
    """What the page says of classmates' posts held back from `user` (annotations/peers),
    or None when they see them."""
    if sees_classmates(user, reading):
        return None
    return held_back_message(held_back_count(user, reading), reading.peer_visibility)


def page_comments(user, reading):
    """The page comments `user` may see, oldest first, named as they may see them."""
    visible = Annotation.objects.visible_to(user).page_comments().filter(reading=reading)
    comments = list(visible.select_related("author").order_by("created", "id"))
    present_comments(user, reading, comments)
    return comments


def present_comments(user, reading, comments):
    """Names as the API shows them: pseudonyms for peers where the seminar hides names.
    The seminar's members are loaded only for a comment that names one (its author, or a
    mention): those imported with the reading are credited by the name they came with."""
    if not comments:
        return
    named = any(c.author_id or 'class="mention"' in c.html for c in comments)
    presenter = Presenter(user, reading, known_people=None if named else ({}, {}))
    for comment in comments:
        comment.shown_author = presenter.author_of(comment)
        comment.shown_html = presenter.html(comment.html)


def scoring_context(user, reading):
    """What the thread's score control needs, for graders only (None for everyone else):
    the rubric (one descriptor per score, 0 up) and the scores already given on the posts
    this grader can see, as JSON for data-* attributes. Two queries, whatever the size."""
    if not can_grade(user, reading.seminar):
        return None
    policy = gradebook.policy_for(reading.seminar)
    descriptors = list(policy.descriptors or [])
    scale = [descriptors[v] if v < len(descriptors) else "" for v in range(policy.score_max + 1)]
    visible = Annotation.objects.visible_to(user).filter(reading=reading)
    scores = {
        str(annotation): {"score": value, "comment": comment}
        for annotation, value, comment in Score.objects.filter(
            annotation__in=visible.values("pk")
        ).values_list("annotation_id", "value", "comment")
    }
    return {"scale": json.dumps(scale), "scores": json.dumps(scores, ensure_ascii=False)}


@login_required
def reading_detail(request, slug, reading_slug):
    # The revision's HTML is read only when the page is made: a kept page holds it.
    # What the page asks besides comes with the reading, in one round trip.
    reading = access_reading(
        request.user,
        slug,
        reading_slug,
        defer=["current_revision__text", "current_revision__html"],
        also=reading_facts_columns(request.user),
    )
    facts = reading_facts(user=request.user, reading=reading, found=reading.also)
    # What is "new" on the dashboard is what came after this (annotations/agenda).
    reading_visit_refresh(user=request.user, reading=reading, facts=facts)
    if can_teach(request.user, reading.seminar):
        # The staff's page carries scores and the seminar's moderation count, which have no
        # version to key it by: made afresh each time (its discussion kept by itself).
        return reading_page(request, reading, list_version=facts.list_version)
    # Kept per person under what the page shows: the reading, its seminar and revision,
    # the role, the version of its page comments (every post, edit, vote, flag or
    # moderation in their threads, every role or name change: a classmate's critique of a
    # passage leaves the page as it was) and what awaits them in the navigation bar (the
    # version of their unread count: counting is the dearest query of the page). Held
    # back, they see a count of all their classmates' posts: the whole list's version.
    sees = sees_classmates(request.user, reading)
    parts = (
        pagecache.row_of(reading),
        pagecache.row_of(reading.seminar),
        reading.current_revision_id,
        role_in(request.user, reading.seminar),
        facts.comments_version if sees else facts.list_version,
        # Held back or not: a due date passing changes it without a change to the list.
        sees,
        unread_version(request.user, facts.unread, timezone.now()),
        open_items(request.user, reading.seminar),
    )
    key = pagecache.page_key(request, "reading", parts)
    return pagecache.kept(request, key) or reading_page(
        request, reading, list_version=facts.list_version, key=key
    )


@login_required
@require_POST
def comment_post(request, slug, reading_slug):
    reading = access_reading(request.user, slug, reading_slug, allowed=can_comment)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = comment_create(
                reading=reading, author=request.user, text=form.cleaned_data["text"]
            )
        except ServiceError as exc:
            form.add_error("text", str(exc))
        else:
            return redirect(comment)
    return reading_page(request, reading, comment_form=form, status=400)


@login_required
def reading_create(request, slug):
    """Add a reading: the form, then a preview of what was read, then Save (or Back)."""
    seminar = access_staff_seminar(request.user, slug, allowed=can_add_reading)
    if request.method == "POST" and "token" in request.POST:
        return reading_create_confirm(request, seminar)
    form = ReadingCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                upload = data["file"]
                imported = read_upload(data=upload.read(), filename=upload.name)
            else:
                imported = read_pasted(source=data["text"], format=data["format"])
        except ServiceError as exc:
            form.add_error("file" if data["file"] else "text", str(exc))
        else:
            token = pending_store(
                user=request.user,
                seminar=seminar,
                imported=imported,
                fields=form.details(),
                pasted="" if data["file"] else data["text"],
                filename=data["file"].name if data["file"] else "",
            )
            pending = pending_find(token=token, user=request.user, seminar=seminar)
            return reading_preview(request, seminar, token, pending)
    return reading_form(request, seminar, form)


def reading_form(request, seminar, form, *, notice="", error=""):
    status = 400 if form.errors or error else 200
    context = {"form": form, "seminar": seminar, "notice": notice, "error": error}
    return render(request, "annotations/reading_form.html", context, status=status)


def reading_preview(request, seminar, token, pending):
    imported, fields = pending.imported, pending.fields
    parsed = imported.parsed
    context = {
        "seminar": seminar,
        "token": token,
        "imported": imported,
        "parsed": parsed,
        "fields": fields,
        "title": fields["title"] or parsed.title,
        "byline": fields["byline"] or parsed.byline,
        "date": fields["date"] or parsed.date,
        "filename": pending.filename,
        "opening": opening(parsed.rendered.html, paragraphs=PREVIEW_PARAGRAPHS),
        "more": max(0, parsed.rendered.paragraphs - PREVIEW_PARAGRAPHS),
        "status_label": dict(ReadingStatus.choices).get(fields["status"], fields["status"]),
        "hours": PREVIEW_SECONDS // 3600,
    }
    return render(request, "annotations/reading_preview.html", context)


def reading_create_confirm(request, seminar):
    """The preview's buttons: Save reading (as previewed) or Back (to the form, filled in)."""
    token = request.POST.get("token", "")
    pending = pending_find(token=token, user=request.user, seminar=seminar)
    if pending is not None and pending.saved:
        reading = Reading.objects.filter(pk=pending.saved, seminar=seminar).first()
        if reading is not None:
            return redirect(reading)
        pending = None  # saved, then deleted: start again
    if pending is None:
        error = (
            f"This preview has expired (a preview is kept for {PREVIEW_SECONDS // 3600} hour)."
            " Upload the file or paste the text again."
        )
        return reading_form(request, seminar, ReadingCreateForm(), error=error)
    if "back" in request.POST:
        parsed = pending.imported.parsed
        initial = {**pending.fields, "text": pending.pasted, "format": parsed.format}
        notice = f"Choose “{pending.filename}” again, or another file." if pending.filename else ""
        return reading_form(request, seminar, ReadingCreateForm(initial=initial), notice=notice)
    try:
        reading = reading_import(
            seminar=seminar, creator=request.user, parsed=pending.imported.parsed, **pending.fields
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return reading_preview(request, seminar, token, pending)
    pending_mark_saved(token=token, pending=pending, reading_pk=reading.pk)
    count = reading.annotations.count()
    extra = f" with {count} reader comment{'s' if count != 1 else ''}" if count else ""
    messages.success(request, f"“{reading.title}” added{extra}.")
    return redirect(reading)


@login_required
@require_POST
def reading_reorder(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=can_edit_reading)
    offset = -1 if request.POST.get("direction") == "up" else 1
    reading_move(reading=reading, offset=offset)
    return redirect(reading.seminar)
