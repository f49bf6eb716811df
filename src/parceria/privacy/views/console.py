"""Privacy in the console: the hub, data-subject requests (register, search, export once, anonymise, answer) and
legal holds. Only administrators (Ability.PRIVACY) open them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parceria.accounts.models import User
from parceria.accounts.tenancy import Ability
from parceria.common.downloads import attachment
from parceria.common.errors import ParceriaError
from parceria.privacy import selectors
from parceria.privacy.forms import AnswerForm, HoldForm, RequestForm
from parceria.privacy.models import DataSubjectRequest, LegalHold, RequestKind, RequestStatus
from parceria.privacy.processing_data import version_in_force
from parceria.privacy.registry import categories
from parceria.privacy.services import (
    NewRequest,
    hold_place,
    hold_release,
    request_anonymise,
    request_answer,
    request_download,
    request_register,
    request_search,
)
from parceria.web.access import actor, console_view
from parceria.web.forms import add_domain_error, attempt
from parceria.web.tables import export_response, wants_export

PRIVACY = {"read": Ability.PRIVACY, "write": Ability.PRIVACY}


@console_view(**PRIVACY)
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "privacy/console/home.html", {
        "nav": "privacy", "counts": selectors.open_counts(today), "holds": selectors.holds(today).count(),
        "categories": [k for k, _n in _named(dict.fromkeys(categories(), 0))],
    })


@console_view(**PRIVACY)
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in RequestKind.values else ""
    today = timezone.localdate()
    rows = [(r, selectors.deadline(r, today)) for r in selectors.requests(status=status, kind=kind)]
    if wants_export(request):
        header = [_("Request"), _("Right exercised"), _("Status"), _("Received on"), _("Due on"), _("Deadline"),
                  _("Channel"), _("Answered on")]
        return export_response(request, "data-subject-requests", header, (
            [r.pk, r.get_kind_display(), r.get_status_display(), timezone.localtime(r.received_at).date(), r.due_on,
             d.state, r.channel, timezone.localtime(r.answered_at).date() if r.answered_at else ""]
            for r, d in rows
        ))
    return render(request, "privacy/console/requests.html", {
        "nav": "privacy", "rows": rows, "status": status, "kind": kind, "statuses": RequestStatus.choices,
        "kinds": RequestKind.choices, "counts": selectors.open_counts(today),
    })


@console_view(**PRIVACY)
def request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = None
        if data["username"]:
            user = User.objects.filter(username=User.normalize_username(data["username"].strip().lower())).first()
            if user is None:
                form.add_error("username", _("There is no user with this name."))
        if not form.errors:
            new = NewRequest(kind=data["kind"], email=data["email"], tax_id=data["tax_id"], user=user,
                             details=data["details"], received_on=data["received_on"])
            req = attempt(form, lambda: request_register(new=new, actor=actor(request)))
            if req is not None:
                messages.success(request, _("Request registered; answer it by %(day)s.") % {
                    "day": req.due_on.strftime("%d/%m/%Y")})
                return redirect("privacy_console:request", req.pk)
    return render(request, "privacy/console/request_new.html", {"nav": "privacy", "form": form},
                  status=422 if form.errors else 200)


def _named(found: dict[str, int]) -> list[tuple[str, int]]:
    """The kinds of data found, by their names in the record of processing."""
    record = version_in_force(timezone.localdate())
    return sorted(((str(e.name) if (e := record.entry(key)) else key), n) for key, n in found.items())


def _request_page(request: HttpRequest, req: DataSubjectRequest, form: AnswerForm | None = None,
                  status: int = 200) -> HttpResponse:
    return render(request, "privacy/console/request.html", {
        "nav": "privacy", "req": req, "deadline": selectors.deadline(req, timezone.localdate()),
        "form": form or AnswerForm(), "found": _named(req.found),
        "exportable": req.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY, RequestKind.SHARING),
    }, status=status)


@console_view(**PRIVACY)
def request_detail(request: HttpRequest, dsr_id: int) -> HttpResponse:
    req = get_object_or_404(DataSubjectRequest, pk=dsr_id)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            done = attempt(form, lambda: request_answer(req=req, answer=form.cleaned_data["answer"],
                                                         refused=form.cleaned_data["refused"], actor=actor(request)))
            if done is not None:
                messages.success(request, _("The request is answered."))
                return redirect("privacy_console:request", req.pk)
        return _request_page(request, req, form, status=422)
    return _request_page(request, req)


def _refused(request: HttpRequest, req: DataSubjectRequest, exc: ParceriaError) -> HttpResponse:
    form = AnswerForm()
    add_domain_error(form, exc)
    return _request_page(request, req, form, status=exc.status)


@console_view(read=None, write=Ability.PRIVACY)
def request_search_view(request: HttpRequest, dsr_id: int) -> HttpResponse:
    req = get_object_or_404(DataSubjectRequest, pk=dsr_id)
    try:
        req = request_search(req=req, actor=actor(request))
    except ParceriaError as exc:
        return _refused(request, req, exc)
    total = sum(req.found.values())
    if total:
        messages.success(request, _("%(n)s records found.") % {"n": total})
    else:
        messages.info(request, _("Nothing was found about this person. This search is recorded."))
    return redirect("privacy_console:request", req.pk)


@console_view(read=None, write=Ability.PRIVACY)
def request_download_view(request: HttpRequest, dsr_id: int) -> HttpResponseBase:
    req = get_object_or_404(DataSubjectRequest, pk=dsr_id)
    try:
        name, body = request_download(req=req, actor=actor(request))
    except ParceriaError as exc:
        return _refused(request, req, exc)
    return attachment(body, content_type="application/json", filename=name)


@console_view(**PRIVACY)
def request_anonymise_view(request: HttpRequest, dsr_id: int) -> HttpResponse:
    req = get_object_or_404(DataSubjectRequest, pk=dsr_id)
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            req = request_anonymise(req=req, actor=actor(request))
        except ParceriaError as exc:
            return _refused(request, req, exc)
        messages.success(request, req.answer)
        return redirect("privacy_console:request", req.pk)
    return render(request, "console/confirm.html", {
        "nav": "privacy", "title": _("Anonymise this person?"),
        "lines": [
            _("Every personal value found is replaced by a pseudonym in every app; records that only served the person "
              "are deleted."),
            _("Payouts, withholdings, income statements and the ledger keep their amounts; identifiers under the "
              "fiscal hold are sealed until it ends."),
            _("The person's account can no longer sign in. This cannot be undone."),
        ],
        "fields": [], "button": _("Anonymise"), "cancel": reverse("privacy_console:request", args=[req.pk]),
    })


@console_view(**PRIVACY)
def hold_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hold = attempt(form, lambda: hold_place(partner_id=data["partner_id"], subject_email=data["subject_email"],
                                                reason=data["reason"], until=data["until"], actor=actor(request)))
        if hold is not None:
            messages.success(request, _("Legal hold placed."))
            return redirect("privacy_console:holds")
    show_all = request.GET.get("all") == "1"
    return render(request, "privacy/console/holds.html", {
        "nav": "privacy", "holds": selectors.holds(today, include_released=show_all), "form": form,
        "show_all": show_all,
    }, status=422 if form.errors else 200)


@console_view(read=None, write=Ability.PRIVACY)
def hold_release_view(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=hold_id)
    hold_release(hold=hold, actor=actor(request))
    messages.success(request, _("Legal hold released."))
    return redirect("privacy_console:holds")
