"""Adding a reading through the web form as a browser does: the form, its preview, Save.

`add_reading` posts the form and, when a preview comes back, presses "Save reading" on it,
returning the last response (the redirect to the new reading, or the form with its errors).
"""

from django.urls import reverse


def create_url(seminar_slug):
    return reverse("reading_create", args=[seminar_slug])


def preview_reading(client, seminar_slug, payload):
    return client.post(create_url(seminar_slug), payload)


def save_preview(client, seminar_slug, token, *, button="save"):
    return client.post(create_url(seminar_slug), {"token": token, button: "1"})


def add_reading(client, seminar_slug, payload):
    response = preview_reading(client, seminar_slug, payload)
    token = response.context.get("token") if response.status_code == 200 else None
    if not token:
        return response
    return save_preview(client, seminar_slug, token)
