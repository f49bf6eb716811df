"""The programme loaded by the data migration: the seed's courses with their hours and modules."""

from __future__ import annotations

from decimal import Decimal

from parceria.enablement.models import Certification, Course


def test_the_seed_courses_are_loaded_with_modules_that_add_up_to_their_hours(course_codes):
    courses = {c.code: c for c in Course.objects.prefetch_related("modules")}
    assert set(courses) == {"technical-integration", "product-deep-dive", "sales-playbooks", "advanced-product",
                            "recertification"}
    assert courses["technical-integration"].hours == Decimal("4.0")
    assert courses["product-deep-dive"].hours == Decimal("8.0")
    for course in courses.values():
        assert sum(m.minutes for m in course.modules.all()) == course.hours * 60, course.code
    core = {c for c, course in courses.items() if course.in_core_program}
    assert core == {"technical-integration", "product-deep-dive", "sales-playbooks"}


def test_certifications_ask_for_course_demo_and_pilot_and_last_twelve_months(course_codes):
    certs = {c.code: c for c in Certification.objects.select_related("course", "renewal_course")}
    assert set(certs) == {"technical-integration", "product", "advanced-product"}
    for cert in certs.values():
        assert cert.requires_demo and cert.requires_pilot
        assert cert.validity_months == 12 and cert.renewal_course.code == "recertification"
    assert certs["advanced-product"].course.code == "advanced-product"
