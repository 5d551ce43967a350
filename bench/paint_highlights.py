"""Browser time to paint a busy reading: navigation start to every highlight on screen.

Two readings, each seeded through the ORM in a fresh database, served by Django's live
server thread and opened in headless Chromium (the system one, as the browser tests use):

- "2,000 highlights": 2,000 passage annotations of all five kinds on a long article, four
  overlapping ones on each of 500 passages, so the overlap layers have real work to do;
- "500 threads": the shape bench/reading_page.py times on the server, 500 critiques with
  1,500 replies on the blog post (500 highlights, 2,000 posts in the margin).

The page sets body[data-annotator-ready] to performance.now() in the first frame after its
highlights are set; performance marks split that into fetch, paint and margin.

    .venv/bin/python bench/paint_highlights.py
"""

import os
import shutil
import statistics
import warnings

from harness import ARTICLE, BLOG, READINGS, django_setup, machine

RUNS = 7
KINDS = ["critique", "question", "evidence", "connection", "note"]

MARKS = """() => {
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
  const painted = ["critique", "question", "evidence", "connection", "note"]
    .reduce((n, kind) => n + (CSS.highlights.get("annot-" + kind)?.size ?? 0), 0);
  const list = performance.getEntriesByType("resource")
    .find((e) => e.name.endsWith("/annotations"));
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    html: nav.responseEnd,
    ready: Number(document.body.dataset.annotatorReady),
    requested: list ? list.startTime : NaN,
    received: list ? list.responseEnd : NaN,
    fetched: at("annotator-fetched"),
    highlights: at("annotator-highlights-set"),
    margin: at("annotator-margin-built"),
    painted,
    threads: document.querySelectorAll(".thread").length,
  };
}"""


def seed_reading(filename, people):
    from annotations.revisions.readings import parse_upload, reading_import
    from seminar.models import ReadingStatus

    teacher, _ = people
    parsed = parse_upload(data=(READINGS / filename).read_bytes(), filename=filename)
    return reading_import(
        seminar=teacher.seminar, creator=teacher, parsed=parsed, status=ReadingStatus.PUBLISHED
    )


def passage(reading, author, start, end, kind, n, revision):
    from annotations.models import Annotation

    text = revision.text
    return Annotation(
        reading=reading,
        revision=revision,
        anchored_revision=revision,
        author=author,
        kind=kind,
        text=f"{kind.title()} {n}",
        html=f"<p>{kind.title()} {n}</p>",
        quote_exact=text[start:end],
        quote_prefix=text[max(0, start - 32) : start],
        quote_suffix=text[end : end + 32],
        start=start,
        end=end,
        anchor_status="anchored",
        tags=[["timing", "evidence", "mandates"][n % 3]] if n % 2 else [],
    )


def seed_overlapping(reading, students):
    """500 passages spread over the text, each annotated four times with nested spans."""
    from annotations.models import Annotation

    revision = reading.current_revision
    spaces = [i for i, ch in enumerate(revision.text) if ch == " "]
    step = len(spaces) // 500
    rows = []
    for p in range(500):
        first = spaces[p * step] + 1
        words = spaces[p * step : p * step + 14]
        for k in range(4):
            start = words[k] + 1 if k else first
            end = words[min(len(words) - 1, 4 + 3 * k)]
            n = p * 4 + k
            rows.append(
                passage(reading, students[n % len(students)], start, end, KINDS[n % 5], n, revision)
            )
    Annotation.objects.bulk_create(rows)


def seed_threads(reading, students):
    """500 critiques with three replies each (bench/reading_page.py's reading)."""
    from annotations.models import Annotation

    revision = reading.current_revision
    spaces = [i for i, ch in enumerate(revision.text) if ch == " " and i + 31 < len(revision.text)]
    roots = Annotation.objects.bulk_create(
        passage(
            reading,
            students[i % len(students)],
            spaces[i % len(spaces)] + 1,
            spaces[i % len(spaces)] + 30,
            "critique",
            i,
            revision,
        )
        for i in range(500)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            parent=root,
            thread=root,
            kind="reply",
            author=students[(j + k + 1) % len(students)],
            text="A reply",
            html="<p>A reply</p>",
        )
        for j, root in enumerate(roots)
        for k in range(3)
    )


def people():
    from seminar.models import Membership, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x")
    students = [User.objects.create_user(f"s{i}", password="x") for i in range(20)]
    teacher.seminar = seminar_create(title="Bench", creator=teacher)
    Membership.objects.bulk_create(
        Membership(seminar=teacher.seminar, user=s, role=Role.STUDENT) for s in students
    )
    return teacher, students


def chromium():
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        raise SystemExit("Chromium is not installed: apt-get install -y chromium")
    return path


def measure(browser, base_url, cookie, reading):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": base_url}])
    page = context.new_page()
    results = []
    for _ in range(RUNS + 1):  # the first run warms the server and the browser's caches
        page.goto(reading.get_absolute_url())
        page.wait_for_selector("body[data-annotator-ready]", state="attached", timeout=60_000)
        results.append(page.evaluate(MARKS))
    context.close()
    return results[1:]


def report(label, results):
    med = {key: statistics.median(r[key] for r in results) for key in results[0]}
    worst = max(r["ready"] for r in results)
    print(
        f"{label}: {med['painted']:.0f} highlights, {med['threads']:.0f} threads in the margin\n"
        f"  navigation -> all highlights painted: median {med['ready']:.0f} ms, "
        f"max {worst:.0f} ms ({len(results)} loads)\n"
        f"    page HTML {med['html']:.0f} ms; scripts until the list is requested "
        f"+{med['requested'] - med['html']:.0f} ms; "
        f"list request {med['received'] - med['requested']:.0f} ms; "
        f"JSON to threads {med['fetched'] - med['received']:.0f} ms;\n"
        f"    highlights set {med['highlights'] - med['fetched']:.0f} ms; "
        f"to the painted frame {med['ready'] - med['highlights']:.0f} ms\n"
        f"  then the margin is built in {med['margin'] - med['ready']:.0f} ms"
    )


def main():
    # Static files come from the finders here; collectstatic's folder need not exist.
    warnings.filterwarnings("ignore", "No directory at")
    connection = django_setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test import Client
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    teacher, students = people()
    busy = seed_reading(ARTICLE, (teacher, students))
    seed_overlapping(busy, students)
    blog = seed_reading(BLOG, (teacher, students))
    seed_threads(blog, students)

    client = Client()
    client.force_login(students[0])
    cookie = client.cookies["sessionid"].value

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base_url = f"http://127.0.0.1:{server.port}"
    print(f"machine: {machine()}; database: {connection.vendor}; headless Chromium")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"]
            )
            report("2,000 highlights", measure(browser, base_url, cookie, busy))
            report("500 threads", measure(browser, base_url, cookie, blog))
            browser.close()
    finally:
        server.terminate()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
