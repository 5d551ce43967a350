"""Editing a reading's text: preview what it does to annotations, save, history, diff, restore."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from annotations.forms import ReadingEditForm
from annotations.models import Annotation
from annotations.peers.services import peer_visibility_effect
from annotations.revisions.diffs import diff_html
from annotations.revisions.forms import NewEditionForm
from annotations.revisions.permissions import can_teach_reading
from annotations.revisions.readings import parse_upload, reading_save
from annotations.revisions.services import preview_revision, reading_restore
from seminar.access import access_staff_reading
from seminar.models import PeerVisibility
from seminar.permissions import can_edit_reading
from seminar.services import ServiceError, reading_text_changed


def fingerprint(source, format, base):
    """Ties a confirmation to the exact text previewed and to the revision it replaces: if
    someone saved in between, the counts confirmed are stale and the preview comes back."""
    base_id = base.pk if base else 0
    return hashlib.sha256(f"{base_id}\0{format}\0{source}".encode()).hexdigest()


def _orphan_quotes(reading, summary):
    ids = [pk for pk, status in summary.statuses.items() if status == "orphaned"]
    return list(Annotation.objects.filter(pk__in=ids).values_list("quote_exact", flat=True)[:20])


def _unconfirmed_holding_back(request, reading, data):
    """What a change that starts holding classmates' posts back on a reading with posts
    would do, unless this request confirms that very change; else None."""
    value = data["peer_visibility"]
    if value in (None, reading.peer_visibility, PeerVisibility.ALWAYS):
        return None
    if request.POST.get("confirm_visibility") == value or not reading.annotations.exists():
        return None
    return peer_visibility_effect(reading=reading, value=value, due=data["due"])


def _with_edition(request, edition_form):
    """The posted form data, its text and format those of the uploaded new edition if one
    came (the edit box then shows it, and confirming posts it back); None when the upload
    could not be read (the error is on `edition_form`)."""
    if not edition_form.is_valid():
        return None
    upload = edition_form.cleaned_data["edition"]
    if not upload:
        return request.POST
    try:
        parsed = parse_upload(data=upload.read(), filename=upload.name)
    except ServiceError as exc:
        edition_form.add_error("edition", str(exc))
        return None
    data = request.POST.copy()
    data["source"], data["format"] = parsed.source, parsed.format
    return data


def _same_line_ends(source):
    # A textarea posts CRLF: the text previewed from a file and the same text posted back
    # from the edit box are one text, with one stamp.
    return source.replace("\r\n", "\n").replace("\r", "\n")


@login_required
def reading_edit(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=can_edit_reading)
    revision = reading.current_revision
    initial = {
        "title": reading.title,
        "byline": reading.byline,
        "date": reading.date,
        "due": reading.due,
        "status": reading.status,
        "peer_visibility": reading.peer_visibility,
        "discussion": reading.discussion,
        "source": revision.source if revision else "",
        "format": revision.format if revision else "text",
    }
    edition_form = NewEditionForm(request.POST or None, request.FILES or None)
    posted = _with_edition(request, edition_form) if request.method == "POST" else None
    uploaded = posted is not None and posted is not request.POST
    # An unreadable upload keeps what was typed in the box, unsaved, beside its error.
    form = ReadingEditForm(posted or request.POST or None, initial=initial)
    context = {
        "form": form,
        "edition_form": edition_form,
        "seminar": reading.seminar,
        "reading": reading,
    }
    if uploaded:
        context["edition_name"] = edition_form.cleaned_data["edition"].name
    if posted is not None and form.is_valid():
        data = {**form.cleaned_data, "source": _same_line_ends(form.cleaned_data["source"])}
        changed = reading_text_changed(
            reading=reading, source=data["source"], format=data["format"]
        )
        stamp = fingerprint(data["source"], data["format"], revision)
        has_passages = reading.annotations.filter(start__isnull=False).exists()
        # A confirmed setting stays confirmed through the text's own preview.
        context["confirmed_visibility"] = request.POST.get("confirm_visibility", "")
        try:
            if effect := _unconfirmed_holding_back(request, reading, data):
                # Holding classmates' posts back mid-discussion: first say what it will do.
                context.update(visibility_effect=effect, confirm_visibility=data["peer_visibility"])
                return render(request, "annotations/reading_edit.html", context)
            # First see what the edit will do to the annotations, and a new edition's text
            # before it is saved; then confirm.
            if changed and (has_passages or uploaded) and request.POST.get("confirm") != stamp:
                summary = preview_revision(
                    reading=reading, source=data["source"], format=data["format"]
                )
                context.update(
                    summary=summary, confirm=stamp, orphans=_orphan_quotes(reading, summary)
                )
                return render(request, "annotations/reading_edit.html", context)
            new, summary = reading_save(reading=reading, editor=request.user, **data)
        except ServiceError as exc:
            form.add_error("source", str(exc))
        else:
            if new and summary and has_passages:
                messages.success(request, f"Saved as revision {new.number}: {summary}.")
            elif new:
                messages.success(request, f"Saved as revision {new.number}.")
            else:
                messages.success(request, "Saved. The text did not change.")
            return redirect(reading)
    status = 400 if form.errors or edition_form.errors else 200
    return render(request, "annotations/reading_edit.html", context, status=status)


@login_required
def reading_history(request, slug, reading_slug):
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=can_teach_reading)
    revisions = list(reading.revisions.select_related("created_by").order_by("-number"))
    numbers = [r.number for r in revisions]
    newest = numbers[0] if numbers else 1
    try:
        a = int(request.GET.get("a", max(newest - 1, 1)))
        b = int(request.GET.get("b", newest))
    except ValueError:
        a, b = max(newest - 1, 1), newest
    by_number = {r.number: r for r in revisions}
    old, new = by_number.get(a), by_number.get(b)
    context = {
        "seminar": reading.seminar,
        "reading": reading,
        "revisions": revisions,
        "a": old,
        "b": new,
        "diff": diff_html(old.text, new.text) if old and new and old != new else None,
        "can_edit": can_edit_reading(request.user, reading),
    }
    return render(request, "annotations/reading_history.html", context)


@login_required
def reading_restore_view(request, slug, reading_slug, number):
    """GET: what restoring would do to the annotations; POST with that preview's stamp: do it."""
    reading = access_staff_reading(request.user, slug, reading_slug, allowed=can_edit_reading)
    revision = get_object_or_404(reading.revisions, number=number)
    current = reading.current_revision
    if current and (current.source, current.format) == (revision.source, revision.format):
        messages.info(request, f"Revision {number} is already the current text.")
        return redirect("reading_history", slug, reading_slug)
    stamp = fingerprint(revision.source, revision.format, current)
    if request.method == "POST" and request.POST.get("confirm") == stamp:
        new, summary = reading_restore(reading=reading, revision=revision, editor=request.user)
        messages.success(
            request, f"Revision {number} restored as revision {new.number}: {summary}."
        )
        return redirect(reading)
    stale = request.method == "POST"  # a stamp from before someone else saved: look again
    summary = preview_revision(reading=reading, source=revision.source, format=revision.format)
    context = {
        "seminar": reading.seminar,
        "reading": reading,
        "revision": revision,
        "summary": summary,
        "orphans": _orphan_quotes(reading, summary),
        "confirm": stamp,
        "stale": stale,
        "diff": diff_html(current.text, revision.text) if current else None,
    }
    return render(
        request, "annotations/reading_restore.html", context, status=409 if stale else 200
    )
