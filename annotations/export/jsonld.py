"""Annotations as W3C Web Annotations (JSON-LD), for other annotation tools and for the record.

The document is one JSON-LD object whose `@graph` holds `AnnotationPage`s of PAGE_SIZE
items, linked by `next`, then the `AnnotationCollection` (written last, once its `total` and
`last` page are known; the order of a graph does not matter). Each annotation carries its own
`@context`, so it can be taken out of the file alone.

How Seminar maps onto the W3C vocabulary (docs/exports.md):

* motivation: critique, evidence, note and page comment -> `commenting`; question ->
  `questioning`; connection -> `linking`; reply -> `replying`, targeting its parent;
* the text is a `TextualBody` in `text/markdown`; each tag a `TextualBody` with purpose
  `tagging`; a passage annotation's kind a body with purpose `classifying`;
* the target is the reading revision the selectors point into, with a `TextQuoteSelector`
  and a `TextPositionSelector` (code points); a page comment targets the revision it was
  written on, as a whole;
* visibility is the W3C `audience`; a status other than published is `schema:creativeWorkStatus`;
* a rubric score is an annotation with motivation `assessing` on the scored annotation; a
  moderation event one with motivation `moderating` on the moderated annotation.
"""

import json
from functools import partial

from django.db import connection

from annotations.export import jsonldsql
from annotations.export.snapshot import LIST_FIELDS
from annotations.grading.gradebook import policy_for
from annotations.models import PASSAGE_KINDS, Kind, Status

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PAGE_SIZE = 100

MOTIVATIONS = {
    Kind.CRITIQUE: "commenting",
    Kind.QUESTION: "questioning",
    Kind.EVIDENCE: "commenting",
    Kind.CONNECTION: "linking",
    Kind.NOTE: "commenting",
    Kind.COMMENT: "commenting",
    Kind.REPLY: "replying",
}


class Iris:
    """Identifiers: URLs under the site's address when it is known, else URNs."""

    def __init__(self, scope):
        self.base = scope.options.base_url
        self.seminar = scope.seminar
        # Reversing a URL costs microseconds; 100,000 annotations would feel it.
        self.urls = {r.pk: r.get_absolute_url() for r in scope.readings}
        self.scope = scope

    def annotation(self, pk):
        if self.base:
            return f"{self.base}/api/annotations/{pk}"
        return f"urn:seminar:annotation:{pk}"

    def revision(self, reading_id, number):
        if self.base:
            return f"{self.base}{self.urls[reading_id]}revisions/{number}"
        return f"urn:seminar:reading:{reading_id}:revision:{number}"

    def collection(self):
        """The address the document is downloaded from (see config/urls.py)."""
        reading, slug = self.scope.reading, self.seminar.slug
        if reading is not None:
            path = f"{reading.get_absolute_url()}export.jsonld"
        elif self.scope.owner is not None:
            path = f"/s/{slug}/export/mine/annotations.jsonld"
        else:
            path = f"/s/{slug}/export/annotations.jsonld"
        if self.base:
            return self.base + path
        return "urn:seminar:export:" + path.strip("/").replace("/", ":")


def _time(value):
    return value.isoformat() if value else None


def _text(value, purpose, fmt="text/plain"):
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": fmt}


def _person(name, nickname=""):
    if not name:
        return None
    person = {"type": "Person", "name": name}
    if nickname:
        person["nickname"] = nickname
    return person


def annotation(a, iris, people):
    motivation = MOTIVATIONS.get(a["kind"], "commenting")
    item = {
        "@context": CONTEXT,
        "id": iris.annotation(a["id"]),
        "type": "Annotation",
        "motivation": motivation,
        "created": a["created"],
        "modified": a["updated"],
    }
    creator = _person(people.credit(a))
    if creator:
        item["creator"] = creator
    body = []
    if a["text"]:
        body.append(_text(a["text"], motivation, "text/markdown"))
    if a["kind"] in PASSAGE_KINDS:
        body.append(_text(a["kind"], "classifying"))
    body.extend(_text(tag, "tagging") for tag in a["tags"])
    if body:
        item["body"] = body
    if a["parent_id"] is not None:
        item["target"] = iris.annotation(a["parent_id"])
    elif a["start"] is not None:
        item["target"] = {
            "source": iris.revision(a["reading_id"], a["anchored_revision__number"]),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": a["quote_exact"],
                    "prefix": a["quote_prefix"],
                    "suffix": a["quote_suffix"],
                },
                {"type": "TextPositionSelector", "start": a["start"], "end": a["end"]},
            ],
        }
    else:
        item["target"] = iris.revision(a["reading_id"], a["revision__number"])
    item["audience"] = {"type": "schema:Audience", "schema:audienceType": a["visibility"]}
    if a["status"] != Status.PUBLISHED:
        item["schema:creativeWorkStatus"] = a["status"]
    return item


def assessment(s, iris, people, score_max):
    target = iris.annotation(s["annotation_id"])
    grader = people.name(s["grader_id"], s["grader__display_name"], s["grader__username"])
    item = {
        "@context": CONTEXT,
        "id": f"{target}/score",
        "type": "Annotation",
        "motivation": "assessing",
        "modified": _time(s["updated"]),
    }
    if grader:
        item["creator"] = _person(grader)
    body = [_text(f"{s['value']}/{score_max}", "assessing")]
    if s["comment"]:
        body.append(_text(s["comment"], "commenting"))
    item["body"] = body
    item["target"] = target
    return item


