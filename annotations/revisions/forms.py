"""The reading editor's upload of a new edition: a file whose text replaces the one in the
edit box, previewed and confirmed as an edit is (annotations/revisions/views.py)."""

from django import forms

from annotations.forms import ReadingCreateForm
from seminar.documents import limits

# A first guard before the file is read; the readers hold each kind to its own limit.
TOO_LARGE = f"The file is larger than {limits.size_in_mb(limits.MAX_DOCUMENT_BYTES)}."

# The same files as a new reading takes, whatever the importer learns to read.
_ACCEPT = ReadingCreateForm.base_fields["file"].widget.attrs.get("accept", "")


class NewEditionForm(forms.Form):
    edition = forms.FileField(
        required=False,
        label="Or upload a new edition",
        help_text="Its text takes the place of the one above (the details stay yours). You "
        "see what it does to the annotations before anything is saved.",
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT} if _ACCEPT else {}),
    )

    def clean_edition(self):
        upload = self.cleaned_data.get("edition")
        if upload and upload.size > limits.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload
