"""The import page's form: an annotation file and who sees the posts made from it."""

from django import forms

from annotations.interchange.formats import MAX_BYTES, MAX_ITEMS


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Annotation file",
        help_text=(
            "A Hypothesis export (JSON) or W3C Web Annotation JSON-LD, such as another "
            f"reading's Seminar export. At most {MAX_BYTES // 1024 // 1024} MB and "
            f"{MAX_ITEMS:,} annotations."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonld,application/json"}),
    )
    visibility = forms.ChoiceField(
        label="Who sees the imported posts",
        choices=[
            ("seminar", "The whole seminar"),
            ("instructors", "Instructors and TAs only"),
        ],
        initial="seminar",
        widget=forms.RadioSelect,
    )
