"""Grading participation from rubric scores under a stated policy, so every number explains itself.

Pure Python (no Django): given a student's posts on one reading (each with its rubric score,
if any), the reading's due date and the seminar's policy, `suggest` returns the suggested
grade out of 100 *and* the sentence that shows how it was computed:

    Best 3 of 4 scored posts: 3 + 2 + 1.5 (late: 2 − 25%) = 6.5 of 9 → 72.2%

(the grade written with its unit by annotations.grading.display, as on every page).

Rules: a post written after the due date plus the grace period loses `late_penalty` percent
of its score; the `best_n` highest (after penalties) count; when fewer than `best_n` posts are
scored, the missing ones count 0, so a grade never rises by posting less. A score above the
scale counts as the scale's top and says so: the policy refuses a scale below existing scores,
but a restored archive or a score saved while the scale changed could still hold one, and a
grade over 100 would explain nothing.

A post hidden by a moderator is still the student's work: graders see it and may score it,
and `count_hidden` says whether it counts. Not counted (the default), it adds nothing to the
grade or the participation figures, and the explanation names it, "1 hidden post, not
counted", so a student who did post is never read as missing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from annotations.grading import display


@dataclass(frozen=True)
class Policy:
    score_max: int = 3
    best_n: int = 3
    late_penalty: int = 25  # percent
    grace_minutes: int = 0
    count_hidden: bool = False


@dataclass(frozen=True)
class Post:
    id: int
    kind: str
    created: datetime.datetime
    words: int = 0
    passage: tuple[int, int] | None = None
    helpful: int = 0
    score: int | None = None
    hidden: bool = False  # hidden by a moderator


def counts(post, policy):
    """Whether the post counts towards the grade: a hidden one only if the policy says so."""
    return policy.count_hidden or not post.hidden


def hidden_note(count):
    """The words for hidden posts that do not count: "2 hidden posts, not counted"."""
    return f"{count} hidden post{'s' if count != 1 else ''}, not counted"


@dataclass
class Participation:
    annotations: int = 0
    replies: int = 0
    words: int = 0
    passages: int = 0
    helpful: int = 0
    late: int = 0
    hidden: int = 0  # hidden posts left out by the policy; they are in no other figure

    @property
    def posts(self):
        return self.annotations + self.replies


@dataclass
class Suggestion:
    grade: float | None
    explanation: str
    counted: list[tuple[int, float, bool]] = field(default_factory=list)  # (post, points, late)


def deadline(due, policy):
    if due is None:
        return None
    return due + datetime.timedelta(minutes=policy.grace_minutes)


def is_late(post, due, policy):
    limit = deadline(due, policy)
    return limit is not None and post.created > limit


def participation(posts, due, policy):
    result = Participation()
    passages = set()
    for post in posts:
        if not counts(post, policy):
            result.hidden += 1
            continue
        if post.kind == "reply":
            result.replies += 1
        else:
            result.annotations += 1
        result.words += post.words
        result.helpful += post.helpful
        if post.passage is not None:
            passages.add(post.passage)
        if is_late(post, due, policy):
            result.late += 1
    result.passages = len(passages)
    return result


def _number(value):
    return f"{value:g}"


def _term(points, post, late, policy):
    notes = []
    if post.score > policy.score_max:
        notes.append(f"scored {post.score}, scale now 0–{policy.score_max}")
    if late:
        notes.append(f"late: {min(post.score, policy.score_max)} − {policy.late_penalty}%")
    return f"{_number(points)} ({'; '.join(notes)})" if notes else _number(points)


def suggest(posts, due, policy):
    hidden = sum(not counts(p, policy) for p in posts)
    suggestion = _suggest([p for p in posts if counts(p, policy)], due, policy)
    if hidden:
        note = hidden_note(hidden)
        if hidden == len(posts):  # nothing else to explain
            suggestion.explanation = f"{note[0].upper()}{note[1:]}."
        else:
            base = suggestion.explanation
            end = "." if base.endswith(".") else ""  # a sentence stays a sentence
            suggestion.explanation = f"{base.rstrip('.')}; {note}{end}"
    return suggestion


def _suggest(posts, due, policy):
    scored = [p for p in posts if p.score is not None]
    if not scored:
        return Suggestion(None, "No scored posts yet.")
    items = []
    for post in scored:
        late = is_late(post, due, policy)
        score = min(post.score, policy.score_max)
        points = score * (100 - policy.late_penalty) / 100 if late else float(score)
        items.append((points, post, late))
    items.sort(key=lambda item: (-item[0], item[1].created, item[1].id))
    best = items[: policy.best_n]
    total = sum(points for points, _, _ in best)
    out_of = policy.best_n * policy.score_max
    grade = round(100 * total / out_of, 1) if out_of else 0.0
    terms = [_term(points, post, late, policy) for points, post, late in best]
    missing = policy.best_n - len(best)
    if missing:
        terms += ["0"] * missing
    head = f"Best {policy.best_n} of {len(scored)} scored post{'s' if len(scored) != 1 else ''}"
    explanation = (
        f"{head}: {' + '.join(terms)} = {_number(round(total, 2))} of {out_of} "
        f"→ {display.grade(grade)}"
    )
    if missing:
        explanation += f" ({missing} missing post{'s' if missing != 1 else ''} count 0)"
    return Suggestion(grade, explanation, [(post.id, points, late) for points, post, late in best])
