"""A seminar at the end of its term: two readings (the blog post with two revisions), a
grading policy, two groups of students, the staff's posts of every sort and the students'."""

from dataclasses import dataclass

import pytest

from annotations.models import Annotation, GradingPolicy, Vote
from annotations.moderation.services import annotation_moderate
from annotations.revisions.services import reading_revise_and_reanchor
from annotations.services import annotation_create, comment_create, reply_create
from seminar.groups import group_create, group_set_members
from tests.texts import AID, CHAIN, KILLED, PLEDGED, SWEET_SPOT, TYPO


@dataclass
class Term:
    pinned: Annotation
    exemplar: Annotation
    plain: Annotation
    plain_comment: Annotation
    note: Annotation
    staff_reply: Annotation  # the instructor's, under the pinned post
    reply_under_student: Annotation  # the TA's, under a student's critique
    staff_under_student_reply: Annotation  # the instructor's, under a student's reply
    student_posts: list[Annotation]

    def staff_posts(self):
        return {
            self.pinned.pk,
            self.exemplar.pk,
            self.plain.pk,
            self.plain_comment.pk,
            self.note.pk,
            self.staff_reply.pk,
            self.reply_under_student.pk,
            self.staff_under_student_reply.pk,
        }


def post(reading, author, kind, text, quote=None, **extra):
    return annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        quote={"exact": quote} if quote else None,
        **extra,
    )[0]


@pytest.fixture
def term(seminar, instructor, ta, student, student2, blog_reading, draft_reading):
    # The plain question is written on revision 1; the blog then gets its typo fixed.
    plain = post(blog_reading, instructor, "question", "Whose chain of command?", CHAIN)
    source = blog_reading.current_revision.source
    reading_revise_and_reanchor(
        reading=blog_reading,
        editor=instructor,
        source=source.replace(TYPO, TYPO.replace("lead", "led")),
        format="text",
        note="Typo",
    )
    blog_reading.refresh_from_db()
    pinned = post(blog_reading, instructor, "critique", "Start here: is it timing?", SWEET_SPOT)
    annotation_moderate(annotation=pinned, moderator=instructor, action="pin")
    exemplar = post(
        blog_reading, ta, "evidence", "A model of evidence.", KILLED, tags=["Exemplar", "war"]
    )
    note = post(blog_reading, instructor, "note", "Ask Lena.", PLEDGED, visibility="private")
    plain_comment = comment_create(
        reading=draft_reading, author=ta, text="Read the last paragraph twice."
    )
    staff_reply = reply_create(parent=pinned, author=instructor, text="Think of 2009.")[0]
    student_reply = reply_create(parent=pinned, author=student, text="Timing, yes.")[0]
    staff_under = reply_create(parent=student_reply, author=instructor, text="Why?")[0]
    critique = post(blog_reading, student, "critique", "Aid is not support.", AID)
    under = reply_create(parent=critique, author=ta, text="Good distinction.")[0]
    page = comment_create(reading=blog_reading, author=student2, text="I liked it.")
    Vote.objects.create(annotation=pinned, user=student)
    GradingPolicy.objects.create(seminar=seminar, score_max=5, best_n=2, late_penalty=10)
    one = group_create(seminar=seminar, actor=instructor, name="Tuesday")
    two = group_create(seminar=seminar, actor=instructor, name="Thursday")
    group_set_members(group=one, actor=instructor, user_ids=[student.pk])
    group_set_members(group=two, actor=instructor, user_ids=[student2.pk])
    return Term(
        pinned=pinned,
        exemplar=exemplar,
        plain=plain,
        plain_comment=plain_comment,
        note=note,
        staff_reply=staff_reply,
        reply_under_student=under,
        staff_under_student_reply=staff_under,
        student_posts=[student_reply, critique, page],
    )
