"""The importer over every real reading of the corpus (`SEMINAR_CORPUS`), file by file.

Each file imports through the upload path, keeps the anchoring contract, keeps every line of
its body, renders its stored source to the same text again, and its page serves.
"""

import re

import pytest

from seminar.textformats import decode_upload, parse_document, render_body
from tests.conftest import import_reading
from tests.seminar.textcontract import check_contract
from tests.texts import corpus_params


@pytest.mark.parametrize("path", corpus_params())
def test_a_real_reading_imports_whole(client, seminar, instructor, path):
    text = decode_upload(path.read_bytes(), filename=path.name)
    parsed = parse_document(text, format="text", filename=path.name)
    check_contract(parsed.rendered)
    assert render_body(parsed.source, format="text") == parsed.rendered
    assert parsed.title
    for line in parsed.source.split("\n"):
        words = re.sub(r"^\s*[0-9]+\.\s", "", line).split()
        assert " ".join(words) in parsed.rendered.text, line

    reading = import_reading(seminar, path.name, creator=instructor, path=path)
    assert reading.current_revision.text == parsed.rendered.text
    assert reading.annotations.count() == len(parsed.comments)
    client.force_login(instructor)
    assert client.get(reading.get_absolute_url()).status_code == 200
