"""Texts change, critiques stay on their words: real edits of the project's readings, the edit
page's preview, history, restore, PUT /api/readings/{id} and re-attaching an orphan."""

import re

import pytest
from django.urls import reverse

from annotations.models import Annotation
from annotations.revisions.services import (
    preview_revision,
    reading_restore,
    reading_revise_and_reanchor,
)
from annotations.services import annotation_create, annotation_delete
from seminar.models import Reading
from tests.apicalls import api
from tests.texts import ALL, ARTICLE, BLOG, REPORT, SWEET_SPOT, reading_text

from ..conftest import import_reading
from .placements import annotate_everywhere, check


def test_trimming_scraped_chrome_keeps_every_critique_on_its_words(seminar, instructor, student):
    reading = import_reading(seminar, ARTICLE)
    made = annotate_everywhere(reading, student)
    source = reading.current_revision.source
    removed = [
        line
        for line in source.splitlines()
        if line == "Skip to content" or line.startswith("See also")
    ]
    assert len(removed) == 4
    trimmed = "\n".join(line for line in source.splitlines() if line not in removed)
    _, summary = reading_revise_and_reanchor(
        reading=reading, editor=instructor, source=trimmed, format="text"
    )
    counts = check(reading, made, removed=[" ".join(r.split()) for r in removed])
    assert counts["orphaned"] == summary.orphaned >= 4
    assert summary.anchored + summary.moved == len(made) - summary.orphaned


def test_typo_fixes_and_a_paragraph_swap_on_the_blog_post(seminar, instructor, student):
    reading = import_reading(seminar, BLOG)
    text = reading.current_revision.text
    made = annotate_everywhere(reading, student, every=90, size=40)
    # A critique right on a typo, and one on the famous sentence.
    for quote in ("This has lead to what appears", "the sweet spot of timing and method"):
        start = text.index(quote)
        made.append(
            annotation_create(
                reading=reading,
                author=student,
                kind="question",
                text="?",
                quote={"exact": quote, "start": start, "end": start + len(quote)},
            )[0]
        )
    fixes = [("has lead to", "has led to"), ("over run", "overrun")]
    source = reading.current_revision.source
    for old, new in fixes:
        assert old in source
        source = source.replace(old, new)
    paragraphs = source.split("\n\n")
    paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
    source = "\n\n".join(paragraphs)
    reading_revise_and_reanchor(reading=reading, editor=instructor, source=source, format="text")
    counts = check(reading, made, removed=[], replacements=fixes)
    assert counts["orphaned"] == 0
    assert counts["moved"] > 0  # the swapped paragraphs' critiques moved with them


def test_crisis_report_header_and_footer_removed(seminar, instructor, student):
    reading = import_reading(seminar, REPORT)
    made = annotate_everywhere(reading, student)
    source = reading.current_revision.source
    lines = source.splitlines()
    first_paragraph = next(i for i, line in enumerate(lines) if len(line) > 120)
    footer = next(i for i, line in enumerate(lines) if line.startswith("Browse Documents"))
    kept = "\n".join(lines[first_paragraph:footer])
    removed = [
        " ".join(line.split())
        for line in lines[:first_paragraph] + lines[footer:]
        if line.strip(" \u00a0")
    ]
    reading_revise_and_reanchor(reading=reading, editor=instructor, source=kept, format="text")
    counts = check(reading, made, removed=removed)
    assert counts["orphaned"] >= 2  # "Member Sign In", "PDF Print E-mail" at least


def test_annotation_remembers_the_revision_it_was_written_on(
    seminar, instructor, student, blog_reading
):
    first = blog_reading.current_revision
    (made,) = annotate_everywhere(blog_reading, student, every=10_000)
    new_source = "A new opening paragraph.\n\n" + first.source
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=new_source, format="text"
    )
    made.refresh_from_db()
    assert made.revision_id == first.pk
    assert made.anchored_revision_id == blog_reading.current_revision_id != first.pk
    assert made.original_quote == made.quote_exact


def test_restoring_an_earlier_revision_brings_orphans_back(
    seminar, instructor, student, blog_reading
):
    first = blog_reading.current_revision
    text = first.text
    quote = SWEET_SPOT
    start = text.index(quote)
    made, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="?",
        quote={"exact": quote, "start": start, "end": start + len(quote)},
    )
    cut = first.source.replace(quote, "")
    reading_revise_and_reanchor(reading=blog_reading, editor=instructor, source=cut, format="text")
    made.refresh_from_db()
    assert made.anchor_status == "orphaned" and made.quote_exact == quote
    new, summary = reading_restore(reading=blog_reading, revision=first, editor=instructor)
    assert new.number == 3 and new.text == text
    made.refresh_from_db()
    assert made.anchor_status in {"anchored", "moved"}
    assert new.text[made.start : made.end] == quote


