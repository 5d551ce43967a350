"""The rule of peer visibility as QuerySet clauses (annotations/peers): the readings on which
a student does not see classmates' posts yet, and what of others' posts they see there.
`Annotation.objects.visible_to` applies them; everything else asks it or `permissions`."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from annotations import models
from annotations.choices import PASSAGE_KINDS, Status, Visibility
from seminar.models import STAFF_ROLES, Membership, PeerVisibility, Reading, Role


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


def shown_while_held(user):
    """Of others' posts on a reading held back for `user`: the staff's and the reading's
    imported reader comments, in threads not started by a classmate, under a post that is
    not a classmate's (never a classmate's post, nor a placeholder standing for one)."""
    staff = Membership.objects.filter(
        seminar=OuterRef("reading__seminar"), role__in=STAFF_ROLES
    ).values("user")

    def no_classmate(field):  # an imported comment's credit is its `author_name`
        imported = Q(**{f"{field}__isnull": True}) & ~Q(**{f"{field}_name": ""})
        return imported | Q(**{f"{field}__in": staff}) | Q(**{field: user})

    return (
        no_classmate("author")
        & (Q(thread__isnull=True) | no_classmate("thread__author"))
        & (Q(parent__isnull=True) | no_classmate("parent__author"))
    )
