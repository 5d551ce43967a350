"""The search's parameters, read from a query string the same way for the page and the API
(the service checks what depends on the seminar: the reading, the author)."""

from django import forms

from annotations.models import Kind
from annotations.search.services import KINDS, MAX_PAGE, MAX_QUERY_CHARS, POSTS, READINGS


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search this seminar",
        required=False,
        strip=False,
        max_length=MAX_QUERY_CHARS,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
        error_messages={
            "max_length": "The search is %(show_value)s characters long; the limit is "
            "%(limit_value)s. Shorten it."
        },
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[
            ("", "Everything"),
            (READINGS, "Readings’ text"),
            (POSTS, "Any post"),
            *((k, label) for k, label in Kind.choices),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": f"Choose one of: {', '.join(KINDS)}."},
    )
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    author = forms.CharField(label="Author", required=False, max_length=150)
    reading = forms.IntegerField(
        label="Reading",
        required=False,
        min_value=1,
        error_messages={"invalid": "Give a reading's id (a whole number)."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={"invalid": "Give a page number (a whole number)."},
    )

    def first_error(self) -> str:
        """The first problem, naming its parameter: "page: Give a page number…"."""
        for name, errors in self.errors.items():
            return f"{name}: {errors[0]}"
        return ""

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "query": data["q"] or "",
            "kind": data["kind"] or "",
            "tag": data["tag"] or "",
            "author": data["author"] or "",
            "reading": data["reading"],
            "page": data["page"] or 1,
        }
