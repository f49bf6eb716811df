"""Store every user name in its canonical form (NFKC, case-folded, trimmed), the form sign-in looks up."""

from django.db import migrations

from parceria.accounts.models import username_canonical


def canonicalise(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("username", flat=True))
    clashes = []
    for pk, username in User.objects.values_list("pk", "username").order_by("pk"):
        canonical = username_canonical(username)
        if canonical == username:
            continue
        if canonical in taken:
            clashes.append(f"#{pk} {username!r} -> {canonical!r}")
            continue
        User.objects.filter(pk=pk).update(username=canonical)
        taken.discard(username)
        taken.add(canonical)
    if clashes:
        raise RuntimeError(
            "these user names differ from another user's only in case, width or surrounding spaces; rename "
            "them (Django admin or `parceria shell`) and migrate again: " + "; ".join(clashes)
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_language")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
