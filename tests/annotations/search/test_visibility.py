"""Search finds exactly what the reading page shows, for each role: private notes,
instructors-only threads, hidden, waiting and deleted posts, draft readings, pseudonyms. A
result the searcher may not see never counts, ranks or shows in a snippet."""

import pytest

from annotations.moderation.services import annotation_moderate
from annotations.search.services import search
from annotations.services import annotation_delete
from seminar.errors import ServiceError
from seminar.models import Membership, Role
from tests.annotations.search.conftest import found, found_ids, post, reply
from tests.conftest import member


@pytest.fixture
def ada(seminar):
    """A third student, who wrote none of the posts."""
    return member(seminar, "ada", "Ada Byron", Role.STUDENT)


def everyone(instructor, ta, student, student2, ada):
    return {"instructor": instructor, "ta": ta, "lena": student, "sam": student2, "ada": ada}


def who_finds(people, seminar, query, wanted):
    return {name for name, user in people.items() if wanted in found_ids(user, seminar, query)}


def test_private_notes_are_their_writers_alone(
    blog_reading, seminar, instructor, ta, student, student2, ada
):
    note = post(blog_reading, student, "A private palimpsest.", kind="note", visibility="private")
    people = everyone(instructor, ta, student, student2, ada)
    assert who_finds(people, seminar, "palimpsest", note.pk) == {"lena"}


def test_instructors_threads(blog_reading, seminar, instructor, ta, student, student2, ada):
    question = post(blog_reading, student, "A palimpsest, for staff.", visibility="instructors")
    answer = reply(question, instructor, "Yes, a palimpsest of sources.")
    people = everyone(instructor, ta, student, student2, ada)
    assert who_finds(people, seminar, "palimpsest", question.pk) == {"lena", "instructor", "ta"}
    assert who_finds(people, seminar, "palimpsest", answer.pk) == {"lena", "instructor", "ta"}


def test_hidden_posts_and_what_hangs_under_them(
    blog_reading, seminar, instructor, ta, student, student2, ada
):
    top = post(blog_reading, student, "A hidden palimpsest.")
    under = reply(top, student2, "A palimpsest reply under it.")
    annotation_moderate(annotation=top, moderator=instructor, action="hide", reason="Off topic")
    people = everyone(instructor, ta, student, student2, ada)
    assert who_finds(people, seminar, "palimpsest", top.pk) == {"lena", "instructor", "ta"}
    # Sam keeps his own reply, as on the page; Ada sees neither.
    assert who_finds(people, seminar, "palimpsest", under.pk) == {"sam", "instructor", "ta"}
    assert found(ada, seminar, "palimpsest") == []


def test_waiting_posts(blog_reading, seminar, instructor, ta, student, student2, ada):
    seminar.premoderation = True
    seminar.save()
    waiting = post(blog_reading, student, "A palimpsest awaiting approval.")
    assert waiting.status == "pending"
    people = everyone(instructor, ta, student, student2, ada)
    assert who_finds(people, seminar, "palimpsest", waiting.pk) == {"lena", "instructor", "ta"}


def test_deleted_posts_are_never_found(
    blog_reading, seminar, instructor, ta, student, student2, ada
):
    gone = post(blog_reading, student, "A palimpsest I regret.")
    kept = post(blog_reading, student, "A palimpsest with an answer.")
    answer = reply(kept, student2, "The answer names a chiasmus.")
    annotation_delete(annotation=gone, actor=student)
    annotation_delete(annotation=kept, actor=student)  # a tombstone: its reply stays
    for user in everyone(instructor, ta, student, student2, ada).values():
        assert found(user, seminar, "palimpsest") == []
        assert found_ids(user, seminar, "chiasmus") == {answer.pk}


