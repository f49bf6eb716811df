"""Partners API (SPEC §1.1, §14.2; issue #2 §3): create, list, read, change, and every way to get it wrong."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from stdnum.ar import cuit
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.mx import rfc

from parceria.common.models import AuditRecord
from parceria.common.taxids import TaxIdError, validate_tax_id
from parceria.partners.models import Partner, PartnerTerms
from tests.factories import make_integration_partner, make_partner

pytestmark = pytest.mark.django_db

# Valid tax ids, built with python-stdnum so that their check digits are right.
CNPJ = "11222333000181"
CNPJ_FORMATTED = "11.222.333/0001-81"
CPF = "11144477735"
RFC = "JBA951208A5" + rfc.calc_check_digit("JBA951208A5")
CUIT = "3050000035" + cuit.calc_check_digit("3050000035")
RUT = "76000035" + rut.calc_check_digit("76000035")
NIT = "800000035" + nit.calc_check_digit("800000035")


def _bad_check_digit(country: str, valid: str) -> str:
    """The same number with a wrong last check character."""
    for c in "0123456789AK":
        candidate = valid[:-1] + c
        try:
            validate_tax_id(country, candidate)
        except TaxIdError:
            return candidate
    raise AssertionError(f"no invalid variant of {valid}")


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Agência Exemplo",
        "legal_name": "Agência Exemplo Ltda",
        "country": "BR",
        "tax_id": CNPJ_FORMATTED,
        "currency": "BRL",
        "tax_regime": "pj",
        "category": "consulting_agency",
        "subcategory": "digital_agency",
    }
    data.update(overrides)
    return data


def snapshot() -> dict[str, Any]:
    """Everything a partner write could touch."""
    return {
        "partners": list(Partner.objects.order_by("id").values()),
        "terms": PartnerTerms.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def assert_error(response, status: int, code: str, *, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    if field is not None:
        details = error.get("details")
        fields = {d["field"] for d in details} if isinstance(details, list) else {details["field"]}
        assert field in fields, error
    return error


# --- create ------------------------------------------------------------------------------------------------------


def test_create_echoes_fields_and_compacts_the_tax_id(admin_api):
    response = admin_api.post("/partners", body(verticals=["healthcare"], territories=["SP", "RJ"]))

    assert response.status_code == 201, response.content
    data = response.json()
    partner = Partner.objects.get()
    assert data["id"] == partner.pk
    assert {k: v for k, v in data.items() if k not in ("id", "created_at", "updated_at")} == {
        "name": "Agência Exemplo",
        "legal_name": "Agência Exemplo Ltda",
        "country": "BR",
        "tax_id": CNPJ,
        "tax_id_kind": "cnpj",
        "currency": "BRL",
        "tax_regime": "pj",
        "category": "consulting_agency",
        "subcategory": "digital_agency",
        "status": "prospect",
        "tier": None,
        "integration_share_rate": None,
        "verticals": ["healthcare"],
        "territories": ["SP", "RJ"],
        "pix_key_type": "",
        "pix_key": "",
        "payout_method": "",
        "payout_account": "",
    }
    assert partner.tax_id == CNPJ
    assert partner.terms_versions.count() == 1


@pytest.mark.parametrize(
    ("country", "tax_id", "compact", "kind", "currency", "regime"),
    [
        ("BR", "111.444.777-35", CPF, "cpf", "BRL", "pf"),
        ("BR", CNPJ_FORMATTED, CNPJ, "cnpj", "BRL", "pj_simples"),
        ("MX", f"{RFC[:3]} {RFC[3:9]} {RFC[9:]}", RFC, "rfc", "MXN", "foreign"),
        ("AR", f"{CUIT[:2]}-{CUIT[2:10]}-{CUIT[10:]}", CUIT, "cuit", "ARS", "foreign"),
        ("CL", f"{RUT[:2]}.{RUT[2:5]}.{RUT[5:8]}-{RUT[8:]}", RUT, "rut", "CLP", "foreign"),
        ("CO", f"{NIT[:3]}.{NIT[3:6]}.{NIT[6:9]}-{NIT[9:]}", NIT, "nit", "COP", "foreign"),
        ("US", " 12-3456789 ", "12-3456789", "other", "USD", "foreign"),
    ],
)
def test_create_validates_and_compacts_tax_ids_per_country(admin_api, country, tax_id, compact, kind, currency, regime):
    response = admin_api.post(
        "/partners", body(country=country, tax_id=tax_id, currency=currency, tax_regime=regime)
    )

    assert response.status_code == 201, response.content
    assert (response.json()["tax_id"], response.json()["tax_id_kind"]) == (compact, kind)
    assert Partner.objects.get().tax_id == compact


def test_create_integration_partner_with_tier_and_share_rate(admin_api):
    response = admin_api.post(
        "/partners",
        body(category="technology_integration", subcategory="crm", status="active", tier="preferred",
             integration_share_rate="0.15"),
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["tier"]) == ("active", "preferred")
    assert Decimal(data["integration_share_rate"]) == Decimal("0.15")
    partner = Partner.objects.get()
    assert partner.integration_share_rate == Decimal("0.15")
    terms = partner.terms_versions.get()
    assert (terms.effective_from, terms.tier, terms.integration_share_rate) == (None, "preferred", Decimal("0.15"))


def test_share_rate_reads_back_exactly_as_created(admin_api):
    created = admin_api.post(
        "/partners", body(category="technology_integration", subcategory="crm", integration_share_rate="0.15")
    ).json()

    read = admin_api.get(f"/partners/{created['id']}").json()

    assert read["integration_share_rate"] == created["integration_share_rate"]


@pytest.mark.parametrize("rate", ["0.10", "0.25", "0.1", "0.2"])
def test_share_rate_bounds_are_inclusive(admin_api, rate):
    response = admin_api.post(
        "/partners", body(category="technology_integration", subcategory="crm", integration_share_rate=rate)
    )

    assert response.status_code == 201, response.content
    assert Partner.objects.get().integration_share_rate == Decimal(rate)


# --- create: refused ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "tax_id", "currency", "regime"),
    [
        ("BR", _bad_check_digit("BR", CNPJ), "BRL", "pj"),
        ("BR", "11.222.333/0001-82", "BRL", "pj"),
        ("BR", _bad_check_digit("BR", CPF), "BRL", "pf"),
        ("BR", "1234", "BRL", "pj"),
        ("MX", _bad_check_digit("MX", RFC), "MXN", "foreign"),
        ("MX", "ABC", "MXN", "foreign"),
        ("AR", _bad_check_digit("AR", CUIT), "ARS", "foreign"),
        ("CL", _bad_check_digit("CL", RUT), "CLP", "foreign"),
        ("CO", _bad_check_digit("CO", NIT), "COP", "foreign"),
        ("BR", "", "BRL", "pj"),
    ],
)
def test_invalid_tax_id_is_refused(admin_api, country, tax_id, currency, regime):
    before = snapshot()

    response = admin_api.post("/partners", body(country=country, tax_id=tax_id, currency=currency, tax_regime=regime))

    assert_error(response, 422, "invalid_tax_id", field="tax_id")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tax_regime": "pf"}, "tax_id"),  # an individual with a CNPJ
        ({"tax_regime": "pj", "tax_id": CPF}, "tax_id"),  # a company with a CPF
        ({"tax_regime": "foreign"}, "tax_regime"),  # a Brazilian partner must have a BR regime
        ({"country": "MX", "tax_id": RFC, "currency": "MXN", "tax_regime": "pj"}, "tax_regime"),
    ],
)
def test_tax_regime_must_fit_country_and_tax_id(admin_api, overrides, field):
    before = snapshot()

    response = admin_api.post("/partners", body(**overrides))

    assert_error(response, 422, "invalid_tax_regime", field=field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"currency": "EUR"}, "invalid_choice", "currency"),
        ({"currency": "real"}, "invalid_choice", "currency"),
        ({"tax_regime": "mei"}, "invalid_choice", "tax_regime"),
        ({"category": "reseller"}, "invalid_choice", "category"),
        ({"subcategory": "crm"}, "invalid_choice", "subcategory"),  # crm belongs to technology_integration
        ({"subcategory": "unicorns"}, "invalid_choice", "subcategory"),
        ({"status": "dormant"}, "invalid_choice", "status"),
        ({"tier": "platinum"}, "invalid_choice", "tier"),
        ({"country": "XX"}, "invalid", "country"),
        ({"name": "   "}, "invalid_field", "name"),
        ({"name": "x" * 201}, "invalid", "name"),
        ({"verticals": ["", "health"]}, "invalid", "verticals"),
    ],
)
def test_invalid_choices_are_refused(admin_api, overrides, code, field):
    before = snapshot()

    response = admin_api.post("/partners", body(**overrides))

    assert_error(response, 422, code, field=field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("rate", "code"),
    [("0.09", "out_of_range"), ("0.0999", "out_of_range"), ("0.26", "out_of_range"), ("0.2501", "out_of_range"),
     ("1", "out_of_range"), ("-0.15", "out_of_range"), ("0.12345", "invalid"), ("abc", "invalid"), ("", "invalid"),
     ("NaN", "invalid")],
)
def test_share_rate_outside_ten_to_twenty_five_percent_is_refused(admin_api, rate, code):
    before = snapshot()

    response = admin_api.post(
        "/partners", body(category="technology_integration", subcategory="crm", integration_share_rate=rate)
    )

    assert_error(response, 422, code, field="integration_share_rate")
    assert snapshot() == before


def test_share_rate_as_a_json_number_is_refused(admin_api):
    before = snapshot()

    response = admin_api.post(
        "/partners", body(category="technology_integration", subcategory="crm", integration_share_rate=0.15)
    )

    assert_error(response, 422, "invalid", field="integration_share_rate")
    assert snapshot() == before


def test_duplicate_tax_id_is_a_conflict_whatever_its_formatting(admin_api):
    first = admin_api.post("/partners", body())
    assert first.status_code == 201
    before = snapshot()

    response = admin_api.post("/partners", body(name="Another name", tax_id=CNPJ))

    error = assert_error(response, 409, "duplicate_partner")
    assert CNPJ in error["message"]
    assert snapshot() == before


def test_the_same_tax_id_in_another_country_is_not_a_duplicate(admin_api):
    first = admin_api.post("/partners", body(country="US", tax_id="X-1", currency="USD", tax_regime="foreign"))
    assert first.status_code == 201

    response = admin_api.post("/partners", body(country="CA", tax_id="X-1", currency="USD", tax_regime="foreign"))

    assert response.status_code == 201, response.content
    assert Partner.objects.count() == 2


@pytest.mark.parametrize("raw", [b"{not json", b'{"name": "a",}', b"\xff\xfe", b"[1, 2"])
def test_malformed_json_is_400(admin_api, raw):
    before = snapshot()

    response = admin_api.post("/partners", raw=raw)

    assert_error(response, 400, "malformed_request")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": 123}, "name"),
        ({"tax_id": 11222333000181}, "tax_id"),
        ({"verticals": "healthcare"}, "verticals"),
        ({"territories": [1, 2]}, "territories.0"),
        ({"country": None}, "country"),
    ],
)
def test_wrong_types_are_422(admin_api, overrides, field):
    before = snapshot()

    response = admin_api.post("/partners", body(**overrides))

    assert_error(response, 422, "invalid", field=field)
    assert snapshot() == before


def test_missing_fields_are_named(admin_api):
    response = admin_api.post("/partners", {"name": "Only a name"})

    error = assert_error(response, 422, "invalid")
    assert {d["field"] for d in error["details"]} == {
        "legal_name", "country", "tax_id", "currency", "tax_regime", "category", "subcategory",
    }
    assert Partner.objects.count() == 0


def test_unknown_field_in_create_is_refused(admin_api):
    response = admin_api.post("/partners", body(teir="strategic"))

    assert response.status_code == 422, response.content
    assert "teir" in response.json()["error"]["message"]
    assert Partner.objects.count() == 0


# --- list and read --------------------------------------------------------------------------------------------------


def test_list_is_paginated_in_id_order(admin_api):
    partners = [make_partner(name=f"P{i}") for i in range(3)]

    first = admin_api.get("/partners", limit=2)
    second = admin_api.get("/partners", limit=2, offset=2)

    assert first.status_code == second.status_code == 200
    assert {k: first.json()[k] for k in ("count", "limit", "offset")} == {"count": 3, "limit": 2, "offset": 0}
    assert [p["id"] for p in first.json()["items"]] == [partners[0].pk, partners[1].pk]
    assert {k: second.json()[k] for k in ("count", "limit", "offset")} == {"count": 3, "limit": 2, "offset": 2}
    assert [p["id"] for p in second.json()["items"]] == [partners[2].pk]


def test_list_filters_by_status(admin_api):
    make_partner(status="active")
    prospect = make_partner(status="prospect")

    response = admin_api.get("/partners", status="prospect")

    assert response.json()["count"] == 1
    assert [p["id"] for p in response.json()["items"]] == [prospect.pk]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}])
def test_list_refuses_bad_paging(admin_api, params):
    assert_error(admin_api.get("/partners", **params), 422, "invalid")


def test_get_reads_one_partner(admin_api):
    partner = make_integration_partner(rate="0.2", name="Integra CRM")

    response = admin_api.get(f"/partners/{partner.pk}")

    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["name"], data["tax_id"], data["category"]) == (
        partner.pk, "Integra CRM", partner.tax_id, "technology_integration",
    )
    assert Decimal(data["integration_share_rate"]) == Decimal("0.2")


def test_get_unknown_partner_is_404(admin_api):
    assert_error(admin_api.get("/partners/987654"), 404, "not_found")


# --- patch ------------------------------------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(admin_api):
    partner = make_partner(name="Old", verticals=["healthcare"])

    response = admin_api.patch(f"/partners/{partner.pk}", {"name": "New", "territories": ["MG"]})

    assert response.status_code == 200, response.content
    partner.refresh_from_db()
    assert (partner.name, partner.territories, partner.verticals) == ("New", ["MG"], ["healthcare"])
    assert response.json()["name"] == "New"
    assert partner.terms_versions.count() == 1  # not a change of terms


def test_tier_change_starts_a_new_terms_version(admin_api):
    partner = make_partner()
    original = partner.terms_versions.get()

    response = admin_api.patch(f"/partners/{partner.pk}", {"tier": "preferred"})

    assert response.status_code == 200, response.content
    assert response.json()["tier"] == "preferred"
    versions = list(partner.terms_versions.order_by("id"))
    assert len(versions) == 2
    assert versions[0] == original and versions[0].tier is None and versions[0].effective_from is None
    assert (versions[1].tier, versions[1].effective_from is not None) == ("preferred", True)

    # the same tier again is not a new version; clearing it (null) is
    assert admin_api.patch(f"/partners/{partner.pk}", {"tier": "preferred"}).status_code == 200
    assert partner.terms_versions.count() == 2
    cleared = admin_api.patch(f"/partners/{partner.pk}", {"tier": None})
    assert cleared.status_code == 200 and cleared.json()["tier"] is None
    assert list(partner.terms_versions.order_by("id").values_list("tier", flat=True)) == [None, "preferred", None]


def test_share_rate_change_starts_a_new_terms_version(admin_api):
    partner = make_integration_partner(rate="0.15")

    response = admin_api.patch(f"/partners/{partner.pk}", {"integration_share_rate": "0.2"})

    assert response.status_code == 200, response.content
    rates = list(partner.terms_versions.order_by("id").values_list("integration_share_rate", flat=True))
    assert rates == [Decimal("0.15"), Decimal("0.2")]


@pytest.mark.parametrize(
    ("start", "target"),
    [("prospect", "active"), ("prospect", "terminated"), ("active", "suspended"), ("active", "terminated"),
     ("suspended", "active"), ("suspended", "terminated")],
)
def test_allowed_status_transitions(admin_api, start, target):
    partner = make_partner(status=start)

    response = admin_api.patch(f"/partners/{partner.pk}", {"status": target})

    assert response.status_code == 200, response.content
    partner.refresh_from_db()
    assert partner.status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [("terminated", "active"), ("terminated", "prospect"), ("terminated", "suspended"), ("prospect", "suspended"),
     ("active", "prospect"), ("suspended", "prospect")],
)
def test_refused_status_transitions(admin_api, start, target):
    partner = make_partner(status=start)
    before = snapshot()

    response = admin_api.patch(f"/partners/{partner.pk}", {"status": target})

    error = assert_error(response, 422, "invalid_transition", field="status")
    assert start in error["message"] and target in error["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"tax_id": "11.222.333/0001-82"}, 422, "invalid_tax_id"),
        ({"tax_regime": "pf"}, 422, "invalid_tax_regime"),
        ({"currency": "EUR"}, 422, "invalid_choice"),
        ({"subcategory": "crm"}, 422, "invalid_choice"),
        ({"integration_share_rate": "0.3"}, 422, "out_of_range"),
        ({"name": 5}, 422, "invalid"),
        ({"status": ["active"]}, 422, "invalid"),
    ],
)
def test_patch_with_bad_values_changes_nothing(admin_api, change, status, code):
    partner = make_partner()
    before = snapshot()

    response = admin_api.patch(f"/partners/{partner.pk}", change)

    assert_error(response, status, code)
    assert snapshot() == before


def test_patch_to_another_partners_tax_id_is_a_conflict(admin_api):
    first = make_partner()
    second = make_partner()
    before = snapshot()

    response = admin_api.patch(f"/partners/{second.pk}", {"tax_id": first.tax_id})

    assert_error(response, 409, "duplicate_partner")
    assert snapshot() == before


def test_patch_malformed_json_is_400(admin_api):
    partner = make_partner()
    before = snapshot()

    response = admin_api.patch(f"/partners/{partner.pk}", raw=b"{oops")

    assert_error(response, 400, "malformed_request")
    assert snapshot() == before


def test_unknown_fields_in_patch_are_refused(admin_api):
    partner = make_partner()
    before = snapshot()

    response = admin_api.patch(f"/partners/{partner.pk}", {"name": "Renamed", "manager_email": "x@example.com"})

    assert response.status_code == 422, response.content
    assert "manager_email" in response.json()["error"]["message"]
    assert snapshot() == before


def test_patch_unknown_partner_is_404(admin_api):
    assert_error(admin_api.patch("/partners/987654", {"name": "x"}), 404, "not_found")


# --- who may write ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["platform", "analytics"])
def test_only_admin_keys_create_partners(api_client_for, scope):
    api = api_client_for(scope)
    before = snapshot()

    response = api.post("/partners", body())

    assert_error(response, 403, "forbidden_scope")
    assert snapshot() == before


def test_partner_keys_cannot_create_partners(api_client_for):
    own = make_partner()
    api = api_client_for("partner", own)
    before = snapshot()

    assert_error(api.post("/partners", body()), 403, "forbidden_scope")
    assert snapshot() == before


@pytest.mark.parametrize("scope", ["platform", "analytics"])
def test_only_admin_keys_patch_partners(api_client_for, scope):
    partner = make_partner(status="active")
    api = api_client_for(scope)
    before = snapshot()

    for change in ({"status": "terminated"}, {"tier": "strategic"}, {"name": "Hijacked"}):
        assert_error(api.patch(f"/partners/{partner.pk}", change), 403, "forbidden_scope")
    assert snapshot() == before


def test_partner_key_cannot_patch_its_own_partner(api_client_for):
    partner = make_partner(status="active")
    api = api_client_for("partner", partner)
    before = snapshot()

    assert_error(api.patch(f"/partners/{partner.pk}", {"tier": "strategic"}), 403, "forbidden_scope")
    assert snapshot() == before


@pytest.mark.parametrize("scope", ["platform", "analytics"])
def test_read_scopes_can_list_and_read(api_client_for, scope):
    partner = make_partner()
    api = api_client_for(scope)

    assert api.get("/partners").json()["count"] == 1
    assert api.get(f"/partners/{partner.pk}").json()["id"] == partner.pk


def test_writes_are_audited(admin_api):
    created = admin_api.post("/partners", body()).json()
    admin_api.patch(f"/partners/{created['id']}", {"status": "active"})

    actions = list(AuditRecord.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["partner.created", "partner.updated"]


# --- payout methods (docs/payouts.md): set by an admin, checked per country, nothing stored when wrong ------------

CLABE = "002010077777777771"  # center-key's clabe-validator example; its bank 002 is Banamex


def test_an_admin_registers_a_partner_with_its_first_method_and_changes_it_later(admin_api):
    created = admin_api.post("/partners", body(country="MX", tax_id=RFC, currency="MXN", tax_regime="foreign",
                                               payout_method="mx_spei", payout_details={"clabe": CLABE}))
    assert created.status_code == 201, created.content
    assert (created.json()["payout_method"], created.json()["payout_account"]) == (
        "mx_spei", "SPEI Banamex · CLABE ••••7771")
    partner = Partner.objects.get()
    assert partner.payout_details_changed_at is None  # the first method holds nothing
    changed = admin_api.request("PUT", f"/partners/{partner.pk}/payout-method", {
        "method": "intl", "reason": "Paid to its US parent company's account",
        "details": {"beneficiary_name": "Parent Inc.", "beneficiary_address": "1 Main St", "bank_name": "Chase",
                    "bank_country": "US", "bic": "CHASUS33", "account_number": "123456789"}})
    assert changed.status_code == 200, changed.content
    assert changed.json()["payout_account"] == "SWIFT CHASUS33 · US · ••••6789"
    partner.refresh_from_db()
    assert partner.payout_method == "intl" and partner.payout_details_changed_at is not None
    assert partner.payout_method_changes.count() == 2


@pytest.mark.parametrize(("payload", "field"), [
    ({"method": "mx_spei", "details": {"clabe": CLABE[:-1] + "2"}}, "clabe"),  # its check digit does not verify
    ({"method": "br_ted", "details": {"bank_code": "001"}}, "method"),  # BRL only, the partner is paid in MXN
    ({"method": "intl", "details": {"beneficiary_name": "X", "beneficiary_address": "Y", "bank_name": "Z",
                                    "bank_country": "MX", "bic": "BNMXMXMM", "iban": "MX12002010077777777771"}},
     "iban"),  # Mexico does not use IBAN
    ({"method": "intl", "details": {"beneficiary_name": "X", "beneficiary_address": "Y", "bank_name": "Z",
                                    "bank_country": "US", "bic": "CHASUS33", "account_number": "1"}}, "reason"),
])
def test_bad_payout_details_are_a_422_naming_the_field_and_nothing_is_stored(admin_api, payload, field):
    partner = make_partner(country="MX")
    before = (partner.payout_method, partner.payout_account)
    response = admin_api.request("PUT", f"/partners/{partner.pk}/payout-method", payload)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["details"]["field"] == field
    partner.refresh_from_db()
    assert (partner.payout_method, partner.payout_account) == before and partner.payout_details_changed_at is None
    assert partner.payout_method_changes.count() == 1


def test_only_an_admin_sets_a_payout_method(platform_api):
    partner = make_partner(country="MX")
    response = platform_api.request("PUT", f"/partners/{partner.pk}/payout-method", {"method": "mx_spei",
                                                                          "details": {"clabe": CLABE}})
    assert response.status_code == 403
    assert partner.payout_method_changes.count() == 1
