"""Shared fixtures: a seminar and its cast of named characters.

An instructor, a TA and two students belong to `seminar`; the outsider is an instructor of
another seminar, so "member of something" is never mistaken for "member of this".
"""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from annotations.revisions.readings import parse_upload, reading_import
from seminar import nearcache
from seminar.models import Membership, ReadingStatus, Role, User
from seminar.services import seminar_create
from tests.texts import BLOG, NEWS, reading_path

PASSWORD = "correct horse battery"  # noqa: S105

# In CI the property tests run the same examples every time: a new counterexample is found on
# a developer's machine (random there), turned into a test, never first in a landing's CI.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_near_copies():
    # The shared cache is the database's, rolled back after each test, and ids come again
    # after a rollback: a worker's near copies (seminar/nearcache.py) go with it.
    nearcache.clear_all()
    yield
    nearcache.clear_all()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Real hashing costs ~0.3 s a user; the tests are about permissions, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Fuzz tests post hundreds of bodies as one user within a second; the write limit has its
    # own tests (tests/seminar/test_throttling.py), which set it back.
    settings.SEMINAR_THROTTLES = {"api-write": (100_000, 60)}
    # Tasks run at once, in the request (when its transaction commits); one test runs the
    # real worker process against the database backend (tests/seminar/test_worker.py).
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASKS["default"]["QUEUES"],  # "default" and "email"
        }
    }


def make_user(username, name):
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=name, email=f"{username}@example.org"
    )
    return user


@pytest.fixture
def instructor(db):
    return make_user("okafor", "Dr. Okafor")


@pytest.fixture
def seminar(instructor):
    return seminar_create(title="Intervention and Peacebuilding", term="Spring", creator=instructor)


def member(seminar, username, name, role):
    user = make_user(username, name)
    Membership.objects.create(seminar=seminar, user=user, role=role)
    return user


@pytest.fixture
def ta(seminar):
    return member(seminar, "weber", "Jonas Weber", Role.TA)


@pytest.fixture
def student(seminar):
    return member(seminar, "lena", "Lena Ortiz", Role.STUDENT)


@pytest.fixture
def student2(seminar):
    return member(seminar, "sam", "Sam Park", Role.STUDENT)


@pytest.fixture
def outsider(db):
    user = make_user("mallory", "Mallory Outsider")
    seminar_create(title="Another seminar", creator=user)
    return user


def import_reading(seminar, filename, *, status=ReadingStatus.PUBLISHED, creator=None, path=None):
    """Upload one of the project's readings (or the file at `path`) as a browser would."""
    data = (path or reading_path(filename)).read_bytes()
    parsed = parse_upload(data=data, filename=filename)
    return reading_import(seminar=seminar, creator=creator, parsed=parsed, status=status)


@pytest.fixture
def blog_reading(seminar, instructor):
    return import_reading(seminar, BLOG, creator=instructor)


@pytest.fixture
def draft_reading(seminar, instructor):
    return import_reading(seminar, NEWS, status=ReadingStatus.DRAFT, creator=instructor)
