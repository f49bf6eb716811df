"""Account mapping API (docs/mapping.md), mounted at /api/v1/account-mappings.

* `POST` (multipart/form-data, part `file`: the CSV list) maps a partner's customer list: a partner key for its own
  partner (Ability.REGISTER_DEALS), staff naming `partner_id` (Ability.MANAGE_PARTNERS). 201 with the counts and the
  rows reported; 413 for a file over the limit (in every body route's document), 422 for a file that cannot be
  mapped (nothing is stored).
* `GET` lists the mappings a principal may see; `GET /{id}` one mapping with its counts by segment, the sharing
  levels and the matched accounts both sides agreed to show. Another partner's mapping answers 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja import Schema as NinjaSchema

from parceria.accounts.tenancy import Ability
from parceria.api.auth import principal_of
from parceria.api.schemas import ERRORS, Page, PageParams, PathId
from parceria.common.errors import InvalidInput, NotFound, PermissionDenied
from parceria.mapping import selectors, services
from parceria.mapping.models import AccountMapping
from parceria.mapping.upload import check_size
from parceria.partners.selectors import scope_partners

router = Router(tags=["account mapping"])


class SegmentOut(NinjaSchema):
    segment: str | None
    accounts: int
    our_customers: int
    our_open_opportunities: int
    not_ours: int


class MatchOut(NinjaSchema):
    line: int
    segment: str
    match: str  # "customer" or "opportunity"
    company_name: str
    domain: str


class IssueOut(NinjaSchema):
    line: int
    column: str
    code: str
    first_line: int | None = None


class MappingOut(NinjaSchema):
    id: int
    partner_id: int
    created_at: datetime
    matched_at: datetime
    rows: int
    accounts: int
    issue_count: int
    total: SegmentOut


class MappingDetailOut(MappingOut):
    segments: list[SegmentOut]
    issues: list[IssueOut]
    company_level: str
    partner_level: str
    effective_level: str
    matches: list[MatchOut]


class MappingPage(Page):
    items: list[MappingOut]


def _segment(s: selectors.SegmentCounts) -> dict[str, Any]:
    return {"segment": s.segment, "accounts": s.accounts, "our_customers": s.our_customers,
            "our_open_opportunities": s.our_open_opportunities, "not_ours": s.not_ours}


def _mapping(mapping: AccountMapping, total: selectors.SegmentCounts | None = None) -> dict[str, Any]:
    if total is None:
        _, total = selectors.mapping_counts(mapping)
    return {"id": mapping.pk, "partner_id": mapping.partner_id, "created_at": mapping.created_at,
            "matched_at": mapping.matched_at, "rows": mapping.rows, "accounts": mapping.accounts,
            "issue_count": mapping.issue_count, "total": _segment(total)}


def _detail(mapping: AccountMapping) -> dict[str, Any]:
    segments, _ = selectors.mapping_counts(mapping)
    levels = selectors.sharing_levels(mapping.partner_id)
    matches = []
    for a in selectors.matched_accounts(mapping, levels.effective):
        if a.customer is not None:
            matches.append({"line": a.line, "segment": a.segment, "match": "customer",
                            "company_name": a.customer.name, "domain": a.customer.domain})
        elif a.opportunity is not None:
            matches.append({"line": a.line, "segment": a.segment, "match": "opportunity",
                            "company_name": a.opportunity.company_name, "domain": a.opportunity.domain})
    return {**_mapping(mapping), "segments": [_segment(s) for s in segments], "issues": mapping.issues,
            "company_level": levels.company, "partner_level": levels.partner, "effective_level": levels.effective,
            "matches": matches}


def _shared(principal: Any, mapping: AccountMapping, detail: dict[str, Any] | None) -> dict[str, Any]:
    """The mapping's answer; the matched accounts in it, read by the partner, go in the sharing log."""
    detail = detail if detail is not None else _detail(mapping)
    if principal.is_partner:
        services.matches_shared(mapping=mapping, count=len(detail["matches"]), how="read through the API",
                                actor=principal.actor)
    return detail


@router.post(
    "", response={201: MappingDetailOut, **ERRORS},
    summary="Map a partner's customer list (multipart/form-data, part `file`: CSV, at most 10 MB)",
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"},
                                              "partner_id": {"type": "integer"}}}}}}},
)
def create_mapping(request: HttpRequest, file: File[UploadedFile | None] = None,
                   partner_id: Form[int | None] = None) -> Any:
    principal = principal_of(request)
    try:
        if principal.is_partner:
            principal.require(Ability.REGISTER_DEALS)
            if partner_id is not None and partner_id != principal.partner_id:
                raise PermissionDenied("a partner credential maps its own customer list only")
            partner_id = principal.partner_id or 0
        else:
            principal.require(Ability.MANAGE_PARTNERS)
            if partner_id is None:
                raise InvalidInput("partner_id is required: the partner whose list this is",
                                   code="partner_required", details={"field": "partner_id"})
        if file is None:
            raise InvalidInput("send the list as multipart/form-data in a part named `file`", code="file_required",
                               details={"field": "file"})
        partner = scope_partners(principal).filter(pk=partner_id).first()
        if partner is None:
            raise NotFound(f"partner {partner_id} not found")
        check_size(file.size)
        mapping = services.mapping_create(partner=partner, data=file.read(), actor=principal.actor)
    finally:
        if file is not None:
            file.close()  # a temporary file of the upload is deleted here; the list is kept nowhere
    return Status(201, _shared(principal, mapping, _detail(mapping)))


@router.get("", response={200: MappingPage, **ERRORS}, summary="List account mappings (a partner's own; staff: all)")
def list_mappings(request: HttpRequest, page: Query[PageParams]) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    found = selectors.mapping_list(principal)
    return {"count": found.count(), "limit": page.limit, "offset": page.offset,
            "items": [_mapping(m, t) for m, t in selectors.with_totals(found[page.offset : page.offset + page.limit])]}


@router.get("/{int:mapping_id}", response={200: MappingDetailOut, **ERRORS}, summary="Read an account mapping")
def get_mapping(request: HttpRequest, mapping_id: PathId) -> Any:
    principal = principal_of(request)
    principal.require(Ability.READ)
    return _shared(principal, selectors.mapping_get(principal, mapping_id), None)
