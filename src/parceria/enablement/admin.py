from django.contrib import admin

from parceria.enablement.models import (
    Certification,
    CheckIn,
    Course,
    DemoConfirmation,
    Enrolment,
    Module,
    OnboardingPlan,
    PartnerCertification,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "hours", "in_core_program", "is_active")
    inlines = [ModuleInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "course", "validity_months", "renewal_window_days")


@admin.register(PartnerCertification)
class PartnerCertificationAdmin(admin.ModelAdmin):
    list_display = ("partner", "certification", "issued_at", "expires_at", "basis")
    list_filter = ("certification", "basis")
    raw_id_fields = ("partner", "renews", "earned_by")

    def has_change_permission(self, request, obj=None):  # certificates are never changed after issue
        return False

    def has_delete_permission(self, request, obj=None):  # nor deleted: a renewal is a new one
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("user", "partner", "course", "started_at", "completed_at")
    raw_id_fields = ("user", "partner")


admin.site.register(DemoConfirmation)
admin.site.register(OnboardingPlan)
admin.site.register(CheckIn)
