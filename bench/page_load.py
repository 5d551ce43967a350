"""Page load to annotator ready, 2,000 annotations, served by gunicorn as in production.

The readings of bench/paint_highlights.py (2,000 overlapping passage annotations of five
kinds on the long article; 500 critiques with 1,500 replies on the blog post), seeded in a
database of their own, served by gunicorn (3 workers, bench.settings, static files collected
with the project's manifest storage and served by WhiteNoise) and opened in headless
Chromium (/usr/bin/chromium, or CHROMIUM): from navigation start to the annotator's ready
signal, `body[data-annotator-ready]` (performance.now() in the first frame after the saved
highlights are set; tests/browser/test_annotator.py's wait_ready waits for the same), split
by the page's performance marks. One browser context per reading, --runs loads after one
that warms the server and the browser's cache (as a student's second visit; add --cold for
loads in a fresh context each, nothing cached).

Issue 15's goal: ≤ 400 ms for the 2,000 annotations, on an idle machine.

    .venv/bin/python bench/page_load.py                       # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/seminar .venv/bin/python bench/page_load.py
"""

import argparse
import statistics
import time

import server
from harness import ARTICLE, BLOG, machine
from paint_highlights import MARKS, chromium, report, seed_overlapping, seed_reading, seed_threads


def people(count):
    from seminar.models import Membership, Role, User
    from seminar.services import seminar_create

    teacher = User.objects.create_user("teacher", password="x")
    students = User.objects.bulk_create(User(username=f"s{i}") for i in range(count))
    teacher.seminar = seminar_create(title="Bench", creator=teacher)
    Membership.objects.bulk_create(
        Membership(seminar=teacher.seminar, user=s, role=Role.STUDENT) for s in students
    )
    return teacher, students


def loads(browser, base_url, cookie, path, runs, cold):
    def open_context():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url)
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base_url}])
        return context

    context = open_context()
    page = context.new_page()
    results = []
    for n in range(runs + 1):  # the first warms the server (and, unless cold, the cache)
        if cold and n:
            context.close()
            context = open_context()
            page = context.new_page()
        page.goto(path)
        page.wait_for_selector("body[data-annotator-ready]", state="attached", timeout=60_000)
        results.append(page.evaluate(MARKS))
    context.close()
    return results[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured loads per reading")
    parser.add_argument("--cold", action="store_true", help="a fresh browser context per load")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--students", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = chromium()
    print(f"load average at start: {server.load()}")
    connection, url = server.setup("pageload")
    try:
        started = time.perf_counter()
        teacher, students = people(args.students)
        busy = seed_reading(ARTICLE, (teacher, students))
        seed_overlapping(busy, students)
        blog = seed_reading(BLOG, (teacher, students))
        seed_threads(blog, students)
        cookie = server.session_cookie(students[0])
        server.collect_static()
        paths = {
            "2,000 highlights": busy.get_absolute_url(),
            "500 threads": blog.get_absolute_url(),
        }
        print(
            f"{connection.vendor}; {machine()}; headless Chromium ({executable}); seeded in "
            f"{time.perf_counter() - started:.1f} s; "
            f"{'cold loads (fresh context each)' if args.cold else 'warm loads (cached)'}"
        )
        connection.close()
        with server.Gunicorn(url, workers=args.workers) as gunicorn:
            base_url = f"http://127.0.0.1:{gunicorn.port}"
            medians = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    for label, path in paths.items():
                        results = loads(browser, base_url, cookie, path, args.runs, args.cold)
                        report(label, results)
                        medians[label] = statistics.median(r["ready"] for r in results)
                finally:
                    browser.close()
        print(
            f"\npage load to annotator ready, 2,000 annotations: "
            f"{medians['2,000 highlights']:.0f} ms median (goal ≤ 400 ms on an idle machine); "
            f"500 threads of 2,000 posts: {medians['500 threads']:.0f} ms"
        )
    finally:
        server.teardown(connection)
        print(f"load average at end: {server.load()}")


if __name__ == "__main__":
    main()
