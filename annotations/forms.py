"""Forms for readings (with their import) and page comments."""

from django import forms

from annotations.rendering import MAX_TEXT_CHARS
from seminar.documents import limits, uploads
from seminar.models import Discussion, PeerVisibility, ReadingStatus, TextFormat
from seminar.services import peer_visibility_problem


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class ReadingMetaForm(forms.Form):
    title = forms.CharField(
        max_length=300, required=False, help_text="Leave blank to take it from the text."
    )
    byline = forms.CharField(max_length=300, required=False, help_text="Author or source.")
    date = forms.DateField(
        required=False, widget=DateInput, help_text="The post's date line. Blank: from the text."
    )
    due = forms.DateTimeField(
        required=False, widget=DateTimeInput, label="Discussion due", help_text="Optional."
    )
    status = forms.ChoiceField(choices=ReadingStatus.choices, initial=ReadingStatus.DRAFT)
    # Not required: a form posted without it (a script, an older page) keeps the setting.
    peer_visibility = forms.TypedChoiceField(
        choices=PeerVisibility.choices,
        required=False,
        empty_value=None,
        initial=PeerVisibility.ALWAYS,
        widget=forms.RadioSelect,
        label="Students see classmates' posts",
        help_text="Think first: held back, a student sees their own posts and the staff's "
        "until then. Instructors and TAs always see every post.",
    )

    discussion = forms.TypedChoiceField(
        choices=Discussion.choices,
        required=False,
        empty_value=None,
        initial=Discussion.CLASS,
        widget=forms.RadioSelect,
        label="Discussion among",
        help_text="In groups, a student sees and hears of their own group's posts only; "
        "instructors and TAs see every group.",
    )

    def clean(self):
        data = super().clean()
        value = data.get("peer_visibility")
        if value and (problem := peer_visibility_problem(value, data.get("due"))):
            self.add_error(
                "due" if value == PeerVisibility.AFTER_DUE else "peer_visibility", problem
            )
        return data


class ReadingCreateForm(ReadingMetaForm):
    """Paste the text or upload a file (one of the two); a preview comes before saving."""

    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        label="Paste the text",
        help_text="A date line and a title at the top, a “Works Cited” section and numbered "
        "reader comments at the end are recognised.",
    )
    format = forms.ChoiceField(
        choices=TextFormat.choices, initial=TextFormat.TEXT, label="Pasted text is"
    )
    file = forms.FileField(
        required=False,
        label="…or upload a file",
        help_text=f"PDF (with a text layer, up to {limits.MAX_PDF_PAGES} pages), Word (.docx) or "
        f"EPUB up to {limits.size_in_mb(limits.MAX_DOCUMENT_BYTES)}; .txt, .md or .html in any "
        f"common encoding up to {limits.size_in_mb(limits.MAX_TEXT_BYTES)}. You see a preview "
        "before it is saved.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(uploads.ACCEPTED)}),
    )

    def clean(self):
        data = super().clean()
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if not data.get("file") and not (data.get("text") or "").strip():
            self.add_error("text", "Paste the text of the reading, or upload a file.")
        upload = data.get("file")
        if upload:
            document = upload.name.lower().endswith(uploads.DOCUMENTS)
            limit = limits.MAX_DOCUMENT_BYTES if document else limits.MAX_TEXT_BYTES
            if upload.size > limit:
                self.add_error("file", f"The file is larger than {limits.size_in_mb(limit)}.")
        return data

    def details(self) -> dict:
        """The reading's details as `reading_import` takes them (kept through the preview)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "byline": data["byline"],
            "date": data["date"],
            "due": data["due"],
            "status": data["status"],
            "peer_visibility": data["peer_visibility"] or PeerVisibility.ALWAYS,
            "discussion": data["discussion"] or Discussion.CLASS,
        }


class ReadingEditForm(ReadingMetaForm):
    title = forms.CharField(max_length=300)
    source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        label="Text",
        help_text="Saving a changed text makes a new revision; earlier ones are kept.",
    )
    format = forms.ChoiceField(choices=TextFormat.choices)
    note = forms.CharField(
        max_length=300, required=False, label="What changed", help_text="Optional, for the history."
    )


class CommentForm(forms.Form):
    max_chars = MAX_TEXT_CHARS  # the composers' counters read it (annotations/_composer.html)

    # No max_length: the browser would cut a longer paste silently. The service refuses it,
    # saying how long it is, and the page keeps every character (annotations.services).
    text = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Join the discussion…"}),
        help_text="Markdown works: *emphasis*, **bold**, > quotes, lists and links.",
    )


class PolicyForm(forms.Form):
    score_max = forms.IntegerField(
        min_value=1,
        max_value=10,
        label="Rubric scale: 0 to",
        initial=3,
        help_text="A scale below scores already given is refused: rescore those posts first.",
    )
    descriptors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What each score means",
        help_text="One line per score, from 0 up. Graders see them beside the buttons.",
    )
    best_n = forms.IntegerField(
        min_value=1,
        max_value=50,
        label="Best posts that count per reading",
        initial=3,
        help_text="Missing posts count 0.",
    )
    late_penalty = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Late penalty (%)",
        initial=25,
        help_text="Taken off the score of a post written after the due date.",
    )
    grace_minutes = forms.IntegerField(
        min_value=0, max_value=10080, label="Grace period (minutes)", initial=0
    )
    count_hidden = forms.BooleanField(
        required=False,
        label="Count posts hidden by a moderator",
        help_text="Graders see hidden posts, marked, and may score them either way. Left "
        "unticked, they add nothing to the grade and show as “hidden, not counted”.",
    )


class GradeForm(forms.Form):
    final = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        label="Final grade",
        help_text="Leave blank to use the suggested grade.",
    )
    feedback = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Feedback to the student"
    )
