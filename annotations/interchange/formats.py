"""Reading annotation files from elsewhere into one neutral list of `Item`s.

Two shapes are read, told apart item by item:

* a Hypothesis export: a JSON list of annotations, or the `{"rows": [...]}` of its search
  API, each `{id, text, tags, user, user_info, created, references, target: [{source,
  selector: [TextQuoteSelector, TextPositionSelector, RangeSelector, ...]}]}`;
* W3C Web Annotation JSON-LD: one `Annotation`, a list of them, an `AnnotationPage` or an
  `AnnotationCollection` with `items` (or `first.items`, pages linked by `next`), and
  Seminar's own export (a `@graph` of pages and their collection, annotations/export/jsonld.py).

How they map onto Seminar's posts (docs/instructors.md, "Bring annotations along"):

* an annotation with a TextQuoteSelector is a post on that passage: Seminar's own keep their
  kind (the `classifying` body); a W3C `questioning` one is a question; the rest are notes;
* one without a selector is a page comment; a Hypothesis annotation with `references`, or a
  W3C one whose target is another annotation of the file (or `replying`), is a reply to its
  nearest ancestor in the file;
* what is not imported is counted, not refused: highlights without a note, Seminar's scores
  (`assessing`) and moderation records (`moderating`), posts that were deleted, hidden or
  waiting for approval (and the replies under them), replies whose thread is not in the file;
* the author is credited by name (`author_name`: the Hypothesis username or display name,
  the W3C creator's name); imported posts belong to no account.

A file of the wrong shape is refused whole, naming the first bad item ("Item 3: …"); nothing
is imported from it. Pure reading: no database here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from annotations.anchoring import MAX_QUOTE
from seminar.errors import ServiceError

MAX_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5000
KINDS = ("critique", "question", "evidence", "connection", "note")
NOT_IMPORTED = {"assessing": "scores", "moderating": "moderation records"}
HIDDEN_STATUSES = ("deleted", "hidden", "pending")


@dataclass
class Item:
    """One annotation of the file, in Seminar's terms."""

    number: int  # 1-based, as the error messages count
    key: str  # its id in the file, or ""
    text: str = ""
    tags: list[str] = field(default_factory=list)
    author: str = ""
    created: datetime | None = None
    kind: str = "note"
    quote: dict[str, Any] | None = None  # exact, prefix, suffix, start, end
    ancestors: list[str] = field(default_factory=list)  # nearest last
    reply: bool = False
    audience: str = ""  # Seminar's own: seminar, instructors or private
    skip: str = ""  # why it is not imported: a key of `Report.skipped`


class Bad(ServiceError):
    """The file's shape is wrong; the message names the first bad item."""


def too_large() -> str:
    most = MAX_BYTES // 1024 // 1024
    return f"The file is larger than {most} MB, the most an annotation file may be."


def load(data: bytes | str | Any) -> Any:
    """The file's JSON (bytes or text; an object already parsed passes through)."""
    if isinstance(data, bytes | str):
        size = len(data.encode() if isinstance(data, str) else data)
        if size > MAX_BYTES:
            raise Bad(too_large())
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise Bad(f"The file is not JSON: {exc}"[:300]) from exc
    return data


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("type", node.get("@type", ()))
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {str(v).removeprefix("oa:").removeprefix("as:") for v in values}


def _page_items(page: Any, where: str) -> list[Any]:
    if not isinstance(page, dict):
        return []
    found = page.get("items", page.get("as:items"))
    if found is None:
        return []
    if not isinstance(found, list):
        raise Bad(f"The {where}'s “items” must be a list of annotations.")
    return found


