"""@mentions: stored as a reference to the member, named per reader, told to whoever may see
the post (and no one else), and offered to the composer with who would not be told."""

import itertools

import pytest

from annotations.mentions import PENDING, PRIVATE, mention_candidates
from annotations.models import Annotation, Notification, NotificationKind, Visibility
from annotations.moderation.services import annotation_moderate
from annotations.notifications.services import listed_notifications, present
from annotations.permissions import can_view_annotation, post_may_be_seen
from annotations.presenting import Presenter, visible_rows
from annotations.services import annotation_create, annotation_update, reply_create
from seminar.errors import ServiceError
from seminar.models import Membership, Role
from tests.apicalls import api
from tests.conftest import member
from tests.texts import SWEET_SPOT


def token(seminar, user):
    return f"@[member:{Membership.objects.get(seminar=seminar, user=user).pk}]"


def critique(reading, author, text, **extra):
    return annotation_create(
        reading=reading,
        author=author,
        kind="critique",
        text=text,
        quote={"exact": SWEET_SPOT},
        **extra,
    )[0]


def mentions_of(user):
    return Notification.objects.filter(user=user, kind=NotificationKind.MENTION)


@pytest.fixture
def anonymous(seminar):
    seminar.anonymous_peers = True
    seminar.save(update_fields=["anonymous_peers"])
    return seminar


# --- storing ------------------------------------------------------------------------------


def test_lena_mentioning_sam_stores_a_reference_not_his_name(
    seminar, blog_reading, student, student2
):
    post = critique(blog_reading, student, f"What does {token(seminar, student2)} think?")
    assert list(post.mentions.all()) == [student2]
    assert "Sam Park" not in post.text and "Sam Park" not in post.html
    assert '<span class="mention" data-member="' in post.html


def test_a_mention_of_someone_outside_the_seminar_is_refused_and_saves_nothing(
    seminar, blog_reading, student, outsider
):
    elsewhere = Membership.objects.get(user=outsider).pk
    with pytest.raises(ServiceError, match="names no member of this seminar"):
        critique(blog_reading, student, f"Hello @[member:{elsewhere}]")
    assert not Annotation.objects.filter(author=student).exists()


def test_an_edit_follows_the_text_and_keeps_a_member_who_left(
    seminar, blog_reading, student, student2, ta
):
    post = critique(blog_reading, student, f"Ask {token(seminar, student2)}")
    sam = token(seminar, student2)
    Membership.objects.filter(seminar=seminar, user=student2).delete()
    # Sam has left: his old mention stays (a former member), a new one of Jonas is added.
    post = annotation_update(
        annotation=post, editor=student, text=f"Ask {sam} and {token(seminar, ta)}"
    )
    assert list(post.mentions.all()) == [ta]
    row = next(r for r in visible_rows(student, blog_reading) if r["id"] == post.pk)
    html = Presenter(student, blog_reading).present(row)["html"]
    assert "@Former member" in html and "@Jonas Weber" in html
    with pytest.raises(ServiceError, match="names no member"):
        annotation_update(annotation=post, editor=student, text="@[member:999999]")


# --- naming per reader ----------------------------------------------------------------------


def test_peers_see_the_pseudonym_in_the_chip_and_staff_see_the_name(
    anonymous, blog_reading, student, student2, ta
):
    post = critique(blog_reading, student, f"Over to {token(anonymous, student2)}.")
    pseudonym = Presenter(student, blog_reading).mention_names[
        Membership.objects.get(user=student2).pk
    ]
    assert pseudonym != "Sam Park"

    def chip(viewer):
        row = next(r for r in visible_rows(viewer, blog_reading) if r["id"] == post.pk)
        return Presenter(viewer, blog_reading).present(row)["html"]

    assert f'<span class="mention">@{pseudonym}</span>' in chip(student)
    assert "Sam Park" not in chip(student)
    assert '<span class="mention">@Sam Park</span>' in chip(ta)
    # Sam sees himself by name, as he sees his own posts.
    assert '<span class="mention">@Sam Park</span>' in chip(student2)


