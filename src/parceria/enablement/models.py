"""Enablement (SPEC §3): courses and their modules, enrolments and module completions of partner users,
certifications (the programme as data, the certificates issued to partners), the product-demo checklist
item staff confirm, and the onboarding plan with its logged check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parceria.common.append_only import AppendOnlyModel


class Course(models.Model):
    """A training course (reference data loaded by a migration). `in_core_program` courses make up the
    partner training programme a tier asks for ("training complete")."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, help_text="Expected length in hours.")
    in_core_program = models.BooleanField(default=False, help_text="Part of the partner training programme.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """One step of a course. A course is complete when every one of its modules is."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="modules")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField(default=60)

    class Meta:
        ordering = ["course_id", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "position"], name="module_unique_position")]

    def __str__(self) -> str:
        return f"{self.course.code} #{self.position}: {self.title}"


class Enrolment(models.Model):
    """A partner user taking a course once. `completed_at` is set when the last module is completed; a user
    may take a completed course again (a new enrolment), but has at most one open enrolment per course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], condition=Q(completed_at__isnull=True), name="enrolment_one_open_per_course"
            )
        ]
        indexes = [models.Index(fields=["partner", "course", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id} ({'done' if self.completed_at else 'open'})"


class ModuleCompletion(models.Model):
    """A module completed within an enrolment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["module__position"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="completion_unique_module")]

    def __str__(self) -> str:
        return f"module {self.module_id} of enrolment {self.enrolment_id}"


class Certification(models.Model):
    """A certification of the programme (reference data): its requirements, validity and renewal.

    Issued to a partner when a user of the partner completed `course`, staff confirmed the partner's
    product demo (if `requires_demo`) and the partner has a pilot customer — an attributed customer with a
    paid invoice — (if `requires_pilot`). Renewal: within `renewal_window_days` before expiry, or any time
    after it, completing `renewal_course` or `course` again re-issues it."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    renewal_course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_certifications"
    )
    requires_demo = models.BooleanField(default=True)
    requires_pilot = models.BooleanField(default=True)
    validity_months = models.PositiveSmallIntegerField(default=12)
    renewal_window_days = models.PositiveSmallIntegerField(default=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class IssueBasis(models.TextChoices):
    REQUIREMENTS = "requirements", _("Requirements met")
    RENEWAL = "renewal", _("Renewal")


class PartnerCertification(AppendOnlyModel):
    """A certificate issued to a partner. Held from `issued_at` (inclusive) until `expires_at` (exclusive).
    Never changed after issue: a renewal is a new row pointing at the one it renews."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="certifications")
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="issued")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    basis = models.CharField(max_length=12, choices=IssueBasis.choices)
    renews = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by"
    )
    earned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The partner user whose completed course counted.",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["partner", "certification", "expires_at"])]
        constraints = [models.CheckConstraint(name="certificate_expires_after_issue",
                                              condition=Q(expires_at__gt=models.F("issued_at")))]

    def __str__(self) -> str:
        return f"{self.certification_id} for {self.partner_id} until {self.expires_at:%Y-%m-%d}"


class DemoConfirmation(models.Model):
    """The checklist item "product demo done": a staff member saw the partner demo the product."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="demo_confirmation")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"demo of {self.partner_id} on {self.confirmed_at:%Y-%m-%d}"


class OnboardingPlan(models.Model):
    """A partner's onboarding: check-ins weekly for the first 13 weeks after `started_on`, monthly after."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.PROTECT, related_name="onboarding_plan")
    started_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"onboarding of {self.partner_id} from {self.started_on}"


class CheckIn(models.Model):
    """A check-in held with the partner, logged by its manager against one scheduled date."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="check_ins")
    due_on = models.DateField(help_text="The scheduled date this check-in fulfils.")
    held_on = models.DateField()
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner_id", "due_on"]
        constraints = [models.UniqueConstraint(fields=["partner", "due_on"], name="checkin_unique_due_date")]

    def __str__(self) -> str:
        return f"check-in of {self.partner_id} due {self.due_on}"
