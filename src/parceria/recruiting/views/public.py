"""The public pages of recruiting (no sign-in): "Become a partner" (`/apply/`: the kinds of partner, then the form of
the chosen kind, then a thank-you page), the applicant's status page (a signed link from the e-mail), and the partner
directory (`/directory/`: the listed partners with search and filters, a partner's page with its contact form, and
its logo)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from parceria.accounts.throttle import client_address
from parceria.common.errors import ParceriaError
from parceria.recruiting.data import KINDS
from parceria.recruiting.forms import ApplicationForm, ContactForm, DirectoryFilterForm
from parceria.recruiting.selectors import (
    DirectoryQuery,
    directory,
    directory_entry,
    directory_verticals,
    with_certifications,
)
from parceria.recruiting.services import (
    Spam,
    TooMany,
    application_for_token,
    application_submit,
    directory_contact,
)
from parceria.web.forms import add_domain_error

PER_PAGE = 24


def apply_index(request: HttpRequest) -> HttpResponse:
    return render(request, "recruiting/public/apply_index.html", {"kinds": KINDS.values()})


def _refused(request: HttpRequest, exc: TooMany) -> HttpResponse:
    return render(request, "recruiting/public/refused.html", {"message": exc.message}, status=exc.status)


def apply(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = KINDS.get(kind)
    if chosen is None:
        raise Http404
    form = ApplicationForm(request.POST or None, kind=chosen)
    if request.method == "POST" and form.is_valid():
        try:
            application_submit(fields=form.fields_given(), address=client_address(request) or "",
                               base_url=request.build_absolute_uri("/"))
        except Spam:
            return redirect("recruiting:applied")  # a robot is answered as a person would be; nothing is stored
        except TooMany as exc:
            return _refused(request, exc)
        except ParceriaError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("recruiting:applied")
    status = 422 if form.errors else 200
    return render(request, "recruiting/public/apply_form.html", {"kind": chosen, "form": form}, status=status)


def applied(request: HttpRequest) -> HttpResponse:
    return render(request, "recruiting/public/applied.html", {})


def status(request: HttpRequest, token: str) -> HttpResponse:
    application = application_for_token(token)
    if application is None:
        raise Http404
    return render(request, "recruiting/public/status.html",
                  {"application": application, "kind": KINDS.get(application.kind)})


def directory_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None, verticals=directory_verticals())
    query = DirectoryQuery(**form.cleaned_data) if form.is_valid() else DirectoryQuery()
    paginator = Paginator(directory(query), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    with_certifications(list(page.object_list))
    return render(request, "recruiting/public/directory.html", {"form": form, "page": page, "query": query})


def directory_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = directory_entry(slug)
    if entry is None:
        raise Http404
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            directory_contact(partner=entry.partner, fields=form.fields_given(), address=client_address(request) or "",
                              base_url=request.build_absolute_uri("/"))
        except Spam:
            return render(request, "recruiting/public/contacted.html", {"entry": entry})  # nothing stored
        except TooMany as exc:
            return _refused(request, exc)
        except ParceriaError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "recruiting/public/contacted.html", {"entry": entry})
    status = 422 if form.errors else 200
    return render(request, "recruiting/public/directory_detail.html", {"entry": entry, "form": form},
                  status=status)


def directory_logo(request: HttpRequest, slug: str) -> HttpResponseBase:
    entry = directory_entry(slug)
    if entry is None or not entry.listing.logo:
        raise Http404
    response = FileResponse(entry.listing.logo.open("rb"), content_type=entry.listing.logo_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


