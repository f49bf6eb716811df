"""The enablement pages: in the console (namespace enablement_console, under /console/enablement/) certifications
by partner, a partner's enablement and the overdue check-ins; in the portal (namespace enablement_portal, under
/portal/training/) the user's training, courses and the partner's certificates."""

from django.urls import path

from parceria.enablement.views import console, portal

console_patterns = [
    path("enablement/", console.certifications, name="certifications"),
    path("enablement/check-ins/overdue/", console.overdue, name="overdue"),
    path("enablement/partners/<int:partner_id>/", console.partner, name="partner"),
    path("enablement/partners/<int:partner_id>/demo/", console.demo_confirm, name="demo_confirm"),
    path("enablement/partners/<int:partner_id>/onboarding/", console.onboarding, name="onboarding"),
    path("enablement/partners/<int:partner_id>/check-ins/", console.check_in, name="check_in"),
]

portal_patterns = [
    path("training/", portal.index, name="index"),
    path("training/courses/<slug:code>/start/", portal.course_start, name="course_start"),
    path("training/enrolments/<int:enrolment_id>/", portal.enrolment, name="enrolment"),
    path("training/enrolments/<int:enrolment_id>/modules/<int:module_id>/complete/", portal.module_complete,
         name="module_complete"),
    path("training/certificates/<int:certificate_id>/", portal.certificate, name="certificate"),
]
