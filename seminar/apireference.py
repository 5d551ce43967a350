"""The API's reference page at /api/docs: the OpenAPI schema, read as a page of the site.

Django-ninja's default page is Swagger UI, drawn by a large script: its colours fail WCAG
contrast, its operation headers are buttons with buttons inside (nested-interactive), its
page has no language, and it is 980 px wide on a phone. This page is server-rendered from
the same schema (`api.get_openapi_schema()`) in the site's layout: every operation with its
method, path, summary, parameters, request body, responses and authentication, then every
schema with its fields, cross-linked. The machine-readable schema stays at
/api/openapi.json, for Swagger UI, Postman or a client generator. There is no "try it":
`curl` and a personal token (docs/api.md) do that.
"""

import json
from dataclasses import dataclass, field

from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ["get", "post", "put", "patch", "delete"]
AUTH = {
    "BearerToken": "API token (Authorization: Bearer)",
    "SessionAuth": "session cookie and X-CSRFToken header",
}
CONSTRAINTS = [  # (key, words, unit)
    ("minLength", "at least", "character"),
    ("maxLength", "at most", "character"),
    ("minItems", "at least", "item"),
    ("maxItems", "at most", "item"),
    ("minimum", "at least", ""),
    ("maximum", "at most", ""),
]


@dataclass
class Token:
    """A piece of a type's description; `ref` names a schema to link to."""

    text: str
    ref: str = ""


@dataclass
class Field:
    name: str
    type: list
    required: bool = False
    where: str = ""
    notes: list = field(default_factory=list)


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list
    body: list | None
    body_required: bool
    responses: list
    auth: list

    @property
    def segments(self):
        """The path in pieces, so a narrow column can break it after a slash."""
        return self.path.split("/")


def _ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def describe(schema):
    """A schema as words and links: `array of AnnotationOut`, `integer or null`."""
    if not schema:
        return [Token("any")]
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return [Token(name, ref=name)]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = sorted(schema[key], key=lambda s: s.get("type") == "null")
            tokens = []
            for i, part in enumerate(parts):
                if i:
                    tokens.append(Token(" and " if key == "allOf" else " or "))
                tokens.extend(describe(part))
            return tokens
    kind = schema.get("type", "any")
    if kind == "array":
        return [Token("array of "), *describe(schema.get("items", {}))]
    if "enum" in schema:
        return [Token(f"{kind}: one of " + ", ".join(str(v) for v in schema["enum"]))]
    if "format" in schema:
        return [Token(f"{kind} ({schema['format']})")]
    return [Token(kind)]


def _notes(schema):
    notes = []
    if schema.get("description"):
        notes.append(schema["description"])
    for key, words, unit in CONSTRAINTS:
        if key in schema:
            value = schema[key]
            unit = f" {unit}{'' if value == 1 else 's'}" if unit else ""
            notes.append(f"{words} {value}{unit}")
    if "default" in schema and schema["default"] not in ("", None, [], {}):
        notes.append(f"default {json.dumps(schema['default'])}")
    return notes


def _content(body):
    content = (body or {}).get("content", {})
    for media, item in content.items():
        return media, describe(item.get("schema"))
    return None, None


def _auth(operation):
    return [AUTH.get(name, name) for option in operation.get("security", []) for name in option]


def operations(schema):
    """The operations grouped by tag, in the order the schema lists them: [(tag, [op])]."""
    groups = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            _media, body = _content(op.get("requestBody"))
            responses = []
            for status, response in op.get("responses", {}).items():
                _media, kind = _content(response)
                responses.append((status, response.get("description", ""), kind))
            parameters = [
                Field(
                    name=p["name"],
                    type=describe(p.get("schema", {})),
                    required=p.get("required", False),
                    where=p.get("in", ""),
                    notes=_notes({**p.get("schema", {}), **p}),
                )
                for p in op.get("parameters", [])
            ]
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=op.get("operationId", f"{method}-{path}"),
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    parameters=parameters,
                    body=body,
                    body_required=bool(op.get("requestBody", {}).get("required")),
                    responses=responses,
                    auth=_auth(op),
                )
            )
    return list(groups.items())


def schemas(schema):
    """Every component schema with its fields: [(name, description, [Field])]."""
    out = []
    for name, item in schema.get("components", {}).get("schemas", {}).items():
        required = set(item.get("required", []))
        fields = [
            Field(name=key, type=describe(value), required=key in required, notes=_notes(value))
            for key, value in item.get("properties", {}).items()
        ]
        out.append((name, item.get("description", ""), fields))
    return out


class Reference(DocsBase):
    """Ninja's docs hook: NinjaAPI(docs=Reference()) serves this page at its docs_url."""

    template = "seminar/api_reference.html"

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "info": schema.get("info", {}),
            "groups": operations(schema),
            "schemas": schemas(schema),
            "openapi_url": self.get_openapi_url(api, kwargs),
        }
        return render(request, self.template, context)
