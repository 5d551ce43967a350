"""Who may read and write annotations, as plain functions shared by pages, API and exports.

Seeing an annotation is decided by one QuerySet method (`Annotation.objects.visible_to`), so
lists, counts and single fetches cannot disagree; these functions ask it or build on it.
"""

from annotations.models import AnchorStatus, Annotation, Status, Visibility
from seminar.models import STAFF_ROLES

# can_moderate lives in seminar.permissions (a role and a seminar setting); it is imported
# here so annotation code asks one module.
from seminar.permissions import (  # noqa: F401
    can_moderate,
    can_teach,
    can_view_reading,
    can_view_seminar,
    role_in,
)


def can_comment(user, reading):
    """Any member who can see the reading may join its discussion."""
    return can_view_reading(user, reading)


def can_view_annotation(user, annotation):
    return Annotation.objects.visible_to(user).filter(pk=annotation.pk).exists()


def is_author(user, annotation):
    return user.is_authenticated and annotation.author_id == user.pk


def can_edit_annotation(user, annotation):
    return is_author(user, annotation) and annotation.status != Status.DELETED


def can_delete_annotation(user, annotation):
    return can_edit_annotation(user, annotation)


def can_reattach(user, annotation):
    """The author may move their passage to new words; an instructor may re-attach an
    orphan, and only an orphan: a passage still in the text is its author's reading."""
    if annotation.status == Status.DELETED:
        return False
    if is_author(user, annotation):
        return True
    orphan = annotation.anchor_status == AnchorStatus.ORPHANED
    return orphan and role_in(user, annotation.reading.seminar) == "instructor"


def can_reply(user, annotation):
    if annotation.status != Status.PUBLISHED and not is_author(user, annotation):
        return False
    return not annotation.locked and can_comment(user, annotation.reading)


def posts_need_approval(user, seminar, *, visibility=None):
    """In a pre-moderated seminar, students' posts wait for a moderator. A private note does
    not: no moderator may read it, so holding it would only show it to one or strand it."""
    if visibility == Visibility.PRIVATE:
        return False
    return seminar.premoderation and role_in(user, seminar) not in STAFF_ROLES


def can_flag(user, annotation):
    return (
        annotation.status == Status.PUBLISHED
        and not is_author(user, annotation)
        and can_comment(user, annotation.reading)
    )


def can_vote(user, annotation):
    return (
        annotation.status == Status.PUBLISHED
        and not is_author(user, annotation)
        and can_comment(user, annotation.reading)
    )


def sees_names(user, seminar):
    """Instructors and TAs always see students' names, even in an anonymous seminar."""
    return not seminar.anonymous_peers or role_in(user, seminar) in STAFF_ROLES


def can_grade(user, seminar):
    """Instructors and TAs score posts and grade."""
    return role_in(user, seminar) in STAFF_ROLES


def can_release_grades(user, seminar):
    return role_in(user, seminar) == "instructor"
