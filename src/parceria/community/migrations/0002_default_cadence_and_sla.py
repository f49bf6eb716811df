"""The default meeting cadence per tier and the ticket SLA per severity (data staff change in the admin;
docs/community.md)."""

from django.db import migrations

# Seed §6.1: weekly/monthly sync meetings by tier, monthly business reviews; quarterly business reviews for all.
CADENCE = [
    ("strategic", "check_in", 7), ("strategic", "mbr", 30), ("strategic", "qbr", 91),
    ("preferred", "mbr", 30), ("preferred", "qbr", 91),
    ("certified", "qbr", 91),
]
SLA = [("critical", 4, 24), ("high", 8, 72), ("medium", 24, 120), ("low", 48, 240)]


def forwards(apps, schema_editor):
    MeetingCadence = apps.get_model("community", "MeetingCadence")
    TicketSla = apps.get_model("community", "TicketSla")
    for tier, kind, days in CADENCE:
        MeetingCadence.objects.get_or_create(tier=tier, kind=kind, defaults={"interval_days": days})
    for severity, first, resolution in SLA:
        TicketSla.objects.get_or_create(severity=severity, defaults={"first_response_hours": first,
                                                                     "resolution_hours": resolution})


class Migration(migrations.Migration):
    dependencies = [("community", "0001_community")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
