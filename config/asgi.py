"""ASGI entry point, for servers that speak ASGI."""

import os

from django.core.asgi import get_asgi_application

from seminar.security import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
refuse_development_key()  # ImproperlyConfigured without SECRET_KEY, unless DEBUG is on
application = get_asgi_application()
