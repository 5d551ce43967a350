"""A seminar with a discussion worth archiving: every kind of post and everything done to them.

On the class-blog reading: critiques, a question, evidence and a connection on passages, with
tags; threads with nested replies; helpful marks and flags; a post hidden by a moderator (and
a reply under it), one waiting for approval, a pinned and locked thread, a deleted post that
keeps its replies (a tombstone) and one that does not; a post for instructors only and a
private note; rubric scores, grades and a release; two more revisions of the text, so that
one passage moved and one is an orphan; the three reader comments imported with the post;
and a draft reading with one revision.
"""

import io
import json
import zipfile
from types import SimpleNamespace

import pytest

from annotations.export import archive
from annotations.export.snapshot import Options, Scope
from annotations.grading import gradebook
from annotations.models import Annotation, Score
from annotations.moderation.services import annotation_moderate, flag_create
from annotations.peers.services import reading_set_discussion, reading_set_peer_visibility
from annotations.questions.services import question_resolve, reply_endorse
from annotations.revisions.services import reading_revise_and_reanchor
from annotations.services import annotation_create, annotation_delete, reply_create, vote_add
from seminar.models import Group, Membership, Seminar
from seminar.services import seminar_update
from tests.texts import PLEDGED, QUOTED
from tests.texts import SWEET_SPOT as QUOTE

GAME_PIECE = "Losing a leader of his rank"
GAME_SENTENCE = (
    "Losing a leader of his rank has thrown the insurgents’ chain of command into disorder, "
    "and more fighters have given themselves up every week since."
)
DEATH = "The death of Abubakar Kolo, said to be the second most feared"


def passage(reading, author, text, *, exact, kind="critique", tags=(), visibility="seminar"):
    annotation, _ = annotation_create(
        reading=reading,
        author=author,
        kind=kind,
        text=text,
        tags=list(tags),
        visibility=visibility,
        quote={"exact": exact},
        client_id=f"{author.username}:{text[:40]}",
    )
    return annotation


def reply(parent, author, text):
    return reply_create(parent=parent, author=author, text=text, client_id=f"r:{text[:40]}")[0]


@pytest.fixture
def discussion(seminar, instructor, ta, student, student2, blog_reading, draft_reading):
    return build_discussion(
        seminar, instructor, ta, student, student2, reading=blog_reading, draft=draft_reading
    )


def build_discussion(seminar, instructor, ta, student, student2, *, reading, draft):
    critique = passage(
        reading,
        student,
        'Is the *sweet spot* claim premature? "Timing", they say,\nbut = which timing?',
        exact=QUOTE,
        tags=["timing", "evidence"],
    )
    question = passage(
        reading, student2, "Who decides what counts as a **vital** piece?", exact=GAME_PIECE
    )
    question.kind = "question"
    question.save(update_fields=["kind"])
    # Questions that close: a TA endorses an answer, then the instructor addresses it too.
    answer = reply(question, student, "Whoever holds the ground.")
    reply_endorse(reply=answer, user=ta)
    question_resolve(question=question, user=instructor, state="addressed", note="Week 3")
    evidence = passage(reading, student2, "See the Guardian, 2013.", exact=PLEDGED, kind="evidence")
    connection = passage(
        reading,
        student,
        "Compare Mensah and Lund on timing — naïve? 🙂",
        exact=QUOTED,
        kind="connection",
    )
    first = reply(critique, student2, "The Guardian piece supports it, partly.")
    nested = reply(first, student, "Partly is doing a lot of work there.")
    reply(critique, ta, "Good exchange: keep both sources in view.")
    vote_add(annotation=critique, user=student2)
    vote_add(annotation=critique, user=ta)
    vote_add(annotation=first, user=student)
    flag_create(annotation=evidence, user=student, reason="off_topic")
    # Hidden by a moderator, with a reply under it that peers no longer see either.
    rude = passage(reading, student2, "This blog is rubbish.", exact=DEATH)
    under_rude = reply(rude, student, "That is not fair.")
    flag_create(annotation=rude, user=student, reason="disrespectful")
    annotation_moderate(annotation=rude, moderator=ta, action="hide", reason="Be civil.")
    annotation_moderate(annotation=critique, moderator=instructor, action="pin")
    annotation_moderate(annotation=critique, moderator=instructor, action="lock")
    # A deleted post that keeps its reply (a tombstone) and one that is gone from lists.
    doomed = passage(reading, student, "I take this back.", exact=QUOTED)
    reply(doomed, student2, "Why?")
    annotation_delete(annotation=doomed)
    gone = passage(reading, student2, "Typo, ignore.", exact=QUOTE)
    annotation_delete(annotation=gone)
    staff_only = passage(
        reading, student, "A question for the instructor.", exact=PLEDGED, visibility="instructors"
    )
    private = passage(reading, student, "My own note.", exact=QUOTE, visibility="private")
    # Pre-moderation: a post waiting for approval.
    seminar_update(seminar=seminar, title=seminar.title, term=seminar.term, premoderation=True)
    waiting = passage(reading, student2, "Waiting for approval.", exact=PLEDGED)
    assert waiting.status == "pending"
    seminar_update(seminar=seminar, title=seminar.title, term=seminar.term, premoderation=False)
    # Grading.
    gradebook.policy_save(
        seminar=seminar,
        score_max=4,
        descriptors=["none", "weak", "fair", "good", "excellent"],
        best_n=2,
        late_penalty=10,
        grace_minutes=30,
    )
    gradebook.score_set(annotation=critique, grader=ta, value=3, comment="Sharp; cite more.")
    gradebook.score_set(annotation=question, grader=instructor, value=2)
    gradebook.grade_set(
        reading=reading, student=student, grader=instructor, final=91.5, feedback="Well argued."
    )
    gradebook.grade_set(reading=reading, student=student2, grader=instructor, feedback="More.")
    gradebook.grades_release(reading=reading, by=instructor)
    # Two more revisions: the first moves every passage, the second orphans one.
    source = reading.current_revision.source
    moved, _ = reading_revise_and_reanchor(
        reading=reading,
        editor=instructor,
        source="A note before the post.\n\n" + source,
        format=reading.current_revision.format,
        note="A preface",
    )
    orphaned, summary = reading_revise_and_reanchor(
        reading=reading,
        editor=instructor,
        source=moved.source.replace(GAME_SENTENCE, "Much else happened that spring."),
        format=moved.format,
        note="Wording",
    )
    assert summary.orphaned >= 1
    # Think first on the draft: who sees what, and the record of the change.
    reading_set_peer_visibility(reading=draft, actor=instructor, value="after_posting")
    # Groups: Lena in one, Sam in none; the draft discussed in groups.
    group = Group.objects.create(seminar=seminar, name="Tuesday section")
    Membership.objects.filter(seminar=seminar, user=student).update(group=group)
    reading_set_discussion(reading=draft, actor=instructor, value="groups")
    reading.refresh_from_db()
    posts = dict(
        critique=critique,
        question=question,
        evidence=evidence,
        connection=connection,
        first=first,
        nested=nested,
        rude=rude,
        under_rude=under_rude,
        doomed=doomed,
        gone=gone,
        staff_only=staff_only,
        private=private,
        waiting=waiting,
    )
    for post in posts.values():
        post.refresh_from_db()
    return SimpleNamespace(
        seminar=Seminar.objects.get(pk=seminar.pk),
        reading=reading,
        draft=draft,
        **posts,
    )


