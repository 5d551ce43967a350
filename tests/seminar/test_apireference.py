"""How the API reference words a schema's types (seminar/apireference.py)."""

from seminar.apireference import Token, describe


def words(schema):
    return "".join(t.text for t in describe(schema))


def test_types_read_as_words_and_references_link():
    assert words({"type": "integer"}) == "integer"
    assert words({"anyOf": [{"type": "null"}, {"type": "string"}]}) == "string or null"
    assert describe({"$ref": "#/components/schemas/AnnotationOut"}) == [
        Token("AnnotationOut", ref="AnnotationOut")
    ]
    assert words({"type": "array", "items": {"$ref": "#/components/schemas/X"}}) == "array of X"
    assert words({"type": "string", "enum": ["a", "b"]}) == "string: one of a, b"
    assert words({}) == "any"
