"""Before class: what the staff read of a reading's discussion before they teach it.

The most-discussed passages (the heat map's peaks, with what the class wrote there), the
open questions and the posts the class marked most helpful, who has not posted yet (and
reminding them), and posts per day up to the due date (the Activity page's chart). Each
part is one query, whatever the number of posts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import Truncator

from annotations.grading.gradebook import as_rules, gradable_posts, policy_for
from annotations.insight.activity import chart_for, daily_counts
from annotations.insight.charts import Chart
from annotations.insight.services import class_members, class_passages, class_posts, passage_spans
from annotations.insight.spans import KIND_COUNTS, hot_passages
from annotations.models import Annotation, Notification, NotificationKind, Status, Vote
from annotations.notifications.services import notify_reminder
from annotations.questions.services import open_questions
from seminar.errors import ServiceError

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from seminar.models import Group, Reading, User

PASSAGES = 5
HELPFUL = 5
# Open questions shown (the most marked first); the Open questions page has them all.
QUESTIONS = 6
QUOTE_CHARS = 280
# A student reminded about a reading is not reminded again within this long.
REMIND_AGAIN_AFTER = datetime.timedelta(hours=20)


ONE = {
    "questions": "question",
    "critiques": "critique",
    "evidence": "evidence",
    "connections": "connection",
    "notes": "note",
}


@dataclass
class Passage:
    start: int
    end: int
    quote: str
    peak: int  # the most posts on any one character of it
    posts: int = 0  # the class's posts touching it
    replies: int = 0
    helpful: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    link_id: int | None = None  # the post to open: the most answered and marked of them

    @property
    def kind_counts(self) -> list[str]:
        """ "2 questions", "1 critique", … of the kinds it has."""
        return [f"{n} {name if n != 1 else ONE[name]}" for name, n in self.kinds.items() if n]


def _counted(model, **filters) -> Subquery:
    # How many rows of `model` match, per outer post (the first filter names the join).
    rows = (
        model.objects.filter(**filters)
        .order_by()
        .values(next(iter(filters)))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


def _replies():
    return _counted(Annotation, thread=OuterRef("pk"), status=Status.PUBLISHED)


def _votes():
    return _counted(Vote, annotation=OuterRef("pk"))


def _quote(text: str, start: int, end: int) -> str:
    # Out to whole words, so a peak that starts mid-word reads as the words it is in.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return Truncator(" ".join(text[start:end].split())).chars(QUOTE_CHARS)


def discussed_passages(*, reading: Reading, group: Group | None = None) -> list[Passage]:
    """The most-discussed passages, hottest first: two queries (the spans, the posts)."""
    peaks = hot_passages(passage_spans(reading=reading, group=group), limit=PASSAGES)
    if not peaks:
        return []
    text = reading.current_revision.text
    passages = [Passage(s, e, _quote(text, s, e), peak, kinds=_zeros()) for s, e, peak in peaks]
    rows = (
        class_passages(reading=reading, group=group)
        .annotate(reply_count=_replies(), vote_count=_votes())
        .values_list("pk", "start", "end", "kind", "reply_count", "vote_count")
    )
    best: dict[int, int] = {}
    for pk, start, end, kind, replies, votes in rows.iterator(chunk_size=2000):
        weight = (replies or 0) + (votes or 0)
        for n, passage in enumerate(passages):
            if start < passage.end and passage.start < end:
                passage.posts += 1
                passage.replies += replies or 0
                passage.helpful += votes or 0
                passage.kinds[KIND_COUNTS.get(kind, "notes")] += 1
                if passage.link_id is None or weight > best[n]:
                    passage.link_id, best[n] = pk, weight
    return passages


def _zeros() -> dict[str, int]:
    return dict.fromkeys(KIND_COUNTS.values(), 0)


def questions_open(*, reading: Reading, user: User, group: Group | None = None) -> list[Annotation]:
    """The reading's open questions (a group's, if given), most marked helpful first, then
    oldest."""
    questions = open_questions(seminar=reading.seminar, user=user, reading=reading)
    if group is not None:
        questions = questions.filter(
            author_id__in=class_members(seminar=reading.seminar, group=group).values("user_id")
        )
    return list(questions.annotate(vote_count=_votes()).order_by("-vote_count", "created", "id"))


def most_helpful(*, reading: Reading, group: Group | None = None) -> list[Annotation]:
    """The class's published posts with the most helpful marks (at least one)."""
    posts = class_posts(reading=reading, group=group).filter(status=Status.PUBLISHED)
    return list(
        posts.annotate(vote_count=_votes())
        .filter(vote_count__gt=0)
        .select_related("reading__seminar", "author")
        .order_by("-vote_count", "created", "id")[:HELPFUL]
    )


def not_posted(*, reading: Reading, group: Group | None = None) -> QuerySet:
    """The class's students (or a group's) with no post on the reading, by name, each with
    `reminded` (when they were last reminded about it, or None). What "posted" means is the
    gradebook's: any post but a private note or a deleted one (a hidden post is work done)."""
    # Not NULL: imported posts have no author, and NOT IN a list with a NULL is never true.
    posts = gradable_posts(reading.seminar).filter(reading=reading, author__isnull=False)
    posted = posts.values("author_id")
    last = (
        Notification.objects.filter(
            user=OuterRef("user_id"), kind=NotificationKind.REMINDER, reading=reading
        )
        .order_by("-created")
        .values("created")[:1]
    )
    return (
        class_members(seminar=reading.seminar, group=group)
        .exclude(user_id__in=posted)
        .filter(user__is_active=True)
        .annotate(reminded=Subquery(last))
        .select_related("user", "group")
        .order_by("user__display_name", "user__username")
    )


@transaction.atomic
def quiet_remind(*, reading: Reading, by: User, group: Group | None = None) -> tuple[int, int]:
    """Remind who has not posted yet: (how many were reminded, how many were skipped as
    reminded within REMIND_AGAIN_AFTER). The list is worked out now, not taken from the
    page, so nobody who posted in the meantime is nagged."""
    recent = timezone.now() - REMIND_AGAIN_AFTER
    members = list(not_posted(reading=reading, group=group))
    due = [m.user for m in members if m.reminded is None or m.reminded < recent]
    if not members:
        raise ServiceError("Everyone has posted on this reading: there is nobody to remind.")
    sent = notify_reminder(reading=reading, by=by, students=due)
    return len(sent), len(members) - len(due)


def posts_per_day(*, reading: Reading, group: Group | None = None) -> Chart:
    """The chart of the class's posts per day on the reading, to its due date: the Activity
    page's own chart of it, so the two pages count the same posts alike."""
    rules = as_rules(policy_for(reading.seminar))
    days = daily_counts(reading.seminar, group=group, readings=[reading], rules=rules)
    return chart_for(reading, days[reading.pk])
