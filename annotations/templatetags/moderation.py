"""The Moderation link, wherever a page offers one: `{% moderation_link seminar "nav-link" %}`
writes it with the number of posts awaiting a moderator (named "Moderation, 3 open" for a
screen reader), and nothing at all for someone who does not moderate the seminar. The count comes
from the request's `moderation_open` (annotations/context_processors.py), so every link on a
page shares one query."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_link(context, seminar, classes=""):
    counts = context.get("moderation_open")
    count = counts.of(seminar) if counts is not None else None
    if count is None:
        return ""
    url = reverse("moderation_queue", kwargs={"slug": seminar.slug})
    if not count:
        return format_html('<a class="{}" href="{}">Moderation</a>', classes, url)
    # The link's name says the number in words ("Moderation, 3 open"); the badge shows it.
    return format_html(
        '<a class="{}" href="{}" aria-label="Moderation, {} open">Moderation <span class="badge'
        ' rounded-pill text-bg-danger moderation-count" aria-hidden="true">{}</span></a>',
        classes,
        url,
        count,
        count,
    )
