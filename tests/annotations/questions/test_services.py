"""Questions that close: the states, endorsing, and who may do either (services and rules)."""

import pytest

from annotations.models import Resolution
from annotations.questions.permissions import can_endorse, can_resolve
from annotations.questions.services import question_resolve, reply_endorse
from annotations.services import annotation_update
from seminar.errors import NotPermitted, ServiceError


def test_a_new_question_is_open_and_other_kinds_have_no_state(question, critique):
    assert question.resolution == Resolution.OPEN
    assert critique.resolution is None


def test_the_author_marks_their_question_answered_and_reopens_it(question, student):
    question_resolve(question=question, user=student, state="answered", note="  Got it  ")
    question.refresh_from_db()
    assert (question.resolution, question.resolution_note) == ("answered", "Got it")
    assert question.resolved_by == student and question.resolved_at is not None
    question_resolve(question=question, user=student, state="open", note="still unsure")
    question.refresh_from_db()
    assert (question.resolution, question.resolution_note) == ("open", "")


def test_staff_address_a_question_in_class_with_a_note(question, ta):
    question_resolve(question=question, user=ta, state="addressed", note="Tuesday, slide 4")
    question.refresh_from_db()
    assert question.resolution == "addressed"
    assert question.resolution_note == "Tuesday, slide 4"


def test_who_may_resolve(question, critique, instructor, ta, student, student2, outsider):
    assert can_resolve(instructor, question) and can_resolve(ta, question)
    assert can_resolve(student, question)
    assert not can_resolve(student2, question) and not can_resolve(outsider, question)
    assert not can_resolve(instructor, critique)  # not a question
    with pytest.raises(NotPermitted):
        question_resolve(question=question, user=student2, state="answered")


def test_only_questions_and_known_states(question, critique, instructor):
    with pytest.raises(
        ServiceError, match="Only questions can be resolved: this post is a critique"
    ):
        question_resolve(question=critique, user=instructor, state="answered")
    with pytest.raises(ServiceError, match="open, answered, addressed"):
        question_resolve(question=question, user=instructor, state="closed")


def test_endorsing_a_reply_marks_its_question_answered(question, answer, ta):
    reply_endorse(reply=answer, user=ta)
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.endorsed and question.resolution == "answered"
    assert question.resolved_by == ta
    # Taking it back leaves the state: the author or staff reopen the question.
    reply_endorse(reply=answer, user=ta, endorsed=False)
    answer.refresh_from_db()
    question.refresh_from_db()
    assert not answer.endorsed and question.resolution == "answered"


def test_who_may_endorse(question, answer, critique, instructor, ta, student, student2):
    assert can_endorse(instructor, answer) and can_endorse(ta, answer)
    assert not can_endorse(student, answer) and not can_endorse(student2, answer)
    with pytest.raises(NotPermitted):
        reply_endorse(reply=answer, user=student)
    with pytest.raises(ServiceError, match="Only a reply can be endorsed"):
        reply_endorse(reply=question, user=ta)


def test_a_reply_to_a_critique_is_not_an_answer(critique, student2, ta):
    from annotations.services import reply_create

    reply = reply_create(parent=critique, author=student2, text="I disagree.")[0]
    assert not can_endorse(ta, reply)
    with pytest.raises(ServiceError, match="thread starts with a critique"):
        reply_endorse(reply=reply, user=ta)


def test_a_question_that_changes_kind_takes_or_drops_its_state(question, critique, student):
    question_resolve(question=question, user=student, state="answered")
    annotation_update(annotation=question, editor=student, kind="critique")
    question.refresh_from_db()
    assert question.resolution is None and question.resolved_by is None
    annotation_update(annotation=critique, editor=student, kind="question")
    critique.refresh_from_db()
    assert critique.resolution == "open"
