"""What the application form offers: the kinds of partner an applicant may be, each mapped to the registry's
category and subcategory (SPEC §1.1), and the countries the programme recruits in with the currency a partner there
is paid in (seed §5.1: Brazil first, then Mexico, Colombia, Argentina and Chile)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parceria.partners.models import SUBCATEGORIES, Category


@dataclass(frozen=True)
class ApplicationKind:
    slug: str
    label: Promise
    pitch: Promise
    category: str
    #: The subcategory when the kind fixes it; "" when the applicant chooses one of the category's.
    subcategory: str
    #: The question only this kind is asked (its answer is kept with the application).
    question: Promise


KINDS: dict[str, ApplicationKind] = {k.slug: k for k in (
    ApplicationKind("agency", _("Digital agency"),
                    _("You build websites, stores and campaigns for small and medium businesses."),
                    Category.CONSULTING_AGENCY, "digital_agency",
                    _("How many active clients do you serve, and in which segments?")),
    ApplicationKind("consultancy", _("Management consultancy"),
                    _("You advise companies on processes, finance or digital transformation."),
                    Category.CONSULTING_AGENCY, "management_consultancy",
                    _("Which practice areas do you work in, and how many projects a year?")),
    ApplicationKind("accelerator", _("Accelerator or incubator"),
                    _("You run programmes for startups and young companies."),
                    Category.CONSULTING_AGENCY, "accelerator",
                    _("How many companies go through your programmes each year?")),
    ApplicationKind("integration", _("Technology integration"),
                    _("Your software (CRM, e-commerce, accounting, social media) could connect with ours."),
                    Category.TECHNOLOGY_INTEGRATION, "",
                    _("What would the integration do, and how many customers use your product?")),
    ApplicationKind("vertical", _("Industry specialist"),
                    _("You serve one industry: healthcare, food and beverage, fashion and beauty, professional "
                      "services."),
                    Category.INDUSTRY_VERTICAL, "",
                    _("Which companies of your industry do you serve, and how?")),
)}


def subcategory_choices(kind: ApplicationKind) -> tuple[str, ...]:
    """The subcategories an applicant of `kind` chooses from (empty: the kind fixes it)."""
    return () if kind.subcategory else SUBCATEGORIES[kind.category]


#: The countries the programme recruits in and the currency a partner there is paid in.
COUNTRY_CURRENCY: dict[str, str] = {"BR": "BRL", "MX": "MXN", "CO": "COP", "AR": "ARS", "CL": "CLP"}
COUNTRY_NAMES: dict[str, Promise] = {"BR": _("Brazil"), "MX": _("Mexico"), "CO": _("Colombia"),
                                     "AR": _("Argentina"), "CL": _("Chile")}
