"""Bootstrap reaches the static finders from the bootstrap-wrapper package, at the paths
the templates name: nothing vendored, nothing from a CDN."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

CSS = "bootstrap/css/bootstrap.min.css"
JS = "bootstrap/js/bootstrap.bundle.min.js"


@pytest.mark.parametrize("name", [CSS, JS])
def test_the_finders_find_bootstrap(name):
    found = finders.find(name)
    assert found, f"{name} is not found by the static finders"
    path = Path(found)
    assert path.is_file()
    assert path.stat().st_size > 0


def test_the_stylesheet_is_bootstrap_5_3():
    header = Path(finders.find(CSS)).read_text(encoding="utf-8")[:500]
    assert re.search(r"/\*!\s*\*\s*Bootstrap\s+v5\.3\.\d+", header), header
