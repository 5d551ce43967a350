"""Erasing a student's account: the threads keep their shape, the person goes.

Lena asks to be erased. Her critique, which Sam answered, stays as a tombstone by "a former
member"; her score, grade, marks and memberships go; her name leaves the audit log, whose
rows stay; she can no longer log in; and Sam's posts are untouched.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from annotations.grading import gradebook
from annotations.models import Annotation, Grade, ModerationEvent, Score, Vote
from annotations.moderation.services import annotation_moderate
from annotations.privacy.services import FORMER_MEMBER, account_erase
from annotations.services import annotation_create, annotation_delete, reply_create, vote_add
from seminar.errors import ServiceError
from seminar.models import Membership, User
from tests.conftest import PASSWORD
from tests.texts import AID, CITATION


@pytest.fixture
def lenas_term(blog_reading, instructor, student, student2):
    critique, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="Whose aid?",
        quote={"exact": AID},
    )
    answer, _ = reply_create(parent=critique, author=student2, text="The donors'.")
    rude, _ = annotation_create(
        reading=blog_reading, author=student, kind="note", text="Rude.", quote={"exact": CITATION}
    )
    annotation_moderate(annotation=rude, moderator=instructor, action="hide", reason="Be kind")
    annotation_delete(annotation=rude, actor=student)  # on the record, with her name
    gradebook.score_set(annotation=critique, grader=instructor, value=2)
    Grade.objects.create(reading=blog_reading, student=student, final=80, feedback="Good.")
    vote_add(annotation=answer, user=student)
    return critique, answer


def test_her_posts_become_tombstones_that_keep_the_thread(lenas_term, student, student2):
    critique, answer = lenas_term
    done = account_erase(user=student)
    assert (done.posts, done.scores, done.grades) == (2, 1, 1)
    critique.refresh_from_db()
    assert (critique.author, critique.author_name, critique.text, critique.html) == (
        None,
        FORMER_MEMBER,
        "",
        "",
    )
    assert critique.status == "deleted" and critique.quote_exact == AID  # still on its words
    answer.refresh_from_db()
    assert (answer.parent_id, answer.author, answer.text) == (critique.pk, student2, "The donors'.")
    assert not Score.objects.exists() and not Grade.objects.exists()
    assert not Vote.objects.filter(user=student).exists()
    assert not Membership.objects.filter(user=student).exists()
    assert not Annotation.objects.filter(text__in=["Whose aid?", "Rude."]).exists()


def test_she_is_gone_as_a_person_and_cannot_log_in(client, lenas_term, student):
    account_erase(user=student)
    shell = User.objects.get(pk=student.pk)
    assert shell.username == f"former-member-{student.pk}" and shell.email == ""
    assert shell.display_name == FORMER_MEMBER and not shell.is_active
    assert not shell.has_usable_password()
    response = client.post("/accounts/login/", {"username": "lena", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_audit_log_keeps_the_action_without_her_name(lenas_term, student, instructor):
    before = list(ModerationEvent.objects.values_list("id", "action", "from_status", "to_status"))
    account_erase(user=student)
    after = list(ModerationEvent.objects.values_list("id", "action", "from_status", "to_status"))
    assert after == before  # every row, unchanged but for who
    hers = ModerationEvent.objects.get(action="delete")
    assert (hers.moderator_name, hers.moderator_username) == (FORMER_MEMBER, "")
    assert ModerationEvent.objects.get(action="hide").moderator_name == instructor.name


@pytest.mark.django_db
def test_the_log_still_refuses_every_other_change_on_postgresql(lenas_term):
    if connection.vendor != "postgresql":
        pytest.skip("the audit trigger is PostgreSQL's")
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotations_moderationevent SET moderator_name = %s, reason = %s",
            [FORMER_MEMBER, "rewritten"],
        )


def test_the_site_admin_erases_on_request_with_the_command(lenas_term, student, capsys):
    call_command("erase_account", "lena", "--yes")
    assert "Erased lena: 2 posts kept as tombstones" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No account has the username"):
        call_command("erase_account", "lena", "--yes")


def test_an_administrator_is_not_erased_this_way(db):
    admin = User.objects.create_superuser(username="root", password="x" * 12)
    with pytest.raises(ServiceError):
        account_erase(user=admin)


def test_self_erasure_is_off_unless_the_site_allows_it(client, settings, lenas_term, student):
    client.force_login(student)
    settings.SEMINAR_SELF_ERASURE = False
    assert client.get("/accounts/erase/").status_code == 404
    settings.SEMINAR_SELF_ERASURE = True
    assert "Erase my account" in client.get("/accounts/profile/").text
    wrong = client.post("/accounts/erase/", {"password": "not it"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert User.objects.get(pk=student.pk).is_active
    right = client.post("/accounts/erase/", {"password": PASSWORD})
    assert right.status_code == 302 and "_auth_user_id" not in client.session
    assert not User.objects.get(pk=student.pk).is_active