def test_put_reading_returns_the_reanchoring_summary(
    client, instructor, student, outsider, blog_reading
):
    annotate_everywhere(blog_reading, student)
    body = blog_reading.current_revision.source.replace("has lead to", "has led to")
    client.force_login(student)
    assert api(client, "put", f"/readings/{blog_reading.pk}", {"body": body}).status_code == 403
    client.force_login(outsider)
    assert api(client, "put", f"/readings/{blog_reading.pk}", {"body": body}).status_code == 404
    client.force_login(instructor)
    response = api(client, "put", f"/readings/{blog_reading.pk}", {"body": body})
    assert response.status_code == 200
    result = response.json()
    total = Annotation.objects.filter(reading=blog_reading, start__isnull=False).count()
    assert result["anchored"] + result["moved"] + result["orphaned"] == total
    assert result["orphaned"] == 0
    listed = client.get(f"/api/readings/{blog_reading.pk}/annotations").json()
    statuses = {a["anchor_status"] for a in listed["items"] if a["target"]}
    assert statuses <= {"anchored", "moved"}
    assert {a["target"]["revision"] for a in listed["items"] if a["target"]} == {result["revision"]}


def test_put_reading_with_bad_html_saves_nothing(client, instructor, blog_reading):
    client.force_login(instructor)
    response = api(
        client,
        "put",
        f"/readings/{blog_reading.pk}",
        {"body": "<script>only</script>", "format": "html"},
    )
    assert response.status_code == 400
    assert "no text" in response.json()["detail"]
    assert blog_reading.revisions.count() == 1


def test_reattach_an_orphan(client, instructor, student, student2, blog_reading):
    first = blog_reading.current_revision
    quote = "the second most feared commander in the basin"
    start = first.text.index(quote)
    made, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="evidence",
        text="!",
        quote={"exact": quote, "start": start, "end": start + len(quote)},
    )
    reading_revise_and_reanchor(
        reading=blog_reading,
        editor=instructor,
        source=first.source.replace(quote, "a rumour"),
        format="text",
    )
    made.refresh_from_db()
    assert made.anchor_status == "orphaned"
    new_text = blog_reading.current_revision.text
    target = {"selector": [{"type": "TextQuoteSelector", "exact": "a rumour"}]}
    client.force_login(student2)
    response = api(client, "post", f"/annotations/{made.pk}/reattach", {"target": target})
    assert response.status_code == 403
    client.force_login(student)
    response = api(client, "post", f"/annotations/{made.pk}/reattach", {"target": target})
    assert response.status_code == 200
    body = response.json()
    assert body["anchor_status"] == "anchored"
    start = body["target"]["selector"][1]["start"]
    assert new_text[start : start + len("a rumour")] == "a rumour"


def edit(client, reading, source, follow=False, **extra):
    data = {"title": reading.title, "status": reading.status, "format": "text", "source": source}
    data.update(extra)
    url = reverse("reading_edit", args=[reading.seminar.slug, reading.slug])
    return client.post(url, data, follow=follow)


def test_edit_page_previews_then_saves_with_a_summary(client, instructor, student, blog_reading):
    annotate_everywhere(blog_reading, student)
    client.force_login(instructor)
    source = blog_reading.current_revision.source
    paragraph = source.split("\n\n")[2]
    cut = source.replace(paragraph, "")
    preview = edit(client, blog_reading, cut)
    assert preview.status_code == 200
    assert "What this edit does to the annotations" in preview.text
    assert blog_reading.revisions.count() == 1  # nothing saved yet
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text).group(1)
    saved = edit(client, blog_reading, cut, confirm=stamp, follow=True)
    assert blog_reading.revisions.count() == 2
    assert "no longer in the text" in saved.text
    orphans = Annotation.objects.filter(reading=blog_reading, anchor_status="orphaned").count()
    assert orphans > 0


def test_the_preview_does_not_count_a_deleted_post(client, instructor, student, blog_reading):
    made = annotate_everywhere(blog_reading, student)
    gone = made[0]
    annotation_delete(annotation=gone, actor=student)
    source = blog_reading.current_revision.source
    cut = source.replace(source.split("\n\n")[2], "")
    summary = preview_revision(reading=blog_reading, source=cut, format="text")
    assert summary.anchored + summary.moved + summary.orphaned == len(made) - 1
    assert gone.pk not in summary.statuses
    client.force_login(instructor)
    preview = edit(client, blog_reading, cut)
    assert f"<strong>{summary.anchored}</strong> stay on their words" in preview.text
    assert f"<strong>{summary.orphaned}</strong> will no longer be in the text" in preview.text


