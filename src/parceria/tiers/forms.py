"""The filter of the console's tier assessments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.tiers.selectors import NO_TIER
from parceria.web.forms import choices_with_blank

TIER_LABELS = [("certified", pgettext_lazy("tier", "Certified")), ("preferred", pgettext_lazy("tier", "Preferred")),
               ("strategic", pgettext_lazy("tier", "Strategic")),
               (NO_TIER, _("No tier"))]


class TierFilterForm(forms.Form):
    q = forms.CharField(label=_("Partner"), required=False, max_length=200)
    tier = forms.ChoiceField(label=_("Tier now"), required=False,
                             choices=choices_with_blank(_("Any tier"), TIER_LABELS))
    qualified = forms.ChoiceField(label=_("Qualified for"), required=False,
                                  choices=choices_with_blank(_("Any tier"), TIER_LABELS))
    change = forms.ChoiceField(label=pgettext_lazy("tier change", "Change"), required=False,
                               choices=choices_with_blank(_("Any"), [
                                   ("promoted", _("Promoted")), ("demoted", _("Demoted")),
                                   ("unchanged", _("Unchanged")), ("grace", _("In demotion grace"))]))
    integration = forms.ChoiceField(label=_("Integration partner"), required=False,
                                    choices=choices_with_blank(_("Any"), [
                                        ("qualified", _("Qualifies")), ("missing", _("Requirements missing")),
                                        ("none", _("Not assessed as one"))]))
