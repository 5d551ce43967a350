"""A passage sent with a position outside the text is placed by its quote, not refused."""

import pytest

from annotations.models import Annotation
from annotations.services import annotation_create
from seminar.errors import ServiceError
from tests.apicalls import api
from tests.texts import SWEET_SPOT


def test_a_position_past_the_end_falls_back_to_the_quote(blog_reading, student):
    text = blog_reading.current_revision.text
    annotation, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="Timing?",
        quote={"exact": SWEET_SPOT, "start": len(text) + 10, "end": len(text) + 80},
    )
    assert text[annotation.start : annotation.end] == SWEET_SPOT
    assert annotation.anchor_status == "anchored"


def test_a_negative_or_reversed_position_falls_back_too(client, blog_reading, student):
    text = blog_reading.current_revision.text
    client.force_login(student)
    for start, end in [(-5, 3), (40, 10)]:
        selector = [
            {"type": "TextQuoteSelector", "exact": SWEET_SPOT},
            {"type": "TextPositionSelector", "start": start, "end": end},
        ]
        response = api(
            client,
            "post",
            f"/readings/{blog_reading.pk}/annotations",
            {"kind": "note", "text": "n", "target": {"selector": selector}},
        )
        assert response.status_code == 201, response.json()
        made = Annotation.objects.get(pk=response.json()["id"])
        assert text[made.start : made.end] == SWEET_SPOT


def test_whitespace_that_differs_from_the_text_is_forgiven(blog_reading, student):
    text = blog_reading.current_revision.text
    at = text.index(SWEET_SPOT)
    annotation, _ = annotation_create(
        reading=blog_reading,
        author=student,
        kind="critique",
        text="Copied from a PDF.",
        quote={
            "exact": SWEET_SPOT.replace(" ", "\n", 2).replace("timing", "timing "),
            "prefix": text[at - 20 : at].rstrip(),
        },
    )
    assert (annotation.start, annotation.end) == (at, at + len(SWEET_SPOT))


def test_a_quote_not_in_the_text_is_still_refused(blog_reading, student):
    with pytest.raises(ServiceError, match="not in the text"):
        annotation_create(
            reading=blog_reading,
            author=student,
            kind="critique",
            text="?",
            quote={"exact": "words nobody wrote", "start": 10**9, "end": 10**9 + 5},
        )