def test_a_confirmation_for_another_text_previews_again(client, instructor, student, blog_reading):
    annotate_everywhere(blog_reading, student)
    client.force_login(instructor)
    source = blog_reading.current_revision.source
    preview = edit(client, blog_reading, source + "\n\nOne more.")
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text).group(1)
    again = edit(client, blog_reading, source + "\n\nSomething else.", confirm=stamp)
    assert "What this edit does" in again.text
    assert blog_reading.revisions.count() == 1


def test_history_shows_a_readable_diff_to_teachers_only(
    client, instructor, ta, student, blog_reading
):
    source = blog_reading.current_revision.source.replace("has lead to", "has led to")
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=source, format="text", note="typo"
    )
    url = reverse("reading_history", args=[blog_reading.seminar.slug, blog_reading.slug])
    client.force_login(student)
    assert client.get(url).status_code == 404
    client.force_login(ta)
    page = client.get(url).text
    assert "<del>lead</del>" in page and "<ins>led</ins>" in page
    assert "Revision 2" in page and "typo" in page
    assert "unchanged paragraph" in page


def test_restore_from_the_history_page_previews_then_restores(
    client, instructor, student, blog_reading
):
    first = blog_reading.current_revision
    quote = "the second most feared commander in the basin"
    reading_revise_and_reanchor(
        reading=blog_reading,
        editor=instructor,
        source=first.source.replace(quote, "a rumour"),
        format="text",
    )
    added, _ = annotation_create(
        reading=blog_reading, author=student, kind="critique", text="?", quote={"exact": "a rumour"}
    )
    client.force_login(instructor)
    url = reverse("reading_restore", args=[blog_reading.seminar.slug, blog_reading.slug, 1])
    history = client.get(
        reverse("reading_history", args=[blog_reading.seminar.slug, blog_reading.slug])
    )
    assert url in history.text
    # Looking changes nothing and says what restoring would do: "a rumour" leaves the text.
    preview = client.get(url)
    assert preview.status_code == 200
    assert re.search(r"<strong>1</strong> will no longer be in the text", preview.text)
    assert "“a rumour”" in preview.text
    blog_reading.refresh_from_db()
    assert blog_reading.current_revision.number == 2
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text).group(1)
    response = client.post(url, {"confirm": stamp})
    assert response.status_code == 302
    blog_reading.refresh_from_db()
    assert blog_reading.current_revision.number == 3
    assert blog_reading.current_revision.text == first.text
    added.refresh_from_db()
    assert added.anchor_status == "orphaned"


def test_a_restore_confirmed_after_someone_else_saved_is_previewed_again(
    client, instructor, blog_reading
):
    first = blog_reading.current_revision
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=first.source + "\n\nAdded.", format="text"
    )
    client.force_login(instructor)
    url = reverse("reading_restore", args=[blog_reading.seminar.slug, blog_reading.slug, 1])
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', client.get(url).text).group(1)
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=first.source + "\n\nOther.", format="text"
    )
    response = client.post(url, {"confirm": stamp})
    assert response.status_code == 409
    assert "The text changed since you looked" in response.text
    blog_reading.refresh_from_db()
    assert blog_reading.current_revision.number == 3  # nothing restored on stale counts
    assert client.post(url).status_code == 409  # nor without a stamp


def test_an_edit_confirmed_after_someone_else_saved_is_previewed_again(
    client, instructor, student, blog_reading
):
    source = blog_reading.current_revision.source
    annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="?",
        quote={"exact": SWEET_SPOT},
    )
    client.force_login(instructor)
    mine = source.replace("Chad", "Chad (West Africa)", 1)
    stamp = re.search(r'name="confirm" value="([0-9a-f]+)"', edit(client, blog_reading, mine).text)
    reading_revise_and_reanchor(
        reading=blog_reading, editor=instructor, source=source + "\n\nOther.", format="text"
    )
    response = edit(client, blog_reading, mine, confirm=stamp.group(1))
    assert response.status_code == 200 and "What this edit does" in response.text
    blog_reading.refresh_from_db()
    assert blog_reading.current_revision.number == 2


