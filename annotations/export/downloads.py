"""Exports as HTTP downloads: the same streamed response for pages and the API."""

from django.http import StreamingHttpResponse

from annotations.export import csvfile, htmlfile, jsonld, markdown

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "zip": "application/zip",
}
READING_FORMATS = ("csv", "jsonld", "html", "md")
LIST_FORMATS = ("csv", "jsonld")


def site_url(request):
    """The site's address, for annotation ids in JSON-LD."""
    return request.build_absolute_uri("/").rstrip("/")


def stream_format(scope, fmt, *, excel=False):
    if fmt == "csv":
        return csvfile.stream(scope, excel=excel)
    if fmt == "jsonld":
        return jsonld.stream(scope)
    if fmt == "html":
        return htmlfile.stream(scope)
    return markdown.stream(scope)


def download(chunks, *, fmt, filename):
    """A streamed attachment: nothing is built in memory first."""
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
