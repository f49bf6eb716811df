"""The enablement programme as data (seed §4.1): courses with their modules and the certifications."""

from decimal import Decimal

from django.db import migrations

COURSES = [
    # code, title, hours, core, description, [(title, minutes)]
    ("technical-integration", "Technical integration certification", "4", True,
     "Four hours on connecting a customer's systems to the platform: API, events and the sandbox.",
     [("API overview and authentication", 60), ("Webhooks and events", 60), ("Sandbox integration lab", 90),
      ("Integration review", 30)]),
    ("product-deep-dive", "Product deep-dive and demo training", "8", True,
     "Eight hours on the product end to end and on running a convincing demo.",
     [("Platform tour", 60), ("Core workflows", 90), ("Billing and plans", 60), ("Reports and analytics", 60),
      ("Running a product demo", 120), ("Questions customers ask", 90)]),
    ("sales-playbooks", "Sales playbooks", "2", True,
     "Industry-specific scripts, objection handling, positioning against alternatives and ROI tools.",
     [("Industry sales scripts", 45), ("Objection handling", 30), ("Competitive positioning", 30),
      ("ROI calculators and business cases", 15)]),
    ("advanced-product", "Advanced product certification", "6", False,
     "Advanced configuration and integrations at scale, for partners aiming at the preferred tier.",
     [("Advanced configuration", 120), ("Integrations at scale", 120), ("Certification assessment", 120)]),
    ("recertification", "Annual recertification", "1", False,
     "What changed in the product this year; renews a certification that is about to expire or expired.",
     [("What is new this year", 60)]),
]

CERTIFICATIONS = [
    # code, name, course
    ("technical-integration", "Technical integration certification", "technical-integration"),
    ("product", "Product certification", "product-deep-dive"),
    ("advanced-product", "Advanced product certification", "advanced-product"),
]


def load(apps, schema_editor):
    """Idempotent: creates what is missing, leaves what exists (tests call it again after a flush)."""
    Course = apps.get_model("enablement", "Course")
    Module = apps.get_model("enablement", "Module")
    Certification = apps.get_model("enablement", "Certification")
    for position, (code, title, hours, core, description, modules) in enumerate(COURSES, start=1):
        course, _ = Course.objects.get_or_create(code=code, defaults={
            "title": title, "hours": Decimal(hours), "in_core_program": core, "description": description,
            "position": position})
        for number, (module_title, minutes) in enumerate(modules, start=1):
            Module.objects.get_or_create(course=course, position=number,
                                         defaults={"title": module_title, "minutes": minutes})
    renewal = Course.objects.get(code="recertification")
    for position, (code, name, course_code) in enumerate(CERTIFICATIONS, start=1):
        Certification.objects.get_or_create(code=code, defaults={
            "name": name, "course": Course.objects.get(code=course_code), "renewal_course": renewal,
            "requires_demo": True, "requires_pilot": True, "validity_months": 12, "renewal_window_days": 60,
            "position": position})


class Migration(migrations.Migration):
    dependencies = [("enablement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
