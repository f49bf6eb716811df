from django.contrib import admin

from parceria.referrals.models import CouponCode, ReferralClick, ReferralLink


@admin.register(ReferralLink)
class ReferralLinkAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "landing_url", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("code", "partner__name")
    readonly_fields = ("code", "created_at")


@admin.register(ReferralClick)
class ReferralClickAdmin(admin.ModelAdmin):
    list_display = ("link", "at", "ip_hash", "user_agent")
    readonly_fields = ("link", "at", "ip_hash", "user_agent", "referrer")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CouponCode)
class CouponCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("code", "partner__name")
