"""Reading archives back: data.json streams a record at a time, or is read whole."""

import io
import json

import pytest

from annotations.export import reader
from annotations.export.restore import RestoreError, seminar_restore
from annotations.models import Annotation
from seminar.models import Seminar

from .conftest import build_zip, read_zip
from .test_restore import reseal


def sections(text):
    return [
        (name, list(value) if name in reader.LISTS else value)
        for name, value in reader.sections(io.StringIO(text))
    ]


def test_data_json_streams_in_file_order(discussion):
    text = read_zip(build_zip(discussion.seminar))["data.json"].decode()
    streamed = sections(text)
    names = [name for name, _ in streamed]
    assert names == ["header", *reader.VALUES, *reader.LISTS]
    assert dict(streamed)["annotations"] == json.loads(text)["annotations"]


def test_a_data_json_laid_out_otherwise_is_read_whole(discussion):
    files = read_zip(build_zip(discussion.seminar))
    data = json.loads(files["data.json"])
    assert sections(json.dumps(data, indent=2)) == sections(files["data.json"].decode())
    manifest = json.loads(files["manifest.json"])
    archive = reseal(files, manifest, json.dumps(data, indent=2).encode())
    copy = seminar_restore(file=io.BytesIO(archive))
    assert Annotation.objects.filter(reading__seminar=copy).count() == len(data["annotations"])


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda t: t[: t.index('"votes": [')], "ends early"),
        (lambda t: t.replace('"kind": "reply"', '"kind": "rant"', 1), "unknown kind “rant”"),
        (lambda t: t.replace('"releases": [', '"releases": {', 1), "not laid out"),
        (lambda t: t.replace('"kind": "reply",', '"kind": "reply,', 1), "not valid JSON \\(line"),
    ],
)
def test_a_bad_record_late_in_the_file_saves_nothing(discussion, cut, message):
    files = read_zip(build_zip(discussion.seminar))
    manifest = json.loads(files["manifest.json"])
    archive = reseal(files, manifest, cut(files["data.json"].decode()).encode())
    seminars, annotations = Seminar.objects.count(), Annotation.objects.count()
    with pytest.raises(RestoreError, match=message):
        seminar_restore(file=io.BytesIO(archive))
    assert (Seminar.objects.count(), Annotation.objects.count()) == (seminars, annotations)
