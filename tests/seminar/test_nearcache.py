"""A worker's near copies: bounded, short-lived, forgotten with the shared cache."""

import time

from seminar import nearcache
from seminar.nearcache import Near


def test_the_least_recently_used_copy_goes_first():
    near = Near(2, seconds=60)
    near.put("seminar page", "a")
    near.put("reading page", "b")
    assert near.get("seminar page") == "a"  # used: the reading page is now the oldest
    near.put("list", "c")
    assert near.get("reading page") is None
    assert (near.get("seminar page"), near.get("list")) == ("a", "c")


def test_a_copy_never_outlives_its_time(monkeypatch):
    near = Near(4, seconds=60)
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now)
    near.put("page", "markup")
    monkeypatch.setattr(time, "monotonic", lambda: now + 59)
    assert near.get("page") == "markup"
    monkeypatch.setattr(time, "monotonic", lambda: now + 61)
    assert near.get("page") is None


def test_clearing_forgets_every_copy_of_every_worker_cache():
    pages, lists = Near(4, seconds=60), Near(4, seconds=60)
    pages.put("page", "markup")
    lists.put("list", b"[]")
    nearcache.clear_all()
    assert pages.get("page") is None
    assert lists.get("list") is None
