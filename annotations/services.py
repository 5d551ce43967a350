"""Write paths for annotations. Keyword-only, one transaction each."""

from django.db import transaction
from django.utils import timezone

from seminar.services import ServiceError

from .models import Annotation, Kind, Visibility
from .rendering import MAX_TEXT_CHARS, render_markdown


def clean_text(text):
    text = (text or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise ServiceError("Write something before posting.")
    if len(text) > MAX_TEXT_CHARS:
        raise ServiceError(
            f"That is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}. Shorten it or "
            "split it into replies."
        )
    return text


@transaction.atomic
def comment_create(*, reading, author, text, author_name="", created=None):
    """A page-level comment: the numbered discussion under the reading."""
    text = clean_text(text)
    return Annotation.objects.create(
        reading=reading,
        revision=reading.current_revision,
        kind=Kind.COMMENT,
        author=author,
        author_name=author_name,
        text=text,
        html=render_markdown(text),
        visibility=Visibility.SEMINAR,
        created=created or timezone.now(),
    )
