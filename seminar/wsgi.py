"""WSGI entry point, served by gunicorn in production (docs/deployment.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seminar.settings")
application = get_wsgi_application()
