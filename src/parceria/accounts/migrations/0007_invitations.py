"""Invitations as their own rows; the partner members invited before, who never chose a password, get theirs."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import migrations, models


def invitations_for_pending_members(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    now = django.utils.timezone.now()
    seen = set()
    pending = User.objects.filter(partner__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX).order_by("pk")
    for user in pending:
        email = (user.email or user.username).strip().lower()
        if (user.partner_id, email) in seen:
            continue
        seen.add((user.partner_id, email))
        Invitation.objects.create(
            partner_id=user.partner_id,
            email=email,
            name=f"{user.first_name} {user.last_name}".strip(),
            user=user,
            sent_at=user.date_joined,
            withdrawn_at=None if user.is_active else now,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_usernames_canonical'),
        ('partners', '0007_integration_partner'),
    ]

    operations = [
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254)),
                ('name', models.CharField(blank=True, default='', max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(help_text='When the invitation (or the notice) last went out.')),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='partners.partner')),
                ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitation', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('partner', 'email'), name='invitation_one_per_partner_email')],
            },
        ),
        migrations.RunPython(invitations_for_pending_members, migrations.RunPython.noop),
    ]
