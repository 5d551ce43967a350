"""Who may do what in a seminar, as plain functions.

Views, templates, the API and exports all ask these functions, so a rule is written once.
Each takes the user first; a user without a membership is an outsider and may do nothing.
"""

from django.db.models import OuterRef, Subquery

from seminar.models import STAFF_ROLES, Membership, Role


def role_in(user, seminar):
    """The user's role in the seminar, or None. Cached per (user, seminar) on the user."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_seminar_roles", {})
    if seminar.pk not in cache:
        cache[seminar.pk] = (
            Membership.objects.filter(seminar=seminar, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[seminar.pk]


def remember_roles(user, memberships):
    """Hand `role_in` the user's memberships a list already loaded, so that asking the
    rules about each of those seminars costs no query."""
    cache = user.__dict__.setdefault("_seminar_roles", {})
    for membership in memberships:
        cache[membership.seminar_id] = membership.role


def role_subquery(user, seminar_id="seminar_id"):
    """The user's role in each row's seminar (`seminar_id`: the path to it), to annotate the
    query that fetches what a request acts on; hand it to `remember_role` and the rules ask
    no query of their own."""
    return Subquery(
        Membership.objects.filter(seminar_id=OuterRef(seminar_id), user_id=user.pk)
        .order_by()
        .values("role")[:1]
    )


def remember_role(user, seminar_id, role):
    """What `role_subquery` found: `role_in` answers it for this user and seminar."""
    user.__dict__.setdefault("_seminar_roles", {})[seminar_id] = role


def can_view_seminar(user, seminar):
    return role_in(user, seminar) is not None


def can_teach(user, seminar):
    """Instructors and TAs: they see drafts and, later, moderate and grade."""
    return role_in(user, seminar) in STAFF_ROLES


def can_manage_seminar(user, seminar):
    return role_in(user, seminar) == Role.INSTRUCTOR


def can_manage_roster(user, seminar):
    return role_in(user, seminar) == Role.INSTRUCTOR


def can_add_reading(user, seminar):
    return role_in(user, seminar) == Role.INSTRUCTOR


def can_view_reading(user, reading):
    role = role_in(user, reading.seminar)
    if role is None:
        return False
    return not reading.is_draft or role in STAFF_ROLES


def can_edit_reading(user, reading):
    return role_in(user, reading.seminar) == Role.INSTRUCTOR


def can_moderate(user, seminar):
    """Instructors always; TAs where the seminar lets them (a seminar setting)."""
    role = role_in(user, seminar)
    return role == Role.INSTRUCTOR or (role == Role.TA and seminar.tas_moderate)


def can_view_groups(user, seminar):
    """Instructors and TAs see every group and its members; a student, only their own."""
    return role_in(user, seminar) in STAFF_ROLES


def can_manage_groups(user, seminar):
    return role_in(user, seminar) == Role.INSTRUCTOR


def sees_names(user, seminar):
    """Instructors and TAs always see students' names, even in an anonymous seminar."""
    return not seminar.anonymous_peers or role_in(user, seminar) in STAFF_ROLES
