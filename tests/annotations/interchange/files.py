"""Annotation files as other tools write them, made from a reading's own text.

`hypothesis_file` writes what Hypothesis exports (its search API's rows); `w3c_file` W3C Web
Annotation JSON-LD as another tool writes it (an AnnotationCollection with its first page
embedded). Each passage is given as (exact, prefix, suffix, start, end) and is one of:

* exact: the quote where its position says;
* shifted: the quote and its context, with a position that is off (the text moved);
* edited: the quote with a word changed (the other copy of the text had a typo);
* unplaceable: words that are not in this reading.
"""

from tests.texts import AID, CHAIN, PLEDGED, SWEET_SPOT

CONTEXT = 32


def selectors(text, exact, *, shift=0, quote=None):
    at = text.index(exact)
    return {
        "exact": quote or exact,
        "prefix": text[max(0, at - CONTEXT) : at],
        "suffix": text[at + len(exact) : at + len(exact) + CONTEXT],
        "start": at + shift,
        "end": at + len(exact) + shift,
    }


def passages(text):
    """The four kinds of passage, by name."""
    return {
        "exact": selectors(text, SWEET_SPOT),
        "shifted": selectors(text, PLEDGED, shift=57),
        # "aid" misspelled as "aide", as a copy of the text once had it.
        "edited": selectors(text, CHAIN, quote=CHAIN.replace("command", "commands")),
        "unplaceable": {
            "exact": "a sentence that this reading never contained at all",
            "prefix": "and then, as everyone knows, ",
            "suffix": " and so on",
            "start": 10,
            "end": 62,
        },
        "whitespace": selectors(text, AID, quote=AID.replace(" ", "\n", 1)),
    }


def _h_target(uri, quote):
    selector = [
        {
            "type": "RangeSelector",
            "startContainer": "/div[1]/p[2]",
            "startOffset": 0,
            "endContainer": "/div[1]/p[2]",
            "endOffset": 10,
        },
        {"type": "TextPositionSelector", "start": quote["start"], "end": quote["end"]},
        {
            "type": "TextQuoteSelector",
            "exact": quote["exact"],
            "prefix": quote["prefix"],
            "suffix": quote["suffix"],
        },
    ]
    return [{"source": uri, "selector": selector}]


def hypothesis_row(hid, *, text, quote=None, references=(), user="reader1", tags=()):
    uri = "https://example.org/lake-chad"
    return {
        "id": hid,
        "created": "2024-03-05T10:11:12.345678+00:00",
        "updated": "2024-03-05T10:11:12.345678+00:00",
        "user": f"acct:{user}@hypothes.is",
        "uri": uri,
        "text": text,
        "tags": list(tags),
        "group": "__world__",
        "permissions": {"read": ["group:__world__"]},
        "target": _h_target(uri, quote) if quote else [{"source": uri}],
        "document": {"title": ["Lake Chad"]},
        "links": {"html": f"https://hypothes.is/a/{hid}"},
        "user_info": {"display_name": None},
        "references": list(references),
        "flagged": False,
        "hidden": False,
    }


def hypothesis_file(text):
    p = passages(text)
    rows = [
        hypothesis_row("h1", text="Premature?", quote=p["exact"], tags=["timing"]),
        hypothesis_row("h2", text="Which force?", quote=p["shifted"], user="maria"),
        hypothesis_row("h3", text="Chain of command", quote=p["edited"]),
        hypothesis_row("h4", text="Where is this?", quote=p["unplaceable"]),
        hypothesis_row("h5", text="Aid from whom?", quote=p["whitespace"]),
        hypothesis_row("h6", text="", quote=p["exact"]),  # a highlight: not imported
        hypothesis_row("h7", text="A page note on the whole post."),
        hypothesis_row("h8", text="I agree.", references=["h1"], user="maria"),
        hypothesis_row("h9", text="So do I.", references=["h1", "h8"], user="sam"),
        hypothesis_row("h10", text="Orphan reply.", references=["gone"]),
    ]
    # The search API sorts by update, newest first: replies may come before their threads.
    rows.reverse()
    return {"total": len(rows), "rows": rows}


def w3c_item(iri, *, text, quote=None, reply_to=None, creator="Ana", motivation="commenting"):
    item = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": iri,
        "type": "Annotation",
        "motivation": motivation,
        "created": "2024-04-01T09:00:00Z",
        "creator": {"type": "Person", "name": creator},
        "body": [{"type": "TextualBody", "value": text, "format": "text/plain"}],
    }
    if reply_to:
        item["target"] = reply_to
        item["motivation"] = "replying"
    elif quote:
        item["target"] = {
            "source": "https://example.org/lake-chad",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": quote["exact"],
                    "prefix": quote["prefix"],
                    "suffix": quote["suffix"],
                },
                {"type": "TextPositionSelector", "start": quote["start"], "end": quote["end"]},
            ],
        }
    else:
        item["target"] = "https://example.org/lake-chad"
    return item


def w3c_file(text):
    p = passages(text)
    base = "https://tool.example/anno/"
    items = [
        w3c_item(base + "1", text="Premature?", quote=p["exact"]),
        w3c_item(base + "2", text="Which force?", quote=p["shifted"], motivation="questioning"),
        w3c_item(base + "3", text="Chain of command", quote=p["edited"]),
        w3c_item(base + "4", text="Where is this?", quote=p["unplaceable"]),
        w3c_item(base + "5", text="On the whole post."),
        w3c_item(base + "6", text="I agree.", reply_to=base + "1", creator="Bo"),
        w3c_item(base + "7", text="So do I.", reply_to=base + "6", creator="Cy"),
    ]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": base,
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"id": base + "?page=0", "type": "AnnotationPage", "items": items},
    }
