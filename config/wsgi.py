"""WSGI entry point, served by gunicorn in production (docs/deployment.md)."""

import os

from django.core.wsgi import get_wsgi_application

from seminar.security import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
refuse_development_key()  # ImproperlyConfigured without SECRET_KEY, unless DEBUG is on
application = get_wsgi_application()
