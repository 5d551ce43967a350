"""The "New term from this seminar" page: who may open it, the form, the result page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.models import Annotation
from seminar.models import Membership, Reading, Seminar
from tests.annotations.carryover.test_services import new_edition


def url(seminar):
    return reverse("seminar_new_term", args=[seminar.slug])


def test_only_instructors_open_it(client, seminar, ta, student, outsider):
    client.force_login(ta)
    assert client.get(url(seminar)).status_code == 403
    assert client.post(url(seminar), {"title": "X"}).status_code == 403
    for who in (student, outsider):
        client.force_login(who)
        assert client.get(url(seminar)).status_code == 404
        assert client.post(url(seminar), {"title": "X"}).status_code == 404
    assert Seminar.objects.count() == 2  # the seminar and the outsider's own


def test_the_form_is_prefilled_and_linked_from_the_settings(client, seminar, instructor, term):
    client.force_login(instructor)
    settings = client.get(reverse("seminar_edit", args=[seminar.slug]))
    assert url(seminar) in settings.text
    page = client.get(url(seminar))
    assert page.status_code == 200
    assert f'value="{seminar.title}"' in page.text
    assert 'name="term"' in page.text and "Exemplars" in page.text
    assert page.text.count('type="file"') == 2  # a new edition for each reading


def test_making_a_new_term_with_a_new_edition_reports_each_reading(
    client, seminar, instructor, student, term, blog_reading
):
    client.force_login(instructor)
    edition = new_edition(blog_reading)
    upload = SimpleUploadedFile("second-edition.md", edition.source.encode())
    response = client.post(
        url(seminar),
        {
            "title": "Intervention and Peacebuilding",
            "term": "Autumn 2026",
            "posts": ["staff"],
            "status": "drafts",
            "shift_days": "",
            f"edition_{blog_reading.pk}": upload,
        },
    )
    new = Seminar.objects.get(term="Autumn 2026")
    assert response.status_code == 302 and response["Location"] == url(new)
    done = client.get(url(new))
    assert done.status_code == 200
    assert "New edition" in done.text
    row = done.text[done.text.index(blog_reading.title, done.text.index("carryover-readings")) :]
    row = row[: row.index("</li>")]
    assert "3 revisions · 4 posts" in row
    assert (
        "<strong>1</strong> stay on their words, <strong>1</strong> moved with them, "
        "<strong>1</strong> no longer in the text"
    ) in row
    assert not Membership.objects.filter(seminar=new, user=student).exists()
    assert Annotation.objects.filter(reading__seminar=new, anchor_status="moved").count() == 1
    # The report is shown once; after it, the new seminar's own new-term form.
    assert "Make the new seminar" in client.get(url(new)).text


def test_an_unreadable_edition_is_said_beside_its_reading_and_nothing_is_made(
    client, seminar, instructor, term, blog_reading
):
    client.force_login(instructor)
    before = Reading.objects.count()
    response = client.post(
        url(seminar),
        {
            "title": "Again",
            "status": "drafts",
            f"edition_{blog_reading.pk}": SimpleUploadedFile("empty.txt", b""),
        },
    )
    assert response.status_code == 400
    assert "is-invalid" in response.text
    assert Reading.objects.count() == before
    assert not Seminar.objects.filter(title="Again").exists()
