"""Grades and scores on the pages, with their unit: `{{ cell.final|grade }}` writes "88.9%",
`{{ post.score.value|score:score_max }}` writes "2 / 3" (the rule is annotations.grading.display).
"""

from django import template

from annotations.grading import display

register = template.Library()


@register.filter
def grade(value):
    return display.grade(value)


@register.filter
def score(value, out_of):
    return display.score(value, out_of)
