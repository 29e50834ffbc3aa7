"""Forms for the SDR and AE pages.

Forms only parse input; the rules (what is required, what a stage allows) live
in `leads.services`, whose ValidationError messages are shown on these forms
through `add_service_errors`. Fields the service requires are therefore not
`required` here, so the user always sees the service's own, specific message.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .models import Attempt, Disposition, Handoff, Qualification, QualityFlag

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_CHOICES = [(i, str(i)) for i in range(4)]


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form; errors for fields it lacks become non-field errors."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def _choices(blank: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", blank), *choices]


class Form(forms.Form):
    """Labels without the trailing colon, as in the rest of the product."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ConfirmForm(Form):
    """An action with nothing to fill in (accept, feedback call held): only the CSRF token is posted."""


class AttemptForm(Form):
    channel = forms.ChoiceField(choices=Attempt.Channel.choices, initial=Attempt.Channel.PHONE)
    outcome = forms.ChoiceField(choices=Attempt.Outcome.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DiscoveryForm(Form):
    at = forms.DateTimeField(label="Discovery call held at", widget=DATETIME_LOCAL)


class QualificationForm(Form):
    """BANT+T (SPEC S13): each criterion 0–3 with a note."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for criterion in Qualification.CRITERIA:
            self.fields[criterion] = forms.TypedChoiceField(
                label=criterion.capitalize(), choices=SCORE_CHOICES, coerce=int, initial=0
            )
            self.fields[f"{criterion}_note"] = forms.CharField(
                label=f"{criterion.capitalize()} note", required=False, widget=forms.TextInput()
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[c], self[f"{c}_note"]) for c in Qualification.CRITERIA]

    def scores(self) -> dict[str, int]:
        return {c: self.cleaned_data[c] for c in Qualification.CRITERIA}

    def notes(self) -> dict[str, str]:
        return {c: self.cleaned_data[f"{c}_note"] for c in Qualification.CRITERIA}


class DispositionForm(Form):
    kind = forms.ChoiceField(label="Disposition", choices=_choices("Choose…", Disposition.Kind.choices), required=False)
    reason_code = forms.ChoiceField(
        label="Reason code (Disqualified)", choices=_choices("—", Disposition.ReasonCode.choices), required=False
    )
    summary = forms.CharField(
        label="Summary of conversations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label="Specific reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reengage_on = forms.DateField(label="Re-engage on (Nurture)", required=False, widget=DATE)


class QualityFlagForm(Form):
    kind = forms.ChoiceField(label="Feedback", choices=QualityFlag.Kind.choices)
    note = forms.CharField(label="What marketing should know", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandoffAcceptForm(Form):
    amount_lakh = forms.DecimalField(
        label="Opportunity amount (₹ lakh)", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    demo_at = forms.DateTimeField(label="Demo date", required=False, widget=DATETIME_LOCAL)


class HandoffRejectForm(Form):
    category = forms.ChoiceField(
        label="Rejection category", choices=_choices("Choose…", Handoff.RejectionCategory.choices), required=False
    )
    reason = forms.CharField(label="Specific reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.ChoiceField(
        label="Recommendation", choices=_choices("Choose…", Handoff.Recommendation.choices), required=False
    )
    competitor = forms.CharField(label="Competitor (Competitor Committed)", required=False)
    duplicate_of = forms.IntegerField(label="Existing lead # (Already in Pipeline)", required=False, min_value=1)


class DemoForm(Form):
    demo_at = forms.DateTimeField(label="Demo date", widget=DATETIME_LOCAL)


class OpportunityCloseForm(Form):
    result = forms.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")])
    amount_lakh = forms.DecimalField(label="Won amount (₹ lakh)", required=False, min_value=0, decimal_places=2)


class QueueFilterForm(Form):
    """The queue's filters, parsed leniently: anything unknown means "any"."""

    tab = forms.ChoiceField(choices=[("work", "work"), ("periodic", "periodic")], required=False)
    grade = forms.ChoiceField(choices=[("", "Any grade"), *[(g, g) for g in "ABCD"]], required=False)
    stage = forms.ChoiceField(choices=[("", "Any stage"), ("mql", "MQL"), ("sal", "SAL")], required=False)
    source = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=100)
    owner = forms.CharField(required=False, max_length=20)
    page = forms.IntegerField(required=False, min_value=1)
