"""export_seminar and import_archive: the archive from a shell, and back."""

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation
from seminar.models import Seminar

from .conftest import data_json


def test_export_then_import_makes_a_copy(discussion, tmp_path, capsys):
    out = tmp_path / "seminar.zip"
    call_command("export_seminar", discussion.seminar.slug, "--out", str(out), "--include-hidden")
    assert "Wrote" in capsys.readouterr().out
    data = data_json(out.read_bytes())
    assert data["options"]["include_hidden"] is True
    assert any(a["status"] == "hidden" for a in data["annotations"])

    call_command("import_archive", str(out))
    assert "Restored “Intervention and Peacebuilding”" in capsys.readouterr().out
    copy = Seminar.objects.exclude(pk=discussion.seminar.pk).get(title=discussion.seminar.title)
    count = Annotation.objects.filter(reading__seminar=copy).count()
    assert count == len(data["annotations"])


def test_private_notes_and_pseudonyms_on_request(discussion, tmp_path):
    out = tmp_path / "backup.zip"
    call_command(
        "export_seminar", discussion.seminar.slug, "--out", str(out), "--include-private",
        "--pseudonyms", "--base-url", "https://seminar.example/",
    )  # fmt: skip
    data = data_json(out.read_bytes())
    assert any(a["visibility"] == "private" for a in data["annotations"])
    assert "lena" not in {u["username"] for u in data["users"]}


def test_errors_say_what_is_wrong(db, tmp_path, capsys):
    with pytest.raises(CommandError, match="No seminar has the slug"):
        call_command("export_seminar", "nope", "--out", str(tmp_path / "x.zip"))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a ZIP archive"):
        call_command("import_archive", str(bad))
    assert "Nothing was imported." in capsys.readouterr().err
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_archive", str(tmp_path / "missing.zip"))
