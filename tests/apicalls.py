"""Calling the JSON API from tests as the page script does: JSON in, JSON out."""

import json


def api(client, method, path, payload=None, **extra):
    """`client.<method>("/api<path>")` with `payload` as a JSON body (none when None)."""
    body = json.dumps(payload) if payload is not None else None
    call = getattr(client, method)
    return call(f"/api{path}", data=body, content_type="application/json", **extra)
