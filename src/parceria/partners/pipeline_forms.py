"""Forms of the pipeline pages. They only shape input; the services validate and decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.partners.evaluation import CRITERIA, SHORT_LABELS
from parceria.partners.lifecycle_data import Stage
from parceria.partners.models import Category


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required to go back, to reject, to mark churned, or to override a gate."))
    override = forms.BooleanField(label=_("Override the failed gates"), required=False)

    def __init__(self, *args: Any, moves: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moves is not None:
            self.limit(moves)

    def limit(self, moves: Iterable[str]) -> None:
        """Offer only these stages (the partner's allowed moves) in the form's menu."""
        allowed = set(moves)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in Stage.choices if v in allowed]


class TickForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    item = forms.CharField(max_length=40, widget=forms.HiddenInput)
    done = forms.BooleanField(label=_("Done"), required=False)
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=2000,
                               help_text=_("A link or a description of the document that shows it."))


class EvaluationForm(forms.Form):
    """A score (0–10, one decimal) and a note per criterion."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion, label in CRITERIA.items():
            self.fields[criterion] = forms.DecimalField(
                label=label, min_value=0, max_value=10, decimal_places=1, max_digits=3,
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "10"}))
            self.fields[f"{criterion}_note"] = forms.CharField(
                label=_("Evidence for %(criterion)s") % {"criterion": SHORT_LABELS[criterion]}, required=False,
                max_length=2000)

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[c], self[f"{c}_note"]) for c in CRITERIA]


class WeightsForm(forms.Form):
    note = forms.CharField(label=_("Why the weights change"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[criterion] = forms.DecimalField(label=SHORT_LABELS[criterion], min_value=0,
                                                        max_digits=7, decimal_places=2)
        self.order_fields([*CRITERIA, "note"])


class RankingForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("Partner A"), widget=forms.Select)
    b = forms.IntegerField(label=_("Partner B"), widget=forms.Select)

    def __init__(self, *args: Any, partners: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "—"), *partners]
        for name in ("a", "b"):
            self.fields[name].widget.choices = options
