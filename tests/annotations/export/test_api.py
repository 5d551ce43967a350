"""Export endpoints of the JSON API: downloads, background jobs and their progress."""

import io
import json
import zipfile

import pytest

from annotations.export import jobs


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def sync_jobs(settings, tmp_path, monkeypatch):
    settings.EXPORT_ROOT = tmp_path
    monkeypatch.setattr(jobs, "launch", jobs.run)


def test_reading_export_for_staff_only(client, discussion, instructor, student, outsider):
    url = f"/api/readings/{discussion.reading.pk}/export?format=md&include_hidden=true"
    client.force_login(instructor)
    response = client.get(url)
    assert response.status_code == 200
    assert "This blog is rubbish." in body(response).decode()
    client.force_login(student)
    response = client.get(url)
    assert response.status_code == 404  # a staff page: students are told nothing
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(instructor)
    assert client.get(url.replace("format=md", "format=pdf")).status_code == 400


def test_seminar_export_streams_the_zip(client, discussion, ta, student):
    client.force_login(ta)
    response = client.get(f"/api/seminars/{discussion.seminar.pk}/export")
    with zipfile.ZipFile(io.BytesIO(body(response))) as z:
        assert "data.json" in z.namelist()
    client.force_login(student)
    assert client.get(f"/api/seminars/{discussion.seminar.pk}/export").status_code == 404


def test_a_job_started_through_the_api_reports_its_progress(
    client, discussion, instructor, student, outsider, sync_jobs,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/seminars/{discussion.seminar.pk}/exports",
            data=json.dumps({"pseudonyms": True}),
            content_type="application/json",
        )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued" and job["download"] is None
    progress = client.get(f"/api/exports/{job['id']}").json()
    assert progress["status"] == "done" and progress["progress"] == 100
    assert progress["download"].endswith(f"/export/jobs/{job['id']}/download/")
    for user in (student, outsider):
        client.force_login(user)
        assert client.get(f"/api/exports/{job['id']}").status_code == 404
