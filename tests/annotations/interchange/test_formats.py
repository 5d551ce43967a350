"""Reading annotation files: the shapes accepted, and a wrong shape named by its first bad
item (formats.parse; no database)."""

import json

import pytest

from annotations.interchange import formats
from annotations.interchange.formats import Bad, parse
from tests.annotations.interchange.files import hypothesis_row, w3c_item

QUOTE = {"exact": "the sweet spot", "prefix": "found ", "suffix": " of", "start": 5, "end": 19}


def note(iri="urn:x:1", **kwargs):
    return w3c_item(iri, text="A note", quote=QUOTE, **kwargs)


@pytest.mark.parametrize(
    "document",
    [
        [hypothesis_row("a", text="A note", quote=QUOTE)],
        {"total": 1, "rows": [hypothesis_row("a", text="A note", quote=QUOTE)]},
        note(),
        [note()],
        {"type": "AnnotationPage", "items": [note()]},
        {"type": "AnnotationCollection", "first": {"type": "AnnotationPage", "items": [note()]}},
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "@graph": [
                {"type": "AnnotationPage", "items": [note()]},
                {"type": "AnnotationCollection", "total": 1},
            ],
        },
    ],
)
def test_every_shape_gives_the_same_passage(document):
    (item,) = parse(json.dumps(document))
    assert item.quote == QUOTE
    assert (item.text, item.kind, item.reply, item.skip) == ("A note", "note", False, "")


def test_pages_linked_by_next_are_all_read():
    second = {"type": "AnnotationPage", "items": [note("urn:x:2")]}
    first = {"type": "AnnotationPage", "items": [note("urn:x:1")], "next": second}
    items = parse({"type": "AnnotationCollection", "first": first})
    assert [i.key for i in items] == ["urn:x:1", "urn:x:2"]


def test_hypothesis_fields_are_kept():
    row = hypothesis_row("a", text=" Why? ", quote=QUOTE, tags=["t"], user="lena")
    row["user_info"] = {"display_name": "Lena O."}
    (item,) = parse([row])
    assert (item.text, item.tags, item.author) == ("Why?", ["t"], "Lena O.")
    assert item.created.isoformat() == "2024-03-05T10:11:12.345678+00:00"


def test_seminar_kinds_tags_and_audience_are_read_from_the_bodies():
    item = note()
    item["body"] = [
        {"type": "TextualBody", "purpose": "commenting", "value": "Evidence here"},
        {"type": "TextualBody", "purpose": "classifying", "value": "evidence"},
        {"type": "TextualBody", "purpose": "tagging", "value": "sources"},
    ]
    item["audience"] = {"type": "schema:Audience", "schema:audienceType": "instructors"}
    (parsed,) = parse([item])
    assert (parsed.kind, parsed.text, parsed.tags, parsed.audience) == (
        "evidence",
        "Evidence here",
        ["sources"],
        "instructors",
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"motivation": "assessing"}, "scores"),
        ({"motivation": "moderating"}, "moderation records"),
        ({"schema:creativeWorkStatus": "hidden"}, "deleted, hidden or waiting posts"),
        ({"body": []}, "highlights without a note"),
    ],
)
def test_what_is_not_imported_says_why(change, reason):
    (item,) = parse([note() | change])
    assert item.skip == reason


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([note(), note("urn:x:2"), "a string"], "Item 3: not an annotation (an object) but str."),
        (
            [note("urn:x:1"), note("urn:x:2"), {"type": "Annotation", "body": []}],
            "Item 3: no target selector and no text.",
        ),
        (
            [note(f"urn:x:{i}") for i in range(6)]
            + [hypothesis_row("b", text="t", quote=QUOTE | {"exact": ["x"]})],
            "Item 7: “exact” must be a string.",
        ),
        ([hypothesis_row("a", text="t", quote=QUOTE | {"exact": " "})], "Item 1: its Text"),
        ([hypothesis_row("a", text="t", quote=QUOTE | {"start": "5"})], "Item 1: the Text"),
        ([hypothesis_row("a", text=7)], "Item 1: “text” must be a string."),
        ([hypothesis_row("a", text="t") | {"tags": "x"}], "Item 1: “tags” must be a list"),
        ([hypothesis_row("a", text="t") | {"created": "yesterday"}], "Item 1: “created” is not"),
        ([hypothesis_row("a", text="")], "Item 1: no target selector and no text."),
        ([hypothesis_row("a", text="", references=["b"])], "Item 1: a reply with no text."),
        ([note("urn:x:1"), note("urn:x:1")], "Item 2: the id “urn:x:1” appears twice."),
        ([{"hello": "world"}], "Item 1: not an annotation"),
        ([], "The file holds no annotations."),
        ({"what": "ever"}, "The file is not a list of annotations"),
    ],
)
def test_a_wrong_shape_names_the_first_bad_item(items, message):
    with pytest.raises(Bad) as caught:
        parse(json.dumps(items))
    assert str(caught.value).startswith(message)


def test_limits(monkeypatch):
    with pytest.raises(Bad, match="is not JSON"):
        parse(b"{not json")
    with pytest.raises(Bad, match="larger than 5 MB"):
        parse(b" " * (formats.MAX_BYTES + 1))
    monkeypatch.setattr(formats, "MAX_ITEMS", 3)
    with pytest.raises(Bad, match="holds 4 annotations; import at most 3"):
        parse([note(f"urn:x:{i}") for i in range(4)])
