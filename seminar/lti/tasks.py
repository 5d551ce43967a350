"""The LTI tasks, on the "default" queue (seminar/worker.py runs them).

A roster sync talks to the LMS, which may be slow: it never runs inside a launch or a page.
"""

import logging

from django_tasks import task

log = logging.getLogger("seminar.lti")


@task()
def roster_sync_task(lti_context_id: int) -> str:
    """ "synced (…)", "failed: …" (logged; the next launch or button tries again) or "gone"."""
    from seminar.lti.models import LtiContext
    from seminar.lti.roster import roster_sync
    from seminar.lti.tokens import PlatformError

    lti_context = (
        LtiContext.objects.select_related("platform", "seminar").filter(pk=lti_context_id).first()
    )
    if lti_context is None:
        return "gone"
    try:
        result = roster_sync(lti_context=lti_context)
    except PlatformError as error:
        log.warning("LTI roster sync of %s failed: %s", lti_context.seminar, error)
        return f"failed: {error}"
    return f"synced ({result.added} added, {result.updated} updated, {result.left} left)"
