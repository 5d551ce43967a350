"""Settings from the environment: the secret key a server needs, and the README's table."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from seminar.security import refuse_development_key

ROOT = Path(__file__).resolve().parents[2]


def run_python(*args, **env):
    """A fresh interpreter in the project, without SECRET_KEY or DEBUG unless given."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (tests/browser/conftest.py), not a server's.
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_development_key_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_KEY
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        refuse_development_key()
    settings.DEBUG = True
    refuse_development_key()
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-from-the-environment"
    refuse_development_key()


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi"])
def test_a_server_will_not_start_without_a_key(entry):
    # gunicorn, any ASGI server and runserver all load one of these modules.
    refused = run_python("-c", f"import {entry}")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in refused.stderr


def test_a_server_starts_with_a_key_or_in_debug():
    assert run_python("-c", "import config.wsgi", DEBUG="1").returncode == 0
    started = run_python("-c", "import config.wsgi", SECRET_KEY="k" * 50)
    assert started.returncode == 0, started.stderr


def test_management_commands_run_without_a_key():
    # `make run` migrates and loads the demo, and CI checks, before any key is set.
    done = run_python("manage.py", "check")
    assert done.returncode == 0, done.stderr


def test_the_readme_lists_every_variable_the_settings_read():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\("([A-Z_]+)"', source))
    assert {"SECRET_KEY", "DEBUG", "LOG_LEVEL", "SEMINAR_PLAIN_STATIC"} <= read
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert not {name for name in read if f"`{name}`" not in table}


def test_check_deploy_is_clean_with_the_documented_production_settings():
    # The settings docs/deployment.md tells a production site to set, and nothing else.
    production = {
        "SECRET_KEY": "k" * 50 + "-a-long-random-production-secret",
        "ALLOWED_HOSTS": "seminar.example.edu",
        "CSRF_TRUSTED_ORIGINS": "https://seminar.example.edu",
        "BEHIND_HTTPS_PROXY": "1",
    }
    checked = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def test_a_plain_http_intranet_opts_out_of_https():
    site = {"SECRET_KEY": "k" * 60, "CSRF_TRUSTED_ORIGINS": "http://seminar.intranet", "HTTPS": "0"}
    shown = run_python(
        "-c",
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)",
        **site,
    )
    assert shown.stdout.split() == ["False", "0", "False"], shown.stderr
