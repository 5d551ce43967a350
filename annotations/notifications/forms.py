"""The Email settings form: one choice per topic the person may hear of."""

from django import forms

from annotations.notifications.models import Cadence
from annotations.notifications.preferences import Topic


class EmailSettingsForm(forms.Form):
    def __init__(self, *args, topics: dict[str, Topic], chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for key, topic in topics.items():
            self.fields[key] = forms.ChoiceField(
                label=topic.label,
                choices=Cadence.choices,
                initial=chosen[key],
                widget=forms.RadioSelect,
            )
