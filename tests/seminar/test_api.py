"""The API's own documentation: the reference page and the OpenAPI schema it is built from."""

from django.urls import reverse

# DESIGN.md's table: every endpoint and method a script may rely on.
ROUTES = {
    "/api/seminars": {"get"},
    "/api/seminars/{seminar_id}": {"get"},
    "/api/seminars/{seminar_id}/readings": {"get"},
    "/api/readings/{reading_id}": {"get", "put"},
    "/api/readings/{reading_id}/annotations": {"get", "post"},
    "/api/annotations/{annotation_id}": {"get", "patch", "delete"},
    "/api/annotations/{annotation_id}/replies": {"post"},
    "/api/annotations/{annotation_id}/vote": {"post", "delete"},
    "/api/annotations/{annotation_id}/flags": {"post"},
    "/api/annotations/{annotation_id}/moderation": {"post"},
    "/api/seminars/{seminar_id}/moderation": {"get"},
    "/api/annotations/{annotation_id}/score": {"put"},
    "/api/seminars/{seminar_id}/gradebook": {"get"},
    "/api/readings/{reading_id}/export": {"get"},
    "/api/seminars/{seminar_id}/export": {"get"},
}


def test_docs_page_is_served(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "Seminar API" in response.text
    assert reverse("api:openapi-json") in response.text


def test_openapi_schema_lists_the_main_routes(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Seminar API"
    for path, methods in ROUTES.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_docs_page_is_the_sites_own_reference_of_every_operation_and_schema(client, db):
    """/api/docs is a server-rendered page in the site's layout (no Swagger UI script)."""
    schema = client.get("/api/openapi.json").json()
    html = client.get("/api/docs").content.decode()
    assert '<html lang="en">' in html and 'aria-label="Main"' in html
    assert "swagger" not in html.lower()
    for ops in schema["paths"].values():
        for op in ops.values():
            assert f'id="{op["operationId"]}"' in html, op["operationId"]
    for name in schema["components"]["schemas"]:
        assert f'id="schema-{name}"' in html, name
    # A body links to its schema; a path parameter says where it goes.
    assert 'JSON: <span class="api-type"><a href="#schema-AnnotationIn">AnnotationIn</a>' in html
    assert '<code>reading_id</code> <span class="api-where">in path</span>' in html