def moderation(e, iris, people):
    target = iris.annotation(e["annotation_id"])
    # Named as the log recorded them, and by the username they acted under (the audit's).
    moderator = people.recorded(
        e["moderator_id"],
        e["moderator_name"],
        e["moderator__display_name"],
        e["moderator__username"],
    )
    masked = people.masked(e["moderator_id"])
    username = "" if masked else e["moderator_username"] or e["moderator__username"] or ""
    item = {
        "@context": CONTEXT,
        "id": f"{target}/moderation/{e['id']}",
        "type": "Annotation",
        "motivation": "moderating",
        "created": _time(e["created"]),
    }
    if moderator:
        item["creator"] = _person(moderator, username)
    body = [
        _text(e["action"], "moderating"),
        _text(f"{e['from_status']} → {e['to_status']}", "describing"),
    ]
    if e["reason"]:
        body.append(_text(e["reason"], "commenting"))
    item["body"] = body
    item["target"] = target
    return item


def items(scope, annotations=None):
    """Every item of the collection: annotations and replies (`annotations`, rows the caller
    read, or else read here), then scores, then moderation."""
    iris, people = Iris(scope), scope.people
    if annotations is None:
        annotations = scope.annotation_rows(order="thread", fields=LIST_FIELDS)
    for a in annotations:
        yield annotation(a, iris, people)
    yield from tail(scope, iris)


def tail(scope, iris):
    """What follows the annotations: their scores, then their moderation."""
    people = scope.people
    score_max = policy_for(scope.seminar).score_max
    for s in scope.score_rows():
        yield assessment(s, iris, people, score_max)
    yield from moderations(scope, iris)


def moderations(scope, iris):
    people = scope.people
    for e in scope.moderation_rows():
        yield moderation(e, iris, people)


# One encoder for the whole export: json.dumps would make one per item.
_dump = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class Pages:
    """The document, an item at a time: `start`, `add` (a page's bytes when one is full),
    `finish`."""

    def __init__(self, scope):
        self.scope = scope
        self.iris = Iris(scope)
        self.collection_id = self.iris.collection()
        self.page, self.number, self.total = [], 0, 0

    def start(self):
        return f'{{"@context": "{CONTEXT}",\n"@graph": [\n'.encode()

    def _page_chunk(self, last):
        number, collection_id = self.number, self.collection_id
        node = {
            "id": f"{collection_id}#page-{number}",
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": (number - 1) * PAGE_SIZE,
        }
        if not last:
            node["next"] = f"{collection_id}#page-{number + 1}"
        if number > 1:
            node["prev"] = f"{collection_id}#page-{number - 1}"
        head = _dump(node)[:-1]
        return (f'{head}, "items": [\n' + ",\n".join(self.page) + "\n]},\n").encode()

    def add(self, item):
        return self.add_encoded(_dump(item))

    def extend_encoded(self, texts):
        """`add_encoded` of each text: the bytes of the pages they fill."""
        at = 0
        while at < len(texts):
            if len(self.page) == PAGE_SIZE:
                self.number += 1
                yield self._page_chunk(last=False)
                self.page = []
            room = PAGE_SIZE - len(self.page)
            self.page.extend(texts[at : at + room])
            self.total += min(room, len(texts) - at)
            at += room

    def add_encoded(self, text):
        """`add` of an item already encoded (as `_dump` encodes it)."""
        chunk = None
        if len(self.page) == PAGE_SIZE:
            self.number += 1
            chunk = self._page_chunk(last=False)
            self.page = []
        self.page.append(text)
        self.total += 1
        return chunk

    def finish(self, label=None):
        chunk = b""
        if self.page:
            self.number += 1
            chunk = self._page_chunk(last=True)
        collection_id = self.collection_id
        collection = {
            "id": collection_id,
            "type": "AnnotationCollection",
            "label": label or _label(self.scope),
            "total": self.total,
        }
        if self.number:
            collection["first"] = f"{collection_id}#page-1"
            collection["last"] = f"{collection_id}#page-{self.number}"
        return chunk + (_dump(collection) + "\n]}\n").encode()


def stream(scope, *, label=None):
    """The document as UTF-8 chunks: a page of items at a time. On PostgreSQL the database
    encodes the annotations (`jsonldsql`), the same bytes as `annotation` and `_dump`."""
    if connection.vendor != "postgresql":
        yield from python_stream(scope, label=label)
        return
    pages = Pages(scope)
    yield pages.start()
    encoded = jsonldsql.items(
        scope,
        pages.iris,
        context=CONTEXT,
        motivations=MOTIVATIONS,
        redo=partial(_one_item, scope, pages.iris),
    )
    for texts in encoded:
        yield from pages.extend_encoded(texts)
    score_max = policy_for(scope.seminar).score_max
    for texts in jsonldsql.assessments(scope, pages.iris, context=CONTEXT, score_max=score_max):
        yield from pages.extend_encoded(texts)
    for item in moderations(scope, pages.iris):
        chunk = pages.add(item)
        if chunk:
            yield chunk
    yield pages.finish(label)


def _one_item(scope, iris, pk):
    """One annotation's item, encoded, or None if it is no longer exported."""
    for row in scope.annotation_rows(order="thread", fields=LIST_FIELDS, ids=[pk]):
        return _dump(annotation(row, iris, scope.people))
    return None


def python_stream(scope, *, label=None):
    pages = Pages(scope)
    yield pages.start()
    for item in items(scope):
        chunk = pages.add(item)
        if chunk:
            yield chunk
    yield pages.finish(label)


def _label(scope):
    what = scope.reading.title if scope.reading is not None else scope.seminar.title
    if scope.owner is not None:
        return f"{what}: posts by {scope.owner.name}"
    return f"{what}: annotations"
