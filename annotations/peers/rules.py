"""The rules of peer visibility as QuerySet clauses (annotations/peers): the readings on which
a student does not see classmates' posts yet, and what of others' posts they see there; the
readings discussed in groups, and what of others' posts a student sees there.
`Annotation.objects.visible_to` applies them; everything else asks it or `permissions`."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from annotations import models
from annotations.choices import PASSAGE_KINDS, Status, Visibility
from seminar.models import STAFF_ROLES, Discussion, Membership, PeerVisibility, Reading, Role


def readings_held_back(user, *, now=None):
    """The readings on which `user`, a student there, does not yet see classmates' posts
    (Reading.peer_visibility): until they have published a passage annotation of their own
    to the class (not a private note) there, or until the due date. The one rule, used by
    `visible_to` and by every count, channel and page (annotations/peers)."""
    own = models.Annotation.objects.filter(
        reading=OuterRef("pk"),
        author=user,
        parent__isnull=True,
        kind__in=PASSAGE_KINDS,
        status=Status.PUBLISHED,
    ).exclude(visibility=Visibility.PRIVATE)
    after_posting = Q(peer_visibility=PeerVisibility.AFTER_POSTING) & ~Exists(own)
    before_due = Q(peer_visibility=PeerVisibility.AFTER_DUE) & (
        Q(due__isnull=True) | Q(due__gt=now or timezone.now())
    )
    return Reading.objects.filter(
        after_posting | before_due,
        seminar__memberships__user=user,
        seminar__memberships__role=Role.STUDENT,
    ).values("pk")


def _not_a_classmate(user):
    """A post's author is no classmate of `user`: the staff of the post's reading, `user`,
    or an imported comment's credit (`author_name`, no account). Correlated on the post's
    own columns only, so that the outer query needs no join for it."""
    staff = Membership.objects.filter(
        user=OuterRef("author"), role__in=STAFF_ROLES, seminar__readings=OuterRef("reading")
    )
    imported = Q(author__isnull=True) & ~Q(author_name="")
    return imported | Q(author=user) | Exists(staff)


def shown_while_held(user):
    """Of others' posts on a reading held back for `user`: the staff's and the reading's
    imported reader comments, in threads not started by a classmate, under a post that is
    not a classmate's (never a classmate's post, nor a placeholder standing for one).

    Subqueries, not joins to the thread and the parent: evaluated only for the posts of held
    readings (the `OR` in `visible_to` stops at the readings not held), they leave the plan
    of every other query as it was (a join made search 3x slower at 100,000 posts)."""
    not_classmates = (
        models.Annotation.objects.filter(reading__in=readings_held_back(user))
        .filter(_not_a_classmate(user))
        .values("pk")
    )
    return (
        _not_a_classmate(user)
        & (Q(thread__isnull=True) | Q(thread_id__in=not_classmates))
        & (Q(parent__isnull=True) | Q(parent_id__in=not_classmates))
    )


def readings_in_groups(user):
    """The readings discussed in groups (Reading.discussion) on which `user` is a student:
    there they see their own group's posts only."""
    return Reading.objects.filter(
        discussion=Discussion.GROUPS,
        seminar__memberships__user=user,
        seminar__memberships__role=Role.STUDENT,
    ).values("pk")


def shown_in_groups(user):
    """Of others' posts on a reading discussed in groups: those of `user`'s group and of no
    classmate (the staff, imported comments), in threads started by either. A student in no
    group sees the staff's alone."""
    groupmate = Membership.objects.filter(
        user=OuterRef("author"),
        group__memberships__user=user,
        seminar__readings=OuterRef("reading"),
    )
    ours = _not_a_classmate(user) | Exists(groupmate)
    threads = (
        models.Annotation.objects.filter(reading__in=readings_in_groups(user))
        .filter(ours)
        .values("pk")
    )
    return ours & (Q(thread__isnull=True) | Q(thread_id__in=threads))
