"""What the portal's and the console's mapping pages share: the results of a mapping as the sharing levels let
them be seen, the issues in the reader's words, and the exports (counts by segment; matched accounts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parceria.mapping.models import AccountMapping, MappedAccount, SharingLevel
from parceria.mapping.selectors import mapping_counts, matched_accounts, sharing_levels
from parceria.web.tables import export_response

ISSUES = {
    "invalid_tax_id": gettext_lazy("The tax id is not valid for the row's country."),
    "invalid_domain": gettext_lazy("The domain is not a web domain (e.g. empresa.com.br)."),
    "public_email_domain": gettext_lazy("The domain is a public e-mail provider's, never a company's."),
    "invalid_country": gettext_lazy("The country is not an ISO 3166 two-letter code."),
    "invalid_segment": gettext_lazy("The segment is longer than 40 characters or holds control characters."),
    "no_key": gettext_lazy("The row has no valid tax id or domain: skipped."),
    "duplicate": gettext_lazy("The same company as line %(line)s: counted once."),
}
ISSUES_SHOWN = 200


def issue_text(issue: dict[str, Any]) -> str:
    text = ISSUES.get(str(issue.get("code")), str(issue.get("code")))
    return str(text) % {"line": issue.get("first_line", "")} if "%(line)s" in str(text) else str(text)


def segment_label(segment: str | None) -> str:
    if segment is None:
        return _("Total")
    return segment or _("(no segment)")


def results(mapping: AccountMapping) -> dict[str, Any]:
    segments, total = mapping_counts(mapping)
    levels = sharing_levels(mapping.partner_id)
    matches = list(matched_accounts(mapping, levels.effective)[:500])
    issues = [{"line": i.get("line"), "column": i.get("column", ""), "text": issue_text(i)}
              for i in mapping.issues[:ISSUES_SHOWN]]
    return {"mapping": mapping, "segments": segments, "total": total, "levels": levels,
            "company_label": SharingLevel(levels.company).label,
            "partner_label": SharingLevel(levels.partner).label, "matches": matches,
            "shows_matches": levels.effective != SharingLevel.COUNTS, "issues": issues,
            "issues_more": mapping.issue_count - len(issues)}


def matched_name(account: MappedAccount) -> tuple[str, str, str]:
    """(company, domain, what it is of ours) for a matched account, from our own record."""
    if account.customer is not None:
        return account.customer.name, account.customer.domain, _("Our customer")
    assert account.opportunity is not None
    return account.opportunity.company_name, account.opportunity.domain, _("Our open opportunity")


def export(request: HttpRequest, mapping: AccountMapping) -> HttpResponse:
    """`?export=csv|xlsx` the counts by segment; with `&table=matches` the matched accounts the levels allow."""
    if request.GET.get("table") == "matches":
        level = sharing_levels(mapping.partner_id).effective
        rows = ([a.line, *matched_name(a), a.segment] for a in matched_accounts(mapping, level).iterator())
        return export_response(request, f"account-mapping-{mapping.pk}-matches",
                               [_("Line"), _("Company"), _("Web domain"), _("Match"), _("Segment")], rows)
    segments, total = mapping_counts(mapping)
    return export_response(
        request, f"account-mapping-{mapping.pk}",
        [_("Segment"), _("Accounts"), _("Our customers"), _("Our open opportunities"), _("Not our customers")],
        ([segment_label(s.segment), s.accounts, s.our_customers, s.our_open_opportunities, s.not_ours]
         for s in [*segments, total]))


def export_list(request: HttpRequest, rows: Any, *, with_partner: bool) -> HttpResponse:
    """A list of mappings as a file: partner (staff only), upload time, the total counts and the problems."""
    header = [_("Uploaded"), _("Accounts"), _("Our customers"), _("Our open opportunities"), _("Not our customers"),
              _("Problems reported")]
    lines = ([*([m.partner.name] if with_partner else []), m.created_at, t.accounts, t.our_customers,
              t.our_open_opportunities, t.not_ours, m.issue_count] for m, t in rows)
    return export_response(request, "account-mappings", [*([_("Partner")] if with_partner else []), *header], lines)