def build_zip(seminar, *, exported=None, **options):
    """The seminar archive's bytes."""
    return b"".join(archive.stream(Scope(seminar, Options(**options)), exported=exported))


def read_zip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def data_json(data):
    return json.loads(read_zip(data)["data.json"])


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd"]
OPTIONS = {
    "default": Options(),
    "evidence": Options(include_hidden=True),
    "pseudonyms": Options(pseudonyms=True),
    "evidence-pseudonyms": Options(include_hidden=True, pseudonyms=True, base_url="https://x.org"),
    "backup": Options(include_hidden=True, include_private=True),
}
AWKWARD = [
    'He said "no", then\r\nleft',
    "tab\tinside, and a trailing space ",
    "naïve 🙂 — ünïcödé",
    "'already quoted",
    "",
    "a,b",
    'only "quotes"',
    "line\nbreak",
    "cr\ronly",
    'ends like a separator", ',
    'ctrl \x01\x08\x0c\x1f\x7f \\ back\\slash "q" / </script> \u2028',
]


@pytest.fixture
def awkward(discussion, student, student2, instructor):
    """Lena's and Sam's posts with every awkward cell, a mention, a former member's post and a
    score on a reading whose grades are not released."""
    d = discussion
    for n, text in enumerate(FORMULAS + AWKWARD):
        Annotation.objects.create(
            reading=d.reading,
            kind="comment",
            author=student if n % 2 else student2,
            text=text,
            html="",
            tags=[text, "plain"] if text else [],
            moderation_reason=text,
        )
        Annotation.objects.create(
            reading=d.reading, kind="comment", author=None, author_name=text, text=f"n{n}"
        )
    sam = Membership.objects.get(seminar=d.seminar, user=student2).pk
    mention = annotation_create(
        reading=d.reading, author=student, kind="comment", text=f'=@[member:{sam}], "really"?'
    )[0]
    passage(d.reading, student, f"Cf. @[member:{sam}] on this.", exact=QUOTE, tags=["=x", "y"])
    Score.objects.create(
        annotation=mention, value=2, comment="=SUM(A1), see\nme", grader=instructor
    )
    former = Membership.objects.get(seminar=d.seminar, user=student2)
    former.delete()  # Sam left: his posts are a former member's
    d.reading.title = '=Title, with "quotes"'
    d.reading.save(update_fields=["title"])
    return d
