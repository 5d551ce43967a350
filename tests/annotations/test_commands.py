"""The demo command and Django's admin over every model."""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Annotation
from seminar.models import Membership, Reading, ReadingRevision, Seminar, User


def run_demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts():
    models = (User, Seminar, Membership, Reading, ReadingRevision, Annotation)
    return {m.__name__: m.objects.count() for m in models}


def test_demo_creates_a_seminar_and_prints_logins(db):
    output = run_demo()
    for username in ("instructor", "ta", "student1", "student2", "student3"):
        assert username in output
    assert "seminar-demo" in output
    seminar = Seminar.objects.get()
    roles = sorted(seminar.memberships.values_list("role", flat=True))
    assert roles == ["instructor", "student", "student", "student", "ta"]
    blog = Reading.objects.get(title="Peacekeeping Without a Peace to Keep")
    assert blog.date.isoformat() == "2026-09-08"
    assert blog.annotations.filter(kind="comment").count() == 3  # the reader comments
    passages = blog.annotations.filter(start__isnull=False)
    assert passages.count() == 4  # a few threads to show in the margin
    text = blog.current_revision.text
    assert all(text[a.start : a.end] == a.quote_exact for a in passages)
    assert Reading.objects.get(title="How to read a source closely").current_revision.format == (
        "markdown"
    )
    assert User.objects.get(username="student1").check_password("seminar-demo")
    # Students have their pseudonyms stored, as if they had joined; staff have none.
    pseudonyms = dict(seminar.memberships.values_list("user__username", "pseudonym"))
    assert all(pseudonyms[f"student{n}"] for n in (1, 2, 3))
    assert len({pseudonyms[f"student{n}"] for n in (1, 2, 3)}) == 3
    assert pseudonyms["instructor"] == pseudonyms["ta"] == ""


def test_demo_is_safe_to_run_twice(db):
    run_demo()
    first = counts()
    pseudonyms = set(Membership.objects.values_list("pseudonym", flat=True))
    output = run_demo()
    assert counts() == first
    assert set(Membership.objects.values_list("pseudonym", flat=True)) == pseudonyms
    assert "seminar-demo" in output


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if m._meta.app_label in {"seminar", "annotations"}]
)
def test_every_model_is_in_the_admin(admin_client, model):
    assert admin.site.is_registered(model)
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
