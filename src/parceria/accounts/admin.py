from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parceria.accounts.models import ApiKey, Invitation, User
from parceria.accounts.services import api_key_revoke
from parceria.common.audit import Actor


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "partner", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Parceria", {"fields": ("role", "partner", "language")}))  # type: ignore[misc]
    raw_id_fields = ("partner",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `parceria create-api-key` (the raw key is shown once); here they are revoked, with
    the list's action (through the revocation service, which records it in the audit log; a revoked key stays
    revoked)."""

    list_display = ("name", "scope", "partner", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("name", "scope", "partner", "prefix", "key_hash", "created_by", "created_at", "last_used_at",
                       "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        actor = Actor(label=f"admin:{request.user.get_username()}", user=request.user)
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(api_key=key, actor=actor)
        self.message_user(request, ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(keys))
                          % {"count": len(keys)})


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Partner admins invite from the portal; here staff see the invitations (an empty user: the address
    belonged to someone outside the partner, who was sent a notice instead)."""

    list_display = ("email", "partner", "user", "sent_at", "withdrawn_at")
    list_filter = ("withdrawn_at",)
    raw_id_fields = ("partner", "user", "invited_by")
    readonly_fields = ("partner", "email", "name", "user", "invited_by", "created_at", "sent_at", "withdrawn_at")

    def has_add_permission(self, request, obj=None):
        return False
