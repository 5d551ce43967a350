"""The API's own documentation: the Swagger page and the OpenAPI schema it is built from."""

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
