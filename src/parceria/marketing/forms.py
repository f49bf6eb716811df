"""Forms of the asset library and the joint marketing activities (console and portal)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.marketing.models import ActivityKind, ActivityStatus, AssetKind, AssetLanguage
from parceria.partners.models import Tier
from parceria.web.forms import choices_with_blank


class AssetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=AssetLanguage.choices)
    verticals = forms.MultipleChoiceField(label=_("Verticals"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    min_tier = forms.ChoiceField(label=_("Visible to"), required=False)
    white_label = forms.BooleanField(label=_("White-label (no Parceria brand)"), required=False)
    co_brandable = forms.BooleanField(label=_("Co-branded PDF (stamped with the partner's name and logo)"),
                                      required=False)

    def __init__(self, *args: Any, verticals: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        if verticals:
            cast(forms.ChoiceField, self.fields["verticals"]).choices = [(v, v) for v in verticals]
        else:  # no partner declared a vertical yet: nothing to tag with
            del self.fields["verticals"]
        cast(forms.ChoiceField, self.fields["min_tier"]).choices = choices_with_blank(_("Every active partner"), [
            (value, _("%(tier)s and above") % {"tier": label}) for value, label in Tier.choices])


class AssetCreateForm(AssetForm):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, WebP, PPTX, DOCX or XLSX."))


class AssetEditForm(AssetForm):
    is_active = forms.BooleanField(label=_("Shown to partners"), required=False)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New file"))


class LogoForm(forms.Form):
    logo = forms.FileField(label=_("Logo (PNG or JPEG)"))


class AssetFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    vertical = forms.ChoiceField(label=_("Vertical"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, verticals: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choice = {name: cast(forms.ChoiceField, self.fields[name]) for name in ("language", "vertical", "kind")}
        choice["language"].choices = choices_with_blank(_("Any language"), list(AssetLanguage.choices))
        choice["vertical"].choices = choices_with_blank(_("Any vertical"), [(v, v) for v in verticals])
        choice["kind"].choices = choices_with_blank(_("Any kind"), list(AssetKind.choices))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    link = forms.URLField(label=_("Link"), required=False, max_length=200, assume_scheme="https")
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 2}))