def test_the_page_s_comments_name_mentions_per_reader(
    client, anonymous, blog_reading, student, student2
):
    annotation_create(
        reading=blog_reading,
        author=student2,
        kind="comment",
        text=f"Agree with {token(anonymous, student)}",
    )
    client.force_login(student2)
    page = client.get(blog_reading.get_absolute_url()).text
    assert "Lena Ortiz" not in page
    assert 'class="mention">@' in page
    assert "@[member:" not in page.split('id="comments"')[1].split("</section>")[0]


# --- who is told ------------------------------------------------------------------------------


def test_sam_is_told_once_and_the_author_never(seminar, blog_reading, student, student2):
    text = f"{token(seminar, student2)} and me, {token(seminar, student)}"
    post = critique(blog_reading, student, text)
    assert mentions_of(student2).count() == 1
    assert not mentions_of(student).exists()
    # Editing the text again tells nobody twice.
    annotation_update(annotation=post, editor=student, text=text + " (edited)")
    assert mentions_of(student2).count() == 1


def test_the_notification_names_and_quotes_as_the_recipient_may_see(
    anonymous, blog_reading, student, student2
):
    critique(blog_reading, student, f"Hi {token(anonymous, student2)}, thoughts?")
    (item,) = present(student2, listed_notifications(student2).filter(kind="mention"))
    lena = Presenter(student2, blog_reading).mention_names[Membership.objects.get(user=student).pk]
    assert item.text == f"{lena} mentioned you in a post on “{blog_reading.title}”."
    assert item.excerpt == "Hi @Sam Park, thoughts?"
    assert "Lena Ortiz" not in item.text


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.INSTRUCTORS])
def test_a_post_sam_may_not_see_tells_sam_nothing(
    seminar, blog_reading, student, student2, ta, visibility
):
    critique(
        blog_reading,
        student,
        f"{token(seminar, student2)} {token(seminar, ta)}",
        visibility=visibility,
    )
    assert not mentions_of(student2).exists()
    # Jonas, a TA, sees a post for instructors, never a private note.
    assert mentions_of(ta).exists() == (visibility == Visibility.INSTRUCTORS)


def test_a_waiting_post_tells_sam_once_it_is_approved(
    seminar, blog_reading, student, student2, ta, instructor
):
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    post = critique(blog_reading, student, f"{token(seminar, student2)} {token(seminar, ta)}")
    assert post.status == "pending"
    assert not mentions_of(student2).exists()
    assert mentions_of(ta).count() == 1  # staff see waiting posts
    annotation_moderate(annotation=post, moderator=instructor, action="approve")
    assert mentions_of(student2).count() == 1
    assert mentions_of(ta).count() == 1


def test_a_private_note_made_public_tells_sam_then(seminar, blog_reading, student, student2):
    post = critique(
        blog_reading, student, f"Note for {token(seminar, student2)}", visibility="private"
    )
    assert not mentions_of(student2).exists()
    annotation_update(annotation=post, editor=student, visibility="seminar")
    assert mentions_of(student2).count() == 1


def test_a_reply_mentioning_the_author_it_answers_tells_them_once(
    seminar, blog_reading, student, student2
):
    post = critique(blog_reading, student, "A claim.")
    reply_create(parent=post, author=student2, text=f"{token(seminar, student)}: why?")
    told = Notification.objects.filter(user=student)
    assert [n.kind for n in told] == [NotificationKind.REPLY]


# --- the composer's list ------------------------------------------------------------------


def test_candidates_are_named_as_the_writer_may_and_say_who_a_post_would_miss(
    anonymous, blog_reading, student, student2, ta, instructor
):
    found = {m["role"]: m for m in mention_candidates(writer=student, reading=blog_reading)}
    assert set(found) == {"student", "ta", "instructor"}  # not Lena herself
    assert found["student"]["name"] != "Sam Park"
    assert found["ta"]["name"] == "Jonas Weber"
    assert found["student"]["unreached"] == {
        "private": PRIVATE,
        "instructors": "only instructors, TAs and the thread's author see it",
    }
    assert found["ta"]["unreached"] == {"private": PRIVATE}
    pseudonym = found["student"]["name"]
    assert [
        m["name"] for m in mention_candidates(writer=student, reading=blog_reading, q=pseudonym[:2])
    ] == [pseudonym]


