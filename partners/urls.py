from django.urls import path

from partners.views import applicant, ops, ops_partners, partner, public

app_name = "partners"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("apply/home/", applicant.applicant_home, name="applicant-home"),
    # The partner's own pages
    path("partner/", partner.partner_home, name="partner-home"),
    path("partner/agreement/", partner.partner_agreement, name="partner-agreement"),
    path("partner/training/", partner.partner_training, name="partner-training"),
    path("partner/staff/", partner.partner_staff, name="partner-staff"),
    path(
        "partner/staff/<int:member_id>/remove/",
        partner.partner_staff_remove,
        name="partner-staff-remove",
    ),
    path(
        "partner/background-consent/",
        partner.partner_background_consent,
        name="partner-background-consent",
    ),
    path("partner/closures/", partner.partner_closures, name="partner-closures"),
    path(
        "partner/closures/<int:closure_id>/cancel/",
        partner.partner_closure_cancel,
        name="partner-closure-cancel",
    ),
    path("partner/settings/", partner.partner_settings, name="partner-settings"),
    path("partner/join/<str:uidb64>/<str:token>/", partner.staff_join, name="staff-join"),
    # Ops
    path("ops/", ops.ops_home, name="ops-home"),
    path("ops/partners/", ops_partners.ops_partner_list, name="ops-partner-list"),
    path(
        "ops/partners/<int:partner_id>/",
        ops_partners.ops_partner_detail,
        name="ops-partner-detail",
    ),
    path(
        "ops/partners/<int:partner_id>/verify-storage/",
        ops_partners.ops_partner_storage_verify,
        name="ops-partner-storage-verify",
    ),
    path(
        "ops/partners/<int:partner_id>/first-handoff/",
        ops_partners.ops_partner_first_handoff,
        name="ops-partner-first-handoff",
    ),
    path(
        "ops/partners/<int:partner_id>/pause/",
        ops_partners.ops_partner_pause,
        name="ops-partner-pause",
    ),
    path(
        "ops/partners/<int:partner_id>/resume/",
        ops_partners.ops_partner_resume,
        name="ops-partner-resume",
    ),
    path(
        "ops/partners/<int:partner_id>/offboard/",
        ops_partners.ops_partner_offboard,
        name="ops-partner-offboard",
    ),
    path(
        "ops/members/<int:member_id>/background-result/",
        ops_partners.ops_member_background_result,
        name="ops-member-background-result",
    ),
]
