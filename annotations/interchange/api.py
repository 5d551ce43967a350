"""Annotation import endpoint of the JSON API (to be written)."""

from ninja import Router

router = Router(tags=["interchange"])
