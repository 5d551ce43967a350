"""One function per rule (annotations/permissions.py): the rules on plain facts, and the
proof that the presenter, the model-level `can_*` functions and the services agree."""

import pytest

from annotations import permissions
from annotations.models import Annotation
from annotations.moderation.services import annotation_moderate
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_reattach,
    annotation_update,
    reply_create,
    vote_add,
)
from seminar.errors import Conflict, NotPermitted, ServiceError
from tests.apicalls import api
from tests.texts import SWEET_SPOT

STATUSES = ("published", "pending", "hidden", "deleted")


@pytest.mark.parametrize("status", STATUSES)
def test_the_author_edits_published_and_waiting_posts_and_deletes_any_not_deleted(status):
    assert permissions.post_may_be_edited(mine=True, status=status) == (
        status in ("published", "pending")
    )
    assert permissions.post_may_be_deleted(mine=True, status=status) == (status != "deleted")
    assert not permissions.post_may_be_edited(mine=False, status=status)
    assert not permissions.post_may_be_deleted(mine=False, status=status)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("mine", [True, False])
def test_replies_go_to_published_posts_or_your_own_in_an_open_thread(status, mine):
    expected = status != "deleted" and (status == "published" or mine)
    assert (
        permissions.post_may_be_replied_to(takes_part=True, mine=mine, status=status, locked=False)
        == expected
    )
    assert not permissions.post_may_be_replied_to(
        takes_part=True, mine=mine, status=status, locked=True
    )
    assert not permissions.post_may_be_replied_to(
        takes_part=False, mine=mine, status=status, locked=False
    )


@pytest.mark.parametrize("status", STATUSES)
def test_flags_and_marks_are_for_others_published_posts(status):
    for rule in (permissions.post_may_be_flagged, permissions.post_may_be_voted_on):
        assert rule(takes_part=True, mine=False, status=status) == (status == "published")
        assert not rule(takes_part=True, mine=True, status=status)
        assert not rule(takes_part=False, mine=False, status=status)


def test_reattaching_and_moderating():
    rule = permissions.post_may_be_reattached
    facts = {"has_passage": True, "status": "published", "orphaned": False}
    assert rule(**facts, mine=True, instructor=False)
    assert not rule(**facts, mine=False, instructor=True)
    assert rule(**{**facts, "orphaned": True}, mine=False, instructor=True)
    assert not rule(**{**facts, "has_passage": False}, mine=True, instructor=False)
    assert not rule(**{**facts, "status": "deleted"}, mine=True, instructor=False)
    assert permissions.post_may_be_moderated(moderator=True, status="hidden")
    assert not permissions.post_may_be_moderated(moderator=True, status="deleted")
    assert not permissions.post_may_be_moderated(moderator=False, status="published")


@pytest.fixture
def posts(blog_reading, student, student2, instructor):
    """Lena's posts in every state, Sam's reply in a locked thread, an orphan."""

    def passage(text, author=student):
        return annotation_create(
            reading=blog_reading,
            author=author,
            kind="critique",
            text=text,
            quote={"exact": SWEET_SPOT},
        )[0]

    published = passage("Published")
    reply, _ = reply_create(parent=published, author=student2, text="A reply")
    hidden = passage("Hidden")
    annotation_moderate(annotation=hidden, moderator=instructor, action="hide", reason="Rude")
    pending = passage("Pending")
    Annotation.objects.filter(pk=pending.pk).update(status="pending")
    gone = passage("Gone")
    reply_create(parent=gone, author=student2, text="Keeps the tombstone")
    annotation_delete(annotation=gone)
    locked = passage("Locked", author=student2)
    in_locked, _ = reply_create(parent=locked, author=student, text="Before the lock")
    annotation_moderate(annotation=locked, moderator=instructor, action="lock")
    orphan = passage("Orphan")
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status="orphaned")
    comment = annotation_create(
        reading=blog_reading, author=student2, kind="comment", text="A page comment"
    )[0]
    made = [published, reply, hidden, pending, gone, locked, in_locked, orphan, comment]
    return [Annotation.objects.get(pk=post.pk) for post in made]


RULES = {
    "can_edit": permissions.can_edit_annotation,
    "can_delete": permissions.can_delete_annotation,
    "can_reply": permissions.can_reply,
    "can_flag": permissions.can_flag,
    "can_moderate": permissions.can_moderate_annotation,
    "can_reattach": permissions.can_reattach,
}


@pytest.mark.parametrize("who", ["student", "student2", "instructor", "ta"])
def test_the_api_and_the_model_functions_give_the_same_answers(
    request, client, posts, blog_reading, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    listing = api(client, "get", f"/readings/{blog_reading.pk}/annotations").json()["items"]
    shown = {item["id"]: item for item in listing}
    checked = 0
    for post in Annotation.objects.filter(pk__in=[p.pk for p in posts]):
        if post.pk not in shown:
            continue
        for key, rule in RULES.items():
            assert shown[post.pk][key] == rule(user, post), (who, post.text, key)
        checked += 1
    assert checked >= 5


def test_a_reply_in_a_locked_thread_takes_no_reply_anywhere(client, posts, student2):
    in_locked = posts[6]
    assert in_locked.thread.locked and not in_locked.locked
    assert not permissions.can_reply(student2, in_locked)
    client.force_login(student2)
    response = api(client, "post", f"/annotations/{in_locked.pk}/replies", {"text": "More"})
    assert response.status_code == 400 and "locked" in response.json()["detail"]


def test_a_hidden_post_is_not_editable_anywhere(client, posts, student):
    hidden = posts[2]
    assert not permissions.can_edit_annotation(student, hidden)
    assert permissions.can_delete_annotation(student, hidden)
    with pytest.raises(ServiceError, match="hid this post"):
        annotation_update(annotation=hidden, editor=student, text="Sneaky")
    client.force_login(student)
    response = api(client, "patch", f"/annotations/{hidden.pk}", {"text": "Sneaky"})
    assert response.status_code == 400 and "hid this post" in response.json()["detail"]


def test_services_refuse_with_domain_errors(posts, student, student2, instructor):
    published, reply = posts[0], posts[1]
    with pytest.raises(NotPermitted):
        annotation_update(annotation=published, editor=student2, text="Mine now")
    with pytest.raises(NotPermitted):
        annotation_delete(annotation=published, actor=instructor)
    with pytest.raises(NotPermitted):
        annotation_reattach(annotation=published, quote={"exact": SWEET_SPOT}, actor=instructor)
    with pytest.raises(ServiceError, match="on a passage"):
        annotation_reattach(annotation=reply, quote={"exact": SWEET_SPOT}, actor=student2)
    with pytest.raises(ServiceError, match="your own"):
        vote_add(annotation=published, user=student)
    with pytest.raises(ServiceError, match="published"):
        vote_add(annotation=posts[3], user=student2)
    with pytest.raises(Conflict):
        annotation_delete(annotation=posts[4], actor=student)
    with pytest.raises(ServiceError, match="hidden or awaiting"):
        reply_create(parent=posts[2], author=student2, text="Under a hidden post")