def test_draft_readings_are_for_the_staff(
    draft_reading, seminar, instructor, ta, student, student2, ada
):
    note = post(
        draft_reading,
        instructor,
        "Palimpsest, to check before publishing.",
        quote=None,
        kind="comment",
    )
    people = everyone(instructor, ta, student, student2, ada)
    assert who_finds(people, seminar, "palimpsest", note.pk) == {"instructor", "ta"}
    title_word = draft_reading.title.split()[-1]
    for name in ("lena", "sam", "ada"):
        hits = found(people[name], seminar, title_word)
        assert ("reading", draft_reading.pk) not in hits
    assert ("reading", draft_reading.pk) in found(instructor, seminar, title_word)
    with pytest.raises(ServiceError, match="^reading: "):
        search(user=student, seminar=seminar, query="x", reading=draft_reading.pk)


def test_outsiders_find_nothing(palimpsest, seminar, outsider):
    assert found(outsider, seminar, "palimpsest") == []


def test_counts_are_of_visible_results(blog_reading, seminar, student, student2):
    post(blog_reading, student, "Private palimpsest one.", kind="note", visibility="private")
    post(blog_reading, student, "Private palimpsest two.", kind="note", visibility="private")
    shown = post(blog_reading, student, "A shared palimpsest.")
    results = search(user=student2, seminar=seminar, query="palimpsest")
    assert results.count == 1 and [r["id"] for r in results.results] == [shown.pk]
    assert search(user=student, seminar=seminar, query="palimpsest").count == 3


def test_ranking_does_not_depend_on_what_others_cannot_see(
    blog_reading, seminar, student, student2
):
    shown = post(blog_reading, student, "A palimpsest and a chiasmus, in one post.")
    other = post(blog_reading, student, "Only a chiasmus.")

    def scores():
        results = search(user=student2, seminar=seminar, query="palimpsest or chiasmus").results
        return {r["id"]: r["score"] for r in results}

    before = scores()
    for i in range(12):
        post(blog_reading, student, f"Palimpsest palimpsest {i}", kind="note", visibility="private")
    assert scores() == before
    assert set(before) == {shown.pk, other.pk}


# Pseudonyms


@pytest.fixture
def anonymous(seminar, student, student2):
    seminar.anonymous_peers = True
    seminar.save()
    from seminar.pseudonyms import pseudonym_assign

    pseudonym_assign(seminar=seminar)
    return seminar


def test_students_see_pseudonyms(anonymous, palimpsest, student, student2, ta):
    pseudonym = Membership.objects.get(seminar=anonymous, user=student).pseudonym
    (seen,) = search(user=student2, seminar=anonymous, query="palimpsest").results
    assert seen["author"]["name"] == pseudonym and seen["author"]["pseudonym"]
    assert "Lena" not in str(seen)
    (own,) = search(user=student, seminar=anonymous, query="palimpsest").results
    assert own["author"]["is_me"]
    (staff,) = search(user=ta, seminar=anonymous, query="palimpsest").results
    assert staff["author"]["name"] == "Lena Ortiz"


def test_author_filter_cannot_unmask_a_pseudonym(anonymous, palimpsest, student, student2, ta):
    lena = Membership.objects.get(seminar=anonymous, user=student)
    refusals = set()
    for guess in ("lena", str(lena.pk), "nobody", "999999", lena.pseudonym):
        with pytest.raises(ServiceError, match="^author: ") as refused:
            search(user=student2, seminar=anonymous, query="palimpsest", author=guess)
        refusals.add(str(refused.value))
    assert len(refusals) == 1  # the same words, known member or not
    assert found_ids(student, anonymous, "palimpsest", author="me") == {palimpsest.pk}
    assert found_ids(student2, anonymous, "palimpsest", author="me") == set()
    assert found_ids(ta, anonymous, "palimpsest", author="lena") == {palimpsest.pk}


def test_names_are_not_searchable(anonymous, blog_reading, palimpsest, student, student2):
    # A post is found by what it says, never by who wrote it or whom it names.
    sam = Membership.objects.get(seminar=anonymous, user=student2)
    post(blog_reading, student, f"Thanks @[member:{sam.pk}] for the chiasmus.")
    assert found(student, anonymous, "Lena") == [] or all(
        t == "reading" for t, _ in found(student, anonymous, "Lena")
    )
    (hit,) = search(user=student, seminar=anonymous, query="chiasmus").results
    assert sam.pseudonym in hit["snippet"] and "Sam" not in hit["snippet"]
