"""The "New term from this seminar" form: a title and term, which posts go, how readings and
due dates start, and an optional new edition file for each reading."""

from django import forms

from annotations.carryover.services import MAX_SHIFT_DAYS, PostChoice
from annotations.forms import ReadingCreateForm
from seminar.documents import limits

# A first guard before the file is read; the readers hold each kind to its own limit.
TOO_LARGE = f"The file is larger than {limits.size_in_mb(limits.MAX_DOCUMENT_BYTES)}."

STATUS_DRAFTS = "drafts"
STATUS_KEEP = "keep"


def edition_field_name(reading) -> str:
    return f"edition_{reading.pk}"


class NewTermForm(forms.Form):
    title = forms.CharField(max_length=200)
    term = forms.CharField(max_length=100, required=False, help_text="For example: Spring 2027")
    posts = forms.MultipleChoiceField(
        choices=PostChoice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Bring along",
        help_text="Posts by this seminar's instructors and TAs that are any of those ticked, "
        "with the staff's replies under them; never students' posts, nor private notes. An "
        "exemplar is a staff post tagged “exemplar”. Nothing ticked: no posts.",
    )
    status = forms.ChoiceField(
        choices=[
            (STATUS_DRAFTS, "As drafts, for you to publish when the term comes"),
            (STATUS_KEEP, "Published or draft, as they are now"),
        ],
        initial=STATUS_DRAFTS,
        widget=forms.RadioSelect,
        label="Readings",
    )
    shift_days = forms.IntegerField(
        required=False,
        min_value=-MAX_SHIFT_DAYS,
        max_value=MAX_SHIFT_DAYS,
        label="Move due dates by (days)",
        help_text="For example 364 for the same weekday next year. Blank: no due dates.",
    )

    def __init__(self, *args, readings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.readings = list(readings)
        accept = ReadingCreateForm.base_fields["file"].widget.attrs.get("accept", "")
        for reading in self.readings:
            self.fields[edition_field_name(reading)] = forms.FileField(
                required=False,
                label=f"New edition of “{reading.title}”",
                help_text="Optional: its text in the new term. Copied posts re-anchor onto it.",
                widget=forms.ClearableFileInput(attrs={"accept": accept} if accept else {}),
            )

    def edition_fields(self):
        """[(reading, bound field)] in the readings' order, for the template."""
        return [(r, self[edition_field_name(r)]) for r in self.readings]

    def clean(self):
        data = super().clean()
        for reading in self.readings:
            upload = data.get(edition_field_name(reading))
            if upload and upload.size > limits.MAX_DOCUMENT_BYTES:
                self.add_error(
                    edition_field_name(reading),
                    TOO_LARGE,
                )
        return data
