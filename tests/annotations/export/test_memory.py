"""The whole-seminar archive is made in flat memory: ten times the posts, the same peak.

Chunks are made small here, so that both seminars are many chunks long: what a chunk holds
is the same for both, and whatever grows with the posts shows as the difference between
their peaks. Before the archive streamed its gradebook and its outlines, 2,700 more posts
cost 2.2 MB more; now they cost about 0.35 MB (mostly each student's posts, which the
gradebook holds one student at a time).
"""

import tracemalloc

import pytest

from annotations.export import archive, datafile, snapshot, threads
from annotations.export.snapshot import Options, Scope
from annotations.grading import gradebook
from annotations.models import Annotation, Score, Vote
from seminar.models import Membership, Role, User
from seminar.services import seminar_create
from tests.texts import BLOG

from ...conftest import import_reading

WORDS = "the timing claim seems premature because the evidence suggests otherwise".split()
BOUND = 2**20  # bytes: the streamed archive grows by about 0.35 MB, the old one by 2.2 MB


def seminar_with(count, *, name):
    """A seminar whose blog reading has `count` posts: two thirds on passages (critiques
    with quotes and tags, some hidden, some scored, some marked helpful), a third replies."""
    teacher = User.objects.create_user(f"{name}-teacher", display_name="Dr. Teacher")
    seminar = seminar_create(title=f"Memory {name}", creator=teacher)
    students = User.objects.bulk_create(
        User(username=f"{name}-s{i}", display_name=f"Student {i}", email=f"{name}{i}@ex.org")
        for i in range(12)
    )
    Membership.objects.bulk_create(
        Membership(seminar=seminar, user=s, role=Role.STUDENT) for s in students
    )
    reading = import_reading(seminar, BLOG, creator=teacher)
    revision = reading.current_revision
    spaces = [i for i, ch in enumerate(revision.text) if ch == " "][:-2]
    roots = Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            anchored_revision=revision,
            author=students[i % len(students)],
            kind="critique",
            status="hidden" if i % 50 == 7 else "published",
            text=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(20)) + f" {i}?",
            html=f"<p>Critique {i}</p>",
            quote_exact=revision.text[spaces[i % len(spaces)] + 1 : spaces[i % len(spaces)] + 30],
            start=spaces[i % len(spaces)] + 1,
            end=spaces[i % len(spaces)] + 30,
            anchor_status="anchored",
            tags=["timing"] if i % 3 else [],
        )
        for i in range(count * 2 // 3)
    )
    Annotation.objects.bulk_create(
        Annotation(
            reading=reading,
            revision=revision,
            parent=roots[j % len(roots)],
            thread=roots[j % len(roots)],
            kind="reply",
            author=students[(j + 5) % len(students)],
            text=f"A reply, with a comma and a quote: {j}",
            html=f"<p>A reply {j}</p>",
        )
        for j in range(count - len(roots))
    )
    Vote.objects.bulk_create(Vote(annotation=a, user=students[0]) for a in roots[1::2])
    Score.objects.bulk_create(Score(annotation=a, value=2, grader=teacher) for a in roots[::5])
    return seminar


def archive_size(seminar):
    scope = Scope(seminar, Options(include_hidden=True, pseudonyms=True))
    return sum(len(chunk) for chunk in archive.stream(scope))


def archive_peak(seminar):
    """Peak of Python's allocations while the whole archive is made (evidence included)."""
    tracemalloc.start()
    try:
        size = archive_size(seminar)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.fixture
def small_chunks(monkeypatch):
    for module in (snapshot, datafile, threads, gradebook):
        monkeypatch.setattr(module, "CHUNK", 100)
    monkeypatch.setattr(threads, "ROOTS_PER_BATCH", 25)


def test_the_archive_is_made_in_flat_memory(db, small_chunks):
    small, large = seminar_with(300, name="small"), seminar_with(3000, name="large")
    archive_size(small)  # the first archive compiles templates and fills caches
    small_peak, small_size = archive_peak(small)
    large_peak, large_size = archive_peak(large)
    assert large_size > 5 * small_size
    assert large_peak - small_peak < BOUND, (small_peak, large_peak)
