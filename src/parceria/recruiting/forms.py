"""Forms of recruiting's pages: the application (one per kind of partner), the directory's filters and contact form,
a partner's listing, and staff's decisions. Shape only: recruiting.services checks the rest, and its messages are
shown beside the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.partners.models import SUBCATEGORY_LABELS, Category, Tier
from parceria.recruiting.data import COUNTRY_NAMES, ApplicationKind, subcategory_choices
from parceria.recruiting.models import ApplicationStatus, DirectoryListing
from parceria.recruiting.services import ApplicationFields, ContactFields, ListingFields
from parceria.web.forms import choices_with_blank, language_choices

#: The honeypot: a field people never see (hidden by the stylesheet and from screen readers) that robots fill in.
HONEYPOT = "company_fax"


def _countries() -> list[tuple[str, object]]:
    return list(COUNTRY_NAMES.items())


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class HoneypotMixin(forms.Form):
    company_fax = forms.CharField(required=False, label=_("Leave this field empty"),
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))


class ApplicationForm(HoneypotMixin):
    name = forms.CharField(label=_("Company name, as your customers know it"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name (razão social)"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    tax_id = forms.CharField(label=_("Tax id (CNPJ, CPF, RFC, NIT, CUIT or RUT)"), max_length=40)
    subcategory = forms.ChoiceField(label=_("What your company does"), required=False)
    website = forms.CharField(label=_("Website"), max_length=300, required=False)
    verticals = forms.CharField(label=_("Industries you serve (separated by commas)"), max_length=500,
                                required=False)
    territories = forms.CharField(label=_("Regions you serve (separated by commas)"), max_length=500, required=False)
    customers_served = forms.CharField(label=_("Who are your customers?"), max_length=2000,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    kind_answer = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    motivation = forms.CharField(label=_("Why do you want to be our partner?"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Your e-mail (you will be the partner's admin)"), max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language for our e-mails"), required=False, choices=language_choices)
    consent = forms.BooleanField(label=_("I agree that the partner team contacts me about this application."),
                                 required=False)

    def __init__(self, *args: object, kind: ApplicationKind, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self.fields["kind_answer"].label = str(kind.question)
        options = subcategory_choices(kind)
        if options:
            self.fields["subcategory"].required = True
            _choices(self, "subcategory").choices = [(s, SUBCATEGORY_LABELS.get(s, s)) for s in options]
        else:
            del self.fields["subcategory"]
        # The honeypot last, out of the way of people filling the form in order.
        self.order_fields([f for f in self.fields if f != HONEYPOT] + [HONEYPOT])

    def fields_given(self) -> ApplicationFields:
        d = self.cleaned_data
        return ApplicationFields(
            kind=self.kind.slug, name=d["name"], legal_name=d["legal_name"], country=d["country"],
            tax_id=d["tax_id"], subcategory=d.get("subcategory", ""), website=d["website"],
            verticals=_list(d["verticals"]), territories=_list(d["territories"]), contact_name=d["contact_name"],
            contact_email=d["contact_email"], contact_phone=d["contact_phone"], language=d["language"],
            customers_served=d["customers_served"], kind_answer=d["kind_answer"], motivation=d["motivation"],
            consent=d["consent"], honeypot=d[HONEYPOT])


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Kind of partner"), required=False)
    vertical = forms.ChoiceField(label=_("Industry"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)

    def __init__(self, *args: object, verticals: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self, "category").choices = choices_with_blank(_("Any"), list(Category.choices))
        _choices(self, "vertical").choices = choices_with_blank(_("Any"), [(v, v) for v in verticals])
        _choices(self, "country").choices = choices_with_blank(_("Any"), _countries())
        _choices(self, "tier").choices = choices_with_blank(_("Any"), list(Tier.choices))


class ContactForm(HoneypotMixin):
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Your e-mail"), max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company_name = forms.CharField(label=_("Your company"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    tax_id = forms.CharField(label=_("Company tax id (optional if you give the website)"), max_length=40,
                             required=False)
    website = forms.CharField(label=_("Company website"), max_length=300, required=False)
    message = forms.CharField(label=_("How can the partner help you?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def fields_given(self) -> ContactFields:
        d = self.cleaned_data
        return ContactFields(company_name=d["company_name"], country=d["country"], tax_id=d["tax_id"],
                             website=d["website"], contact_name=d["contact_name"], contact_email=d["contact_email"],
                             contact_phone=d["contact_phone"], message=d["message"], honeypot=d[HONEYPOT])


class ListingForm(forms.Form):
    opted_in = forms.BooleanField(label=_("List us in the public partner directory"), required=False)
    headline = forms.CharField(label=_("Headline"), max_length=160, required=False)
    description = forms.CharField(label=_("Description"), max_length=3000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    website = forms.CharField(label=_("Website"), max_length=300, required=False)
    regions = forms.CharField(label=_("Regions served (separated by commas)"), max_length=500, required=False)
    logo = forms.FileField(label=_("Logo (PNG, JPEG or WebP, up to 1 MB)"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def fields_given(self) -> ListingFields:
        d = self.cleaned_data
        upload = d.get("logo")
        return ListingFields(opted_in=d["opted_in"], headline=d["headline"], description=d["description"],
                             website=d["website"], regions=_list(d["regions"]),
                             logo=upload.read() if upload else None, remove_logo=d["remove_logo"])


def listing_initial(listing: DirectoryListing) -> dict[str, object]:
    return {"opted_in": listing.opted_in, "headline": listing.headline, "description": listing.description,
            "website": listing.website, "regions": ", ".join(listing.regions or [])}


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from parceria.recruiting.data import KINDS

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _choices(self, "status").choices = choices_with_blank(_("Any"), list(ApplicationStatus.choices))
        _choices(self, "kind").choices = choices_with_blank(_("Any"), [(k, v.label) for k, v in KINDS.items()])
        _choices(self, "country").choices = choices_with_blank(_("Any"), _countries())


class AcceptForm(forms.Form):
    admin_email = forms.EmailField(label=_("The partner admin's e-mail"), max_length=254)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the applicant reads it)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
