"""JSON-LD exports: W3C Web Annotations, with the W3C's own motivations and purposes."""

import json

from annotations.export import jsonld
from annotations.export.snapshot import Options, Scope
from seminar.models import Membership, User

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# https://www.w3.org/TR/annotation-vocab/#named-individuals
W3C_MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
}


def export(scope):
    return json.loads(b"".join(jsonld.stream(scope)))


def annotations(document):
    pages = [n for n in document["@graph"] if n["type"] == "AnnotationPage"]
    return [item for page in pages for item in page["items"]]


def test_every_item_is_a_web_annotation_with_w3c_terms(discussion):
    document = export(Scope(discussion.seminar, Options(include_hidden=True)))
    assert document["@context"] == CONTEXT
    items = annotations(document)
    assert len(items) > 15
    for item in items:
        assert item["@context"] == CONTEXT
        assert item["id"] and item["type"] == "Annotation" and item["target"]
        assert item["motivation"] in W3C_MOTIVATIONS
        for body in item.get("body", []):
            assert body["type"] == "TextualBody"
            assert body["purpose"] in W3C_MOTIVATIONS
    assert len({item["id"] for item in items}) == len(items)
    motivations = {item["motivation"] for item in items}
    assert motivations >= {"commenting", "questioning", "linking", "replying"}
    assert motivations >= {"assessing", "moderating"}


def test_passages_replies_scores_and_moderation_point_where_they_should(discussion):
    d = discussion
    items = {
        i["id"]: i for i in annotations(export(Scope(d.seminar, Options(include_hidden=True))))
    }
    iri = "urn:seminar:annotation:{}".format
    critique = items[iri(d.critique.pk)]
    assert critique["body"][0] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "value": d.critique.text,
        "format": "text/markdown",
    }
    tags = [b["value"] for b in critique["body"] if b["purpose"] == "tagging"]
    assert tags == ["timing", "evidence"]
    number = d.reading.current_revision.number
    assert critique["target"]["source"] == f"urn:seminar:reading:{d.reading.pk}:revision:{number}"
    quote, position = critique["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == d.critique.quote_exact
    assert position == {
        "type": "TextPositionSelector",
        "start": d.critique.start,
        "end": d.critique.end,
    }
    assert critique["creator"] == {"type": "Person", "name": "Lena Ortiz"}
    assert critique["created"] == d.critique.created.isoformat()
    reply = items[iri(d.nested.pk)]
    assert reply["motivation"] == "replying" and reply["target"] == iri(d.first.pk)
    assert items[iri(d.first.pk)]["target"] == iri(d.critique.pk)
    score = items[iri(d.critique.pk) + "/score"]
    assert score["motivation"] == "assessing" and score["target"] == iri(d.critique.pk)
    assert [b["value"] for b in score["body"]] == ["3/4", "Sharp; cite more."]
    hide = next(i for i in items.values() if i["motivation"] == "moderating")
    assert hide["target"] == iri(d.rude.pk)
    assert [b["value"] for b in hide["body"]] == ["hide", "published → hidden", "Be civil."]
    comment = next(i for i in items.values() if i.get("creator", {}).get("name") == "Reader 1")
    assert comment["target"].startswith("urn:seminar:reading:")  # the revision as a whole
    assert items[iri(d.rude.pk)]["schema:creativeWorkStatus"] == "hidden"


def test_pages_link_up_into_one_collection(discussion, monkeypatch):
    monkeypatch.setattr(jsonld, "PAGE_SIZE", 4)
    document = export(Scope(discussion.seminar, Options(base_url="https://seminar.example")))
    *pages, collection = document["@graph"]
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == sum(len(p["items"]) for p in pages)
    assert collection["first"] == pages[0]["id"] and collection["last"] == pages[-1]["id"]
    for page, following in zip(pages, pages[1:], strict=False):
        assert page["next"] == following["id"] and page["partOf"] == collection["id"]
        assert len(page["items"]) == 4
    assert "next" not in pages[-1]
    assert pages[0]["items"][0]["id"].startswith("https://seminar.example/api/annotations/")


def test_a_default_export_leaves_hidden_posts_and_their_moderation_out(discussion):
    d = discussion
    items = annotations(export(Scope(d.seminar)))
    rude = f"urn:seminar:annotation:{d.rude.pk}"
    assert rude not in {i["id"] for i in items}
    assert all(i["target"] != rude for i in items)  # nor its moderation, nor the reply under it
    tombstone = next(i for i in items if i["id"] == f"urn:seminar:annotation:{d.doomed.pk}")
    assert "creator" not in tombstone and tombstone["schema:creativeWorkStatus"] == "deleted"
    assert [b["purpose"] for b in tombstone["body"]] == ["classifying"]  # no words, no tags


def test_moderators_are_named_as_the_log_recorded_them(discussion, ta):
    d = discussion
    User.objects.filter(pk=ta.pk).update(display_name="Jonas Weber-Lind")  # renamed since
    items = annotations(export(Scope(d.seminar, Options(include_hidden=True))))
    hide = next(i for i in items if i["motivation"] == "moderating")
    assert hide["creator"] == {"type": "Person", "name": "Jonas Weber", "nickname": "weber"}


def test_a_former_staff_member_is_masked_like_anyone_else(discussion, ta):
    """Pseudonyms hide whoever is not on the staff now: a TA who left is no exception, even
    where the moderation log keeps their name."""
    d = discussion
    Membership.objects.filter(seminar=d.seminar, user=ta).delete()
    body = b"".join(jsonld.stream(Scope(d.seminar, Options(include_hidden=True, pseudonyms=True))))
    hide = next(i for i in annotations(json.loads(body)) if i["motivation"] == "moderating")
    assert set(hide["creator"]) == {"type", "name"} and hide["creator"]["name"]
    assert b"Jonas Weber" not in body and b"weber" not in body
