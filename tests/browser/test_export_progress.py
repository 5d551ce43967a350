"""A background seminar archive, in a real browser (static/js/exports.js): the instructor
starts it from the export page, watches its progress, and downloads it when it is ready,
without reloading the page.

The job runs beside the web process, as the worker runs it in production: once the request's
transaction commits, `launch` hands it to a thread standing in for the worker process (the
real worker has its own test, tests/seminar/test_worker.py), and the page polls
GET /api/exports/{id}. To see each state deterministically, the test holds the job's
thread twice: before it starts (the page shows it queued), and after its
first reading, its progress saved as Progress saves it (the page shows how far it got); then
it lets the job finish. Holding the start also keeps the job's first writes away from the
export page's own request, which on SQLite's shared in-memory test database could meet a
table lock.
"""

import threading
import zipfile

import pytest
from django.db import connections
from playwright.sync_api import expect

from annotations.export import jobs
from annotations.models import ExportJob
from tests.texts import NEWS

from ..conftest import PASSWORD, import_reading
from .conftest import LAPTOP, log_in, screenshot
from .test_annotator import SWEET_SPOT, annotate

pytestmark = pytest.mark.browser


@pytest.fixture
def gate(monkeypatch, transactional_db):
    """(start, reached, release): the job's thread waits for `start`, then stops after its
    first reading (`reached`) until `release` is set.

    Torn down before the database is emptied: the job is let go and waited for first."""
    start, reached, release = threading.Event(), threading.Event(), threading.Event()
    run, reading_done = jobs.run, jobs.Progress.reading_done

    def started(job_id):
        start.wait(timeout=60)
        run(job_id)

    def held(progress):
        reading_done(progress)
        if reached.is_set():
            return
        progress._save(force=True)  # what the page will read while the job waits
        reached.set()
        release.wait(timeout=60)

    def work(job_id):
        try:
            started(job_id)
        finally:
            connections.close_all()  # this thread's own connection, as a worker would

    def launch(job_id):  # the worker, as a thread of the test server
        threading.Thread(target=work, args=(job_id,), name=f"export-{job_id}").start()

    monkeypatch.setattr(jobs, "launch", launch)
    monkeypatch.setattr(jobs.Progress, "reading_done", held)
    yield start, reached, release
    start.set()  # never leave the job's thread waiting, whatever happened
    release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("export-"):
            thread.join(timeout=30)


def test_instructor_builds_the_archive_and_downloads_it_when_ready(
    open_page, settings, tmp_path, gate, seminar, instructor, student, student2, blog_reading
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    import_reading(seminar, NEWS, creator=instructor)
    annotate(blog_reading, student, SWEET_SPOT, text="Is the sweet spot claim premature?")
    annotate(blog_reading, student2, "foreign aid and support", "question", "Whose aid?")
    start, reached, release = gate

    page = open_page(LAPTOP)
    log_in(page, instructor.username, PASSWORD)
    page.goto(seminar.get_absolute_url())
    page.get_by_role("link", name="Export").click()
    page.get_by_role("button", name="Build the archive").click()
    page.get_by_text("The archive is being built.").wait_for()
    # A mark in this document: gone if anything reloads the page.
    page.evaluate("window.sameDocument = true")

    row = page.locator("tr.export-job").first
    status = row.locator(".job-status")
    download = row.get_by_role("link", name="Download")
    expect(status).to_have_text("Queued")
    assert row.locator("progress").evaluate("bar => bar.value") == 0
    expect(download).to_be_hidden()

    start.set()
    assert reached.wait(timeout=30), "the background job never got going"
    # The job is held half way: the page, polling, shows how far it got.
    job = ExportJob.objects.get()
    assert job.status == "running" and 0 < job.progress < 100
    expect(status).to_have_text(f"Running · {job.progress}%", timeout=10_000)
    assert row.locator("progress").evaluate("bar => bar.value") == job.progress
    expect(download).to_be_hidden()
    screenshot(page, "export-progress-laptop")

    release.set()
    expect(status).to_have_text("Ready", timeout=15_000)
    expect(download).to_be_visible()
    assert row.locator("progress").evaluate("bar => bar.value") == 100
    assert page.evaluate("window.sameDocument") is True
    job.refresh_from_db()
    assert job.status == "done"
    assert download.get_attribute("href") == job.download_url()

    with page.expect_download() as info:
        download.click()
    path = info.value.path()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert "manifest.json" in names and "data.json" in names
    assert sum(name.endswith("/reading.html") for name in names) == 2
