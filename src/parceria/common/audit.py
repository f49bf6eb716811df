"""The one writer of audit records."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from parceria.common.models import AuditRecord

#: What each audited action is called on the pages (the stored code stays as it is).
ACTION_LABELS = {
    "adjustment.approved": pgettext_lazy("audited action", "Adjustment approved"),
    "adjustment.posted": pgettext_lazy("audited action", "Adjustment posted to the ledger"),
    "adjustment.rejected": pgettext_lazy("audited action", "Adjustment rejected"),
    "adjustment.requested": pgettext_lazy("audited action", "Adjustment requested"),
    "agreement.created": pgettext_lazy("audited action", "Agreement recorded"),
    "agreement.document_attached": pgettext_lazy("audited action", "Agreement document attached"),
    "agreement.expired": pgettext_lazy("audited action", "Agreement expired"),
    "agreement.plan_decided": pgettext_lazy("audited action", "Joint business plan decided"),
    "agreement.rate_override": pgettext_lazy("audited action", "Rate override granted"),
    "agreement.rate_override_ended": pgettext_lazy("audited action", "Rate override ended"),
    "agreement.renewed": pgettext_lazy("audited action", "Agreement renewed"),
    "agreement.term_added": pgettext_lazy("audited action", "Agreement term added"),
    "agreement.updated": pgettext_lazy("audited action", "Agreement changed"),
    "api_key.created": pgettext_lazy("audited action", "API key created"),
    "api_key.revoked": pgettext_lazy("audited action", "API key revoked"),
    "customer.created": pgettext_lazy("audited action", "Customer created"),
    "customer.updated": pgettext_lazy("audited action", "Customer changed"),
    "dispute.adjustment_requested": pgettext_lazy("audited action", "Adjustment requested for a dispute"),
    "dispute.attachment_added": pgettext_lazy("audited action", "Attachment added to a dispute"),
    "dispute.comment_added": pgettext_lazy("audited action", "Comment on a dispute"),
    "dispute.opened": pgettext_lazy("audited action", "Dispute opened"),
    "dispute.resolved_with_adjustment": pgettext_lazy("audited action", "Dispute resolved with an adjustment"),
    "enablement.certification_issued": pgettext_lazy("audited action", "Certification issued"),
    "enablement.check_in_logged": pgettext_lazy("audited action", "Check-in logged"),
    "enablement.course_completed": pgettext_lazy("audited action", "Course completed"),
    "enablement.course_restarted": pgettext_lazy("audited action", "Course restarted"),
    "enablement.demo_confirmed": pgettext_lazy("audited action", "Demo confirmed"),
    "enablement.onboarding_moved": pgettext_lazy("audited action", "Onboarding moved"),
    "enablement.onboarding_started": pgettext_lazy("audited action", "Onboarding started"),
    "evaluation_weights.changed": pgettext_lazy("audited action", "Evaluation weights changed"),
    "invitation.address_in_use": pgettext_lazy("audited action", "Invitation to an address in use"),
    "invitation.withdrawn": pgettext_lazy("audited action", "Invitation withdrawn"),
    "job.retried": pgettext_lazy("audited action", "Background task run again"),
    "partner.checklist_ticked": pgettext_lazy("audited action", "Checklist item ticked"),
    "partner.created": pgettext_lazy("audited action", "Partner created"),
    "partner.manager_assigned": pgettext_lazy("audited action", "Partner manager assigned"),
    "partner.evaluated": pgettext_lazy("audited action", "Partner evaluated"),
    "partner.payout_details_changed": pgettext_lazy("audited action", "Payout details changed"),
    "partner.stage_overridden": pgettext_lazy("audited action", "Stage move overridden"),
    "partner.updated": pgettext_lazy("audited action", "Partner changed"),
    "payout_batch.approved": pgettext_lazy("audited action", "Payout batch approved"),
    "period.closed": pgettext_lazy("audited action", "Month closed"),
    "plan.draft_created": pgettext_lazy("audited action", "Plan draft created"),
    "safeguard_flag.cleared": pgettext_lazy("audited action", "Safeguard flag cleared"),
    "safeguard_flag.raised": pgettext_lazy("audited action", "Safeguard flag raised"),
    "tier_definition.created": pgettext_lazy("audited action", "Tier definition created"),
    "tier_definition.ended": pgettext_lazy("audited action", "Tier definition ended"),
    "user.created": pgettext_lazy("audited action", "User created"),
    "user.invited": pgettext_lazy("audited action", "User invited"),
    "user.invited_again": pgettext_lazy("audited action", "User invited again"),
    "user.language_changed": pgettext_lazy("audited action", "Language changed"),
    "user.removed": pgettext_lazy("audited action", "User removed"),
    "user.signed_in": pgettext_lazy("audited action", "Signed in"),
    "webhook_delivery.resent": pgettext_lazy("audited action", "Webhook delivery sent again"),
    "webhook_endpoint.created": pgettext_lazy("audited action", "Webhook endpoint registered"),
    "webhook_endpoint.deleted": pgettext_lazy("audited action", "Webhook endpoint deleted"),
    "webhook_endpoint.disabled": pgettext_lazy("audited action", "Webhook endpoint disabled"),
    "webhook_endpoint.enabled": pgettext_lazy("audited action", "Webhook endpoint enabled"),
    "webhook_endpoint.pinged": pgettext_lazy("audited action", "Webhook ping sent"),
    # Privacy (privacy/services.py): data-subject requests.
    "backup.created": pgettext_lazy("audited action", "Backup taken"),
    "backup.restored": pgettext_lazy("audited action", "Database restored from a backup"),
    "dsr.anonymised": pgettext_lazy("audited action", "Person anonymised (data-subject request)"),
    "dsr.answered": pgettext_lazy("audited action", "Data-subject request answered"),
    "dsr.export_downloaded": pgettext_lazy("audited action", "Data-subject export downloaded"),
    "dsr.registered": pgettext_lazy("audited action", "Data-subject request registered"),
    "dsr.searched": pgettext_lazy("audited action", "Data searched for a data-subject request"),
    "legal_hold.placed": pgettext_lazy("audited action", "Legal hold placed"),
    "legal_hold.released": pgettext_lazy("audited action", "Legal hold released"),
    "sealed_identity.opened": pgettext_lazy("audited action", "Sealed identity opened"),
    # Notifications (notifications/services.py).
    "chat_webhook.deleted": pgettext_lazy("audited action", "Chat webhook removed"),
    "chat_webhook.saved": pgettext_lazy("audited action", "Chat webhook saved"),
    "chat_webhook.tested": pgettext_lazy("audited action", "Chat webhook test message sent"),
    "notification_preferences.changed": pgettext_lazy("audited action", "Notification settings changed"),
    "announcement.created": pgettext_lazy("audited action", "Announcement published"),
    "announcement.updated": pgettext_lazy("audited action", "Announcement changed"),
    "application.accepted": pgettext_lazy("audited action", "Partner application accepted"),
    "application.declined": pgettext_lazy("audited action", "Partner application declined"),
    "application.in_review": pgettext_lazy("audited action", "Partner application in review"),
    "application.submitted": pgettext_lazy("audited action", "Partner application received"),
    "directory.contacted": pgettext_lazy("audited action", "Message from the partner directory"),
    "directory_listing.updated": pgettext_lazy("audited action", "Directory listing saved"),
    "marketing_activity.changed": pgettext_lazy("audited action", "Joint marketing activity changed"),
    "marketing_activity.recorded": pgettext_lazy("audited action", "Joint marketing activity recorded"),
    "marketing_asset.changed": pgettext_lazy("audited action", "Co-marketing material changed"),
    "marketing_asset.created": pgettext_lazy("audited action", "Co-marketing material added"),
    "marketing_asset.version_added": pgettext_lazy("audited action", "New version of a co-marketing material"),
    "marketing_brand.logo_set": pgettext_lazy("audited action", "Co-branding logo saved"),
    "mdf.budget_created": pgettext_lazy("audited action", "Marketing fund budget created"),
    "mdf.budget_expired": pgettext_lazy("audited action", "Marketing fund budget expired"),
    "mdf.budget_overridden": pgettext_lazy("audited action", "Marketing fund budget changed"),
    "mdf.claim_decided": pgettext_lazy("audited action", "Marketing fund claim decided"),
    "mdf.claimed": pgettext_lazy("audited action", "Marketing fund reimbursement claimed"),
    "mdf.deals_linked": pgettext_lazy("audited action", "Deals linked to a marketing fund"),
    "mdf.request_decided": pgettext_lazy("audited action", "Marketing fund request decided"),
    "mdf.request_expired": pgettext_lazy("audited action", "Marketing fund request expired"),
    "mdf.requested": pgettext_lazy("audited action", "Marketing funds requested"),
    "meeting.recorded": pgettext_lazy("audited action", "Partner meeting recorded"),
    "nps.answered": pgettext_lazy("audited action", "Partner survey answered"),
    "nps.follow_up_opened": pgettext_lazy("audited action", "Survey follow-up opened"),
    "nps.follow_up_updated": pgettext_lazy("audited action", "Survey follow-up updated"),
    "ticket.opened": pgettext_lazy("audited action", "Escalation ticket opened"),
    "ticket.status_changed": pgettext_lazy("audited action", "Escalation ticket status changed"),
    # Retention (privacy/retention.py).
    "retention.applied": pgettext_lazy("audited action", "Retention rule applied"),
    # Sensitive reads (privacy/sensitive_reads.py).
    "partner.pix_key_viewed": pgettext_lazy("audited action", "Whole PIX key shown"),
    "payout.pix_key_viewed": pgettext_lazy("audited action", "Whole PIX key of a payout shown"),
    "payout_batch.file_downloaded": pgettext_lazy("audited action", "Bank file downloaded"),
    # Consents (privacy/consent.py).
    "consent.granted": pgettext_lazy("audited action", "Consent given"),
    "consent.withdrawn": pgettext_lazy("audited action", "Consent withdrawn"),
}


class Actor:
    """Who is acting: a signed-in user, an API key, or the system (commands, tasks)."""

    def __init__(self, *, label: str, user: Any = None, api_key: Any = None) -> None:
        self.label = label
        self.user = user
        self.api_key = api_key

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)

    def __repr__(self) -> str:
        return f"Actor({self.label!r})"


def audit_record_create(
    *,
    actor: Actor,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    return AuditRecord.objects.create(
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
        reason=reason,
    )


def action_label(action: str) -> str:
    """An audited action as people read it ("partner.created" → "Partner created", in the reader's language)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace(".", " ").replace("_", " ").capitalize()


def actor_name(label: str) -> str:
    """An actor's label as people read it: the user name or the API key's name, without its kind
    ("user:ana" → "ana", "api-key:Ana Souza" → "Ana Souza", "command:close" → "close")."""
    return label.partition(":")[2] or label
