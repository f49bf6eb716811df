from django.contrib import admin

from parceria.marketing.models import Activity, Asset, AssetDownload, AssetVersion, PartnerBrand


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "language", "min_tier", "co_brandable", "is_active")
    list_filter = ("kind", "language", "min_tier", "is_active")


@admin.register(AssetVersion)
class AssetVersionAdmin(admin.ModelAdmin):
    list_display = ("asset", "number", "file_name", "content_type", "size", "uploaded_at")
    readonly_fields = ("file", "preview")


@admin.register(AssetDownload)
class AssetDownloadAdmin(admin.ModelAdmin):
    list_display = ("asset", "partner", "user", "co_branded", "downloaded_at")
    list_filter = ("co_branded",)


@admin.register(PartnerBrand)
class PartnerBrandAdmin(admin.ModelAdmin):
    list_display = ("partner", "updated_at")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("partner", "kind", "title", "held_on", "status")
    list_filter = ("kind", "status")