@pytest.mark.parametrize("who", ["student", "ta", "outsider"])
def test_only_instructors_restore(client, request, blog_reading, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("reading_restore", args=[blog_reading.seminar.slug, blog_reading.slug, 1])
    expected = 403 if who == "ta" else 404
    assert client.get(url).status_code == expected
    assert client.post(url).status_code == expected


def test_an_instructor_reattaches_an_orphan_but_not_a_placed_passage(
    client, instructor, student, blog_reading
):
    first = blog_reading.current_revision
    orphaned_quote = "the second most feared commander in the basin"
    placed_quote = SWEET_SPOT
    orphan, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="evidence",
        text="!",
        quote={"exact": orphaned_quote},
    )
    placed, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="?",
        quote={"exact": placed_quote},
    )
    reading_revise_and_reanchor(
        reading=blog_reading,
        editor=instructor,
        source=first.source.replace(orphaned_quote, "a rumour"),
        format="text",
    )
    target = {"selector": [{"type": "TextQuoteSelector", "exact": "a rumour"}]}
    client.force_login(instructor)
    listed = {
        a["id"]: a
        for a in client.get(f"/api/readings/{blog_reading.pk}/annotations").json()["items"]
    }
    assert listed[orphan.pk]["can_reattach"] and not listed[placed.pk]["can_reattach"]
    assert (
        api(client, "post", f"/annotations/{placed.pk}/reattach", {"target": target}).status_code
        == 403
    )
    placed.refresh_from_db()
    assert placed.quote_exact == placed_quote
    response = api(client, "post", f"/annotations/{orphan.pk}/reattach", {"target": target})
    assert response.status_code == 200
    assert response.json()["anchor_status"] == "anchored"


def test_a_passage_posted_from_a_stale_page_lands_on_the_current_text(
    instructor, student, blog_reading
):
    # The request loaded the reading before an edit committed; the passage must still be
    # placed on (and re-anchorable from) the new current revision, never the old one.
    stale = Reading.objects.get(pk=blog_reading.pk)
    assert stale.current_revision  # loaded (and cached) before the edit
    fresh = Reading.objects.get(pk=blog_reading.pk)
    reading_revise_and_reanchor(
        reading=fresh,
        editor=instructor,
        source="A new opening paragraph.\n\n" + fresh.current_revision.source,
        format="text",
    )
    fresh.refresh_from_db()
    quote = SWEET_SPOT
    made, _ = annotation_create(
        reading=stale, author=student, kind="critique", text="x", quote={"exact": quote}
    )
    assert made.revision_id == made.anchored_revision_id == fresh.current_revision_id
    assert fresh.current_revision.text[made.start : made.end] == quote


def test_put_of_the_same_text_reports_orphans_as_orphans(client, instructor, student, blog_reading):
    first = blog_reading.current_revision
    quote = "the second most feared commander in the basin"
    annotation_create(
        reading=blog_reading, author=student, kind="evidence", text="!", quote={"exact": quote}
    )
    annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="?",
        quote={"exact": SWEET_SPOT},
    )
    changed = first.source.replace(quote, "a rumour")
    client.force_login(instructor)
    path = f"/readings/{blog_reading.pk}"
    assert api(client, "put", path, {"body": changed}).json()["orphaned"] == 1
    again = api(client, "put", path, {"body": changed}).json()
    assert (again["anchored"], again["moved"], again["orphaned"]) == (1, 0, 1)


def test_the_blog_post_hosted_whole_with_its_typos_fixed(seminar, instructor, student):
    # Hosted as plain text, the reader comments are part of the reading, typos and all:
    # fixing "imporant" and "yesterdays" must carry the critiques on those words along.
    reading = import_reading(seminar, BLOG)
    whole = reading_text(BLOG)
    reading_revise_and_reanchor(reading=reading, editor=instructor, source=whole, format="text")
    reading.refresh_from_db()
    text = reading.current_revision.text
    made = annotate_everywhere(reading, student, every=120, size=40)
    for quote in ("After yesterdays seminar", "is very imporant for the force in the long run"):
        made.append(
            annotation_create(
                reading=reading, author=student, kind="question", text="?", quote={"exact": quote}
            )[0]
        )
    assert "yesterdays" in text and "imporant" in text
    fixes = [("yesterdays", "yesterday’s"), ("imporant", "important")]
    source = whole
    for old, new in fixes:
        source = source.replace(old, new)
    reading_revise_and_reanchor(reading=reading, editor=instructor, source=source, format="text")
    counts = check(reading, made, removed=[], replacements=fixes)
    assert counts["orphaned"] == 0 and counts["moved"] >= 2


@pytest.mark.parametrize("name", ALL)
def test_every_reading_survives_a_swap_and_a_deleted_paragraph(seminar, instructor, student, name):
    reading = import_reading(seminar, name)
    made = annotate_everywhere(reading, student, every=150, size=40)
    lines = reading.current_revision.source.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > 200]
    assert len(long) >= 4, name
    first, second, gone = long[1], long[2], long[-1]
    removed = lines[gone]
    lines[first], lines[second] = lines[second], lines[first]
    del lines[gone]
    reading_revise_and_reanchor(
        reading=reading, editor=instructor, source="\n".join(lines), format="text"
    )
    counts = check(reading, made, removed=[" ".join(removed.split())])
    assert counts["orphaned"] >= 1 and counts["moved"] >= 1
