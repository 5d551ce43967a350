"""Export pages and downloads: who may export what, options, background archives."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from annotations.export import jobs
from annotations.models import ExportJob


def body(response):
    return b"".join(response.streaming_content)


def rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.fixture
def sync_jobs(settings, tmp_path, monkeypatch):
    """Background jobs run at once, in this thread, writing under a temporary folder."""
    settings.EXPORT_ROOT = tmp_path
    monkeypatch.setattr(jobs, "launch", jobs.run)
    return tmp_path


def test_instructors_and_tas_open_the_export_page(client, discussion, instructor, ta):
    url = reverse("seminar_export", args=[discussion.seminar.slug])
    for user in (instructor, ta):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"Build the archive" in response.content


def test_students_and_outsiders_get_404(client, discussion, student, outsider):
    slug, reading = discussion.seminar.slug, discussion.reading.slug
    urls = [
        reverse("seminar_export", args=[slug]),
        reverse("seminar_archive", args=[slug]),
        reverse("seminar_annotations_export", args=[slug, "csv"]),
        reverse("reading_export", args=[slug, reading, "csv"]),
        reverse("reading_export", args=[slug, reading, "html"]),
    ]
    client.force_login(student)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert client.post(reverse("seminar_export_start", args=[slug])).status_code == 404
    client.force_login(outsider)
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert client.get(reverse("my_export", args=[slug])).status_code == 404


def test_hidden_posts_only_with_include_hidden(client, discussion, instructor):
    d = discussion
    client.force_login(instructor)
    url = reverse("reading_export", args=[d.seminar.slug, d.reading.slug, "csv"])
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    default = {r["text"] for r in rows(response)}
    evidence = {r["text"] for r in rows(client.get(url + "?include_hidden=1&excel=1"))}
    assert d.rude.text not in default and d.rude.text in evidence
    assert d.critique.text in default and d.private.text not in evidence


def test_every_reading_format_downloads(client, discussion, instructor):
    d = discussion
    client.force_login(instructor)
    for fmt, marker in [
        ("html", b"<!doctype html>"),
        ("md", b"# Regional Forces"),
        ("jsonld", b"{"),
    ]:
        response = client.get(reverse("reading_export", args=[d.seminar.slug, d.reading.slug, fmt]))
        assert response.status_code == 200 and body(response).startswith(marker)
    bad = reverse("reading_export", args=[d.seminar.slug, d.reading.slug, "exe"])
    assert client.get(bad).status_code == 404


def test_the_seminar_downloads_as_a_zip_or_its_annotations_as_json_ld(client, discussion, ta):
    client.force_login(ta)
    slug = discussion.seminar.slug
    response = client.get(reverse("seminar_archive", args=[slug]) + "?pseudonyms=1")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body(response))) as z:
        assert json.loads(z.read("manifest.json"))["options"]["pseudonyms"] is True
    response = client.get(reverse("seminar_annotations_export", args=[slug, "jsonld"]))
    document = json.loads(body(response))
    assert document["@graph"][-1]["type"] == "AnnotationCollection"
    assert document["@graph"][0]["items"][0]["id"].startswith("http://testserver/api/annotations/")


def test_a_student_exports_only_their_own_posts(client, discussion, student, student2):
    d = discussion
    client.force_login(student)
    page = client.get(reverse("my_export", args=[d.seminar.slug]))
    assert page.status_code == 200 and b"Export my posts" in page.content
    exported = rows(client.get(reverse("my_export_file", args=[d.seminar.slug, "csv"])))
    assert {r["author"] for r in exported} == {"Lena Ortiz"}
    ids = {int(r["id"]) for r in exported}
    assert d.private.pk in ids and d.critique.pk in ids and d.first.pk not in ids
    response = client.get(reverse("my_export_file", args=[d.seminar.slug, "jsonld"]))
    items = json.loads(body(response))["@graph"][0]["items"]
    assert {i["creator"]["name"] for i in items if "creator" in i} <= {"Lena Ortiz", "Jonas Weber"}


def test_a_background_archive_is_built_and_downloaded(
    client, discussion, instructor, student, sync_jobs, django_capture_on_commit_callbacks
):
    slug = discussion.seminar.slug
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("seminar_export_start", args=[slug]), {"include_hidden": "1"}
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.options["include_hidden"]) == ("done", 100, True)
    assert job.file_path.startswith(str(sync_jobs))
    page = client.get(reverse("seminar_export", args=[slug]))
    assert job.download_url().encode() in page.content
    response = client.get(job.download_url())
    assert response["Content-Disposition"].startswith('attachment; filename="')
    with zipfile.ZipFile(io.BytesIO(body(response))) as z:
        assert "data.json" in z.namelist()
    client.force_login(student)
    assert client.get(job.download_url()).status_code == 404
