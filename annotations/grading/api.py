"""Grading endpoints of the JSON API: rubric scores and the gradebook (docs/api.md)."""

from django.http import Http404
from ninja import Field, Router, Schema

from annotations.grading import gradebook
from annotations.grading.permissions import can_grade
from annotations.schemas import access_annotation_api
from seminar.api import access_seminar_api

router = Router(tags=["grading"])


def _require_grader(user, seminar):
    # A 404, as on the pages: students and outsiders are not told that grading exists here.
    if not can_grade(user, seminar):
        raise Http404("No such page.")


class ScoreIn(Schema):
    score: int
    comment: str = Field("", max_length=2000)


class ScoreOut(Schema):
    annotation: int
    score: int
    comment: str


class CellOut(Schema):
    reading: int
    student: int
    posts: int
    words: int
    late: int
    hidden: int = Field(description="Hidden posts the policy leaves out of the grade.")
    mark: str = Field(description='"missing", "hidden, not counted", or empty.')
    suggested: float | None
    explanation: str
    final: float | None
    overridden: bool
    released: bool


class GradebookOut(Schema):
    students: list[dict]
    readings: list[dict]
    cells: list[CellOut]


@router.put("/annotations/{annotation_id}/score", response=ScoreOut)
def set_score(request, annotation_id: int, payload: ScoreIn):
    annotation = access_annotation_api(request.user, annotation_id)
    _require_grader(request.user, annotation.reading.seminar)
    score = gradebook.score_set(
        annotation=annotation, grader=request.user, value=payload.score, comment=payload.comment
    )
    return {"annotation": annotation.pk, "score": score.value, "comment": score.comment}


@router.get("/seminars/{seminar_id}/gradebook", response=GradebookOut)
def get_gradebook(request, seminar_id: int):
    seminar = access_seminar_api(request.user, seminar_id)
    _require_grader(request.user, seminar)
    students, readings, cells = gradebook.build(seminar)
    return {
        "students": [{"id": s.pk, "name": s.name, "username": s.username} for s in students],
        "readings": [{"id": r.pk, "title": r.title, "due": r.due} for r in readings],
        "cells": [
            {
                "reading": c.reading.pk,
                "student": c.student_id,
                "posts": c.participation.posts,
                "words": c.participation.words,
                "late": c.participation.late,
                "hidden": c.hidden_not_counted,
                "mark": c.mark,
                "suggested": c.suggestion.grade,
                "explanation": c.suggestion.explanation,
                "final": c.final,
                "overridden": c.overridden,
                "released": c.released,
            }
            for c in cells.values()
        ],
    }