def flatten(document: Any) -> list[Any]:
    """The annotations of a file, in its order, whatever holds them."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise Bad("The file is not a list of annotations, a collection or an annotation.")
    if isinstance(document.get("rows"), list):  # Hypothesis's search API
        return document["rows"]
    if isinstance(document.get("@graph"), list):  # Seminar's own export, or any graph
        found = []
        for node in document["@graph"]:
            kinds = _types(node) if isinstance(node, dict) else set()
            if "Annotation" in kinds:
                found.append(node)
            elif "AnnotationPage" in kinds:
                found.extend(_page_items(node, "page"))
        return found
    kinds = _types(document)
    if "Annotation" in kinds:
        return [document]
    if "AnnotationCollection" in kinds or "AnnotationPage" in kinds:
        found = list(_page_items(document, "collection"))
        page, seen = document.get("first"), 0
        while isinstance(page, dict) and seen < MAX_ITEMS:  # embedded pages, linked by next
            found.extend(_page_items(page, "page"))
            page, seen = page.get("next"), seen + 1
        return found
    if isinstance(document.get("items"), list):
        return document["items"]
    raise Bad("The file is not a list of annotations, a collection or an annotation.")


def _string(value: Any, name: str, item: int, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Bad(f"Item {item}: “{name}” must be a string.")
    return value


def _when(value: Any, item: int) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Bad(f"Item {item}: “created” must be a date and time (ISO 8601).")
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Bad(f"Item {item}: “created” is not a date and time: “{value[:40]}”.") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _position(value: Any, name: str, item: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"Item {item}: the TextPositionSelector's “{name}” must be a whole number.")
    return value


def _selectors(target: Any, item: int) -> tuple[list[dict[str, Any]], bool]:
    """(selectors, whether the target is a passage at all) of a target or a list of them."""
    targets = target if isinstance(target, list) else [target]
    for one in targets:
        if not isinstance(one, dict) or one.get("selector") is None:
            continue
        selector = one["selector"]
        selectors = selector if isinstance(selector, list) else [selector]
        if not all(isinstance(s, dict) for s in selectors):
            raise Bad(f"Item {item}: each selector must be an object with a “type”.")
        return selectors, True
    return [], False


def _quote(selectors: list[dict[str, Any]], item: int) -> dict[str, Any] | None:
    """exact, prefix, suffix, start, end from a TextQuoteSelector and a TextPositionSelector,
    or None when there is no quote among them (a selector Seminar cannot read)."""
    quote: dict[str, Any] | None = None
    position: tuple[int | None, int | None] = (None, None)
    for selector in selectors:
        kind = str(selector.get("type", "")).removeprefix("oa:")
        if kind == "TextQuoteSelector" and quote is None:
            exact = _string(selector.get("exact"), "exact", item, required=True)
            if not exact.strip():
                raise Bad(f"Item {item}: its TextQuoteSelector's “exact” is empty.")
            if len(exact) > MAX_QUOTE:
                raise Bad(
                    f"Item {item}: the quote is {len(exact):,} characters; a passage can be "
                    f"at most {MAX_QUOTE:,}."
                )
            quote = {
                "exact": exact,
                "prefix": _string(selector.get("prefix"), "prefix", item),
                "suffix": _string(selector.get("suffix"), "suffix", item),
            }
        elif kind == "TextPositionSelector":
            position = (
                _position(selector.get("start"), "start", item),
                _position(selector.get("end"), "end", item),
            )
    if quote is not None:
        quote["start"], quote["end"] = position
    return quote


def _hypothesis(raw: dict[str, Any], n: int) -> Item:
    item = Item(number=n, key=str(raw.get("id") or ""))
    item.text = _string(raw.get("text"), "text", n).strip()
    item.tags = _tags(raw.get("tags"), n)
    info = raw.get("user_info") if isinstance(raw.get("user_info"), dict) else {}
    user = _string(raw.get("user"), "user", n).removeprefix("acct:").split("@")[0]
    item.author = (info.get("display_name") if isinstance(info, dict) else "") or user
    item.created = _when(raw.get("created"), n)
    references = raw.get("references") or []
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise Bad(f"Item {n}: “references” must be a list of annotation ids.")
    item.ancestors, item.reply = list(references), bool(references)
    selectors, passage = _selectors(raw.get("target"), n)
    if not item.reply and passage:
        item.quote = _quote(selectors, n)
    return _settle(item, passage)


def _tags(value: Any, n: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise Bad(f"Item {n}: “tags” must be a list of strings.")
    return list(value)


def _name(creator: Any) -> str:
    if isinstance(creator, list):
        creator = creator[0] if creator else None
    if isinstance(creator, str):
        return creator if not creator.startswith(("http:", "https:", "urn:", "acct:")) else ""
    if isinstance(creator, dict):
        for key in ("name", "nickname", "foaf:name"):
            if isinstance(creator.get(key), str) and creator[key].strip():
                return creator[key]
    return ""


def _bodies(raw: dict[str, Any], item: Item, motivation: str) -> None:
    body = raw.get("body", [])
    bodies = body if isinstance(body, list) else [body]
    texts = []
    if raw.get("bodyValue") is not None:
        texts.append(_string(raw["bodyValue"], "bodyValue", item.number))
    for one in bodies:
        if isinstance(one, str):  # an IRI: a link, which Seminar cannot follow
            continue
        if not isinstance(one, dict):
            raise Bad(f"Item {item.number}: each body must be an object or an IRI.")
        value = one.get("value", one.get("rdf:value"))
        if value is None:
            continue
        value = _string(value, "value", item.number)
        purpose = one.get("purpose", motivation)
        purpose = purpose[0] if isinstance(purpose, list) and purpose else purpose
        if purpose == "tagging":
            item.tags.append(value)
        elif purpose == "classifying" and value in KINDS:
            item.kind = value
        elif purpose not in ("classifying", "describing", "assessing", "moderating"):
            texts.append(value)
    item.text = "\n\n".join(t.strip() for t in texts if t.strip())


def _w3c(raw: dict[str, Any], n: int, keys: set[str]) -> Item:
    item = Item(number=n, key=str(raw.get("id", raw.get("@id")) or ""))
    motivation = raw.get("motivation", "")
    motivation = motivation[0] if isinstance(motivation, list) and motivation else motivation
    motivation = str(motivation).removeprefix("oa:")
    if motivation == "questioning":
        item.kind = "question"
    _bodies(raw, item, motivation)
    item.author = _name(raw.get("creator"))
    item.created = _when(raw.get("created"), n)
    audience = raw.get("audience")
    if isinstance(audience, dict):
        item.audience = str(audience.get("schema:audienceType", ""))
    if motivation in NOT_IMPORTED:
        item.skip = NOT_IMPORTED[motivation]
        return item
    if raw.get("schema:creativeWorkStatus") in HIDDEN_STATUSES:
        item.skip = "deleted, hidden or waiting posts"
        return item
    target = raw.get("target")
    parent = target if isinstance(target, str) else None
    if isinstance(target, dict) and set(target) <= {"id", "@id", "type"}:
        parent = target.get("id", target.get("@id"))
    if motivation == "replying" or (parent is not None and parent in keys):
        item.reply, item.ancestors = True, [str(parent)] if parent else []
        return _settle(item, False)
    selectors, passage = _selectors(target, n)
    if passage:
        item.quote = _quote(selectors, n)
    return _settle(item, passage)


def _settle(item: Item, passage: bool) -> Item:
    """What the item becomes, or the first thing wrong with it."""
    n = item.number
    if item.reply:
        if not item.text:
            raise Bad(f"Item {n}: a reply with no text.")
        item.kind = "reply"
    elif passage and item.quote is None:
        item.skip = "annotations on something other than text"
    elif item.quote is not None:
        if not item.text:
            item.skip = "highlights without a note"
    elif not item.text:
        raise Bad(f"Item {n}: no target selector and no text.")
    else:
        item.kind = "comment"
    return item


def parse(data: bytes | str | Any) -> list[Item]:
    """Every annotation of the file as an `Item`, or `Bad` naming the first bad one."""
    raws = flatten(load(data))
    if len(raws) > MAX_ITEMS:
        raise Bad(
            f"The file holds {len(raws):,} annotations; import at most {MAX_ITEMS:,} at once."
        )
    if not raws:
        raise Bad("The file holds no annotations.")
    keys = set()
    for n, raw in enumerate(raws, 1):
        if not isinstance(raw, dict):
            raise Bad(f"Item {n}: not an annotation (an object) but {type(raw).__name__}.")
        key = raw.get("id", raw.get("@id"))
        if isinstance(key, str) and key:
            if key in keys:
                raise Bad(f"Item {n}: the id “{key[:80]}” appears twice.")
            keys.add(key)
    items = []
    for n, raw in enumerate(raws, 1):
        if "Annotation" in _types(raw) or "@context" in raw:
            items.append(_w3c(raw, n, keys))
        elif "target" in raw or "text" in raw or "references" in raw:
            items.append(_hypothesis(raw, n))
        else:
            raise Bad(f"Item {n}: not an annotation: no “type”: “Annotation”, no target, no text.")
    return items
