"""JSON request bodies: only text the database can store gets past the parser.

JSON may carry a NUL (`\\u0000`), which PostgreSQL refuses in text columns, and an unpaired
surrogate (`\\ud800`), which is not Unicode at all and cannot be encoded to store or render.
Either would fail deep inside a service; the parser refuses them up front, for every
endpoint at once, naming the field so the caller knows what to fix.
"""

import json
import re

from ninja.parser import Parser


class UnstorableText(ValueError):
    """A string in the body that no database column can hold; the message names it."""


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _bad(value):
    return _UNSTORABLE.search(value) is not None


def _find_unstorable(data, path="body"):
    if isinstance(data, str):
        return path if _bad(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _bad(key):
                return path
            found = _find_unstorable(value, f"{path}.{key}" if path != "body" else key)
            if found:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = _find_unstorable(value, f"{path}[{index}]")
            if found:
                return found
    return None


class StrictJSONParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        where = _find_unstorable(data)
        if where:
            raise UnstorableText(
                f"{where}: contains a NUL character (\\u0000) or an unpaired surrogate, which "
                "is not valid text; remove it and send again."
            )
        return data