def test_a_reply_in_lena_s_instructors_thread_reaches_lena(seminar, blog_reading, student, ta):
    post = critique(blog_reading, student, "For the staff.", visibility="instructors")
    found = mention_candidates(writer=ta, reading=blog_reading, parent=post)
    lena = next(m for m in found if m["name"] == "Lena Ortiz")
    assert "instructors" not in lena["unreached"]


def test_in_a_premoderated_seminar_a_student_s_post_waits(seminar, blog_reading, student, student2):
    seminar.premoderation = True
    seminar.save(update_fields=["premoderation"])
    (sam,) = [
        m
        for m in mention_candidates(writer=student, reading=blog_reading)
        if m["role"] == "student"
    ]
    assert sam["unreached"]["seminar"] == PENDING


def test_a_draft_reading_reaches_no_student(seminar, draft_reading, student, ta):
    found = {m["role"]: m for m in mention_candidates(writer=ta, reading=draft_reading)}
    assert set(found["student"]["unreached"]) == set(Visibility.values)


def test_the_composer_s_rule_agrees_with_visible_to(seminar, blog_reading, student, student2, ta):
    """post_may_be_seen (a post not written yet) and visible_to (a saved one): the same rule."""
    for visibility, status, writer in itertools.product(
        Visibility.values, ["published", "pending"], [student, ta]
    ):
        post = critique(blog_reading, writer, "x", visibility=visibility)
        Annotation.objects.filter(pk=post.pk).update(status=status)
        for reader in (student, student2, ta):
            expected = post_may_be_seen(
                mine=reader == writer,
                teaches=reader == ta,
                visibility=visibility,
                status=status,
                started_thread=reader == writer,
                concealed_above=False,
            )
            assert can_view_annotation(reader, post) == expected, (visibility, status, reader)
        Annotation.objects.filter(pk=post.pk).delete()


# --- the API --------------------------------------------------------------------------------


def test_the_members_endpoint_gives_pseudonyms_to_peers(
    client, anonymous, blog_reading, student, student2, ta
):
    client.force_login(student)
    response = api(client, "get", f"/readings/{blog_reading.pk}/members?q=")
    assert response.status_code == 200
    body = response.json()
    assert "Sam Park" not in response.text and "sam" not in response.text
    assert {m["role"] for m in body} == {"student", "ta", "instructor"}
    sam = Membership.objects.get(user=student2).pk
    assert any(m["id"] == sam and m["name"] != "Sam Park" for m in body)
    client.force_login(ta)
    names = [
        m["name"] for m in api(client, "get", f"/readings/{blog_reading.pk}/members?q=sa").json()
    ]
    assert names == ["Sam Park"]


def test_the_members_endpoint_is_a_404_to_an_outsider(client, blog_reading, outsider):
    client.force_login(outsider)
    assert api(client, "get", f"/readings/{blog_reading.pk}/members").status_code == 404


def test_a_reply_s_parent_must_be_visible_to_the_caller(client, blog_reading, student, student2):
    private = critique(blog_reading, student2, "mine", visibility="private")
    client.force_login(student)
    path = f"/readings/{blog_reading.pk}/members?parent={private.pk}"
    assert api(client, "get", path).status_code == 404


def test_posting_through_the_api_with_a_mention(client, seminar, blog_reading, student, student2):
    client.force_login(student)
    response = api(
        client,
        "post",
        f"/readings/{blog_reading.pk}/annotations",
        {"kind": "comment", "text": f"Thanks {token(seminar, student2)}!"},
    )
    assert response.status_code == 201
    assert '<span class="mention">@Sam Park</span>' in response.json()["html"]
    assert mentions_of(student2).count() == 1


def test_member_roles_include_a_ta_added_later(seminar, blog_reading, student):
    newcomer = member(seminar, "ines", "Inès Moreau", Role.TA)
    names = [m["name"] for m in mention_candidates(writer=student, reading=blog_reading, q="in")]
    assert names == [newcomer.display_name]
