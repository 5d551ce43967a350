"""The import page, the API endpoint, and Seminar's own JSON-LD export read back."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.export import jsonld
from annotations.export.snapshot import Scope
from annotations.interchange.services import annotations_import
from annotations.models import Annotation
from annotations.services import annotation_create, reply_create
from tests.annotations.interchange.files import hypothesis_file
from tests.texts import CHAIN, HAVEN, INNER, SWEET_SPOT


def url(reading):
    return reverse("import_annotations", args=[reading.seminar.slug, reading.slug])


def upload(document, name="export.json"):
    return SimpleUploadedFile(name, json.dumps(document).encode(), "application/json")


def test_the_page_imports_a_file_and_shows_the_report(client, instructor, blog_reading, text):
    client.force_login(instructor)
    history = reverse("reading_history", args=[blog_reading.seminar.slug, blog_reading.slug])
    assert url(blog_reading) in client.get(history).text
    assert client.get(url(blog_reading)).status_code == 200
    response = client.post(
        url(blog_reading), {"file": upload(hypothesis_file(text)), "visibility": "seminar"}
    )
    assert response.status_code == 302
    page = client.get(response.url).text
    assert "<strong>2</strong> passages placed exactly" in page
    assert "<strong>1</strong> not placed" in page
    assert "Not imported: 1 reply whose thread is not in the file; 1 highlight without" in page
    assert "a sentence that this reading never contained at all" in page
    # The report is shown once: a reload imports nothing and reports nothing.
    assert "placed exactly" not in client.get(url(blog_reading)).text


def test_a_bad_file_on_the_page_says_which_item_and_imports_nothing(
    client, instructor, blog_reading, text
):
    client.force_login(instructor)
    document = hypothesis_file(text)
    document["rows"][2]["text"] = ["not", "text"]
    before = Annotation.objects.count()
    response = client.post(url(blog_reading), {"file": upload(document), "visibility": "seminar"})
    assert response.status_code == 400
    assert "Nothing was imported. Item 3: “text” must be a string." in response.text
    assert Annotation.objects.count() == before


def test_students_and_tas_may_not_import(client, blog_reading, student, ta, text):
    client.force_login(student)
    assert client.get(url(blog_reading)).status_code == 404
    client.force_login(ta)
    assert client.get(url(blog_reading)).status_code == 403
    assert client.post(url(blog_reading), {"file": upload([])}).status_code == 403
    for user in (student, ta):
        client.force_login(user)
        response = client.post(
            f"/api/readings/{blog_reading.pk}/annotations/import",
            data=json.dumps(hypothesis_file(text)),
            content_type="application/json",
        )
        assert response.status_code == 403
    assert not Annotation.objects.filter(created__year=2024).exists()


def test_the_api_takes_a_json_body_or_a_file(client, instructor, blog_reading, text):
    client.force_login(instructor)
    endpoint = f"/api/readings/{blog_reading.pk}/annotations/import"
    response = client.post(
        endpoint, data=json.dumps(hypothesis_file(text)), content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["placed_exactly"], body["moved"], body["orphaned"]) == (2, 2, 1)
    assert (body["replies"], body["page_comments"], body["skipped"]) == (2, 1, 2)
    response = client.post(
        endpoint + "?visibility=instructors", {"file": upload(hypothesis_file(text))}
    )
    assert response.status_code == 200
    assert Annotation.objects.filter(visibility="instructors", created__year=2024).count() == 8


def test_the_api_says_which_item_is_bad(client, instructor, blog_reading, text):
    client.force_login(instructor)
    document = hypothesis_file(text)
    del document["rows"][4]["target"]
    document["rows"][4]["text"] = ""
    response = client.post(
        f"/api/readings/{blog_reading.pk}/annotations/import",
        data=json.dumps(document),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Item 5: no target selector and no text."}
    response = client.post(
        f"/api/readings/{blog_reading.pk}/annotations/import",
        data=b"not json",
        content_type="application/json",
    )
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]


def _discussion(reading, student, student2):
    critique, _ = annotation_create(
        reading=reading,
        author=student,
        kind="critique",
        text="Is the *sweet spot* claim premature?",
        tags=["timing"],
        quote={"exact": SWEET_SPOT},
    )
    annotation_create(
        reading=reading, author=student2, kind="question", text="Whose?", quote={"exact": HAVEN}
    )
    annotation_create(
        reading=reading, author=student2, kind="evidence", text="See p. 4", quote={"exact": INNER}
    )
    annotation_create(
        reading=reading,
        author=student,
        kind="note",
        text="Shared with the staff.",
        visibility="instructors",
        quote={"exact": CHAIN},
    )
    reply, _ = reply_create(parent=critique, author=student2, text="I think so.")
    reply_create(parent=reply, author=student, text="Why?")


def _posts(reading):
    return sorted(
        (
            a.kind,
            a.text,
            a.start,
            a.end,
            a.quote_exact,
            tuple(a.tags),
            a.visibility,
            a.parent.text if a.parent else None,
            a.thread.text if a.thread else None,
            a.created,
        )
        for a in Annotation.objects.filter(reading=reading).select_related("parent", "thread")
    )


def test_seminars_own_export_reads_back_onto_a_copy_of_the_reading(
    blog_reading, copy_reading, instructor, student, student2
):
    _discussion(blog_reading, student, student2)
    exported = b"".join(jsonld.stream(Scope(blog_reading.seminar, reading=blog_reading)))
    Annotation.objects.filter(reading=copy_reading).delete()  # its own reader comments
    report = annotations_import(reading=copy_reading, actor=instructor, data=exported)
    assert (report.placed_exactly, report.moved, report.orphaned) == (4, 0, 0)
    assert report.replies == 2 and report.skipped == {}
    assert _posts(copy_reading) == _posts(blog_reading)
    credits = set(
        Annotation.objects.filter(reading=copy_reading).values_list("author_name", flat=True)
    )
    assert {"Lena Ortiz", "Sam Park"} <= credits
