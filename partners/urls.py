from django.urls import path

from partners.views import (
    applicant,
    documents,
    holidays,
    markets,
    ops,
    ops_partners,
    partner,
    public,
    review,
)

app_name = "partners"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("eligibility/", public.eligibility_check, name="eligibility"),
    path("waitlist/", public.waitlist_join, name="waitlist-join"),
    # The applicant's pages
    path("apply/home/", applicant.applicant_home, name="applicant-home"),
    path("apply/start/", applicant.application_start, name="application-start"),
    path("apply/<int:pk>/edit/", applicant.application_edit, name="application-edit"),
    path("apply/<int:pk>/withdraw/", applicant.application_withdraw, name="application-withdraw"),
    path("documents/<int:pk>/", documents.document_download, name="document-download"),
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
    path("ops/partners.csv", ops_partners.ops_partner_list_csv, name="ops-partner-list-csv"),
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
    # Ops: recruiting and review
    path("ops/applications/", review.review_queue, name="review-queue"),
    path("ops/applications.csv", review.review_queue_csv, name="review-queue-csv"),
    path("ops/applications/<int:pk>/", review.review_detail, name="review-detail"),
    path("ops/applications/<int:pk>/assign/", review.review_assign, name="review-assign"),
    path("ops/applications/<int:pk>/decide/", review.review_decide, name="review-decide"),
    path("ops/applications/<int:pk>/notes/", review.review_note_add, name="review-note-add"),
    path("ops/waitlist/", review.waitlist_demand, name="waitlist-demand"),
    path("ops/waitlist.csv", review.waitlist_demand_csv, name="waitlist-demand-csv"),
    path("ops/markets/", markets.market_list, name="market-list"),
    path("ops/markets/new/", markets.market_create, name="market-create"),
    path("ops/markets/<int:pk>/edit/", markets.market_edit, name="market-edit"),
    path("ops/markets/<int:pk>/active/", markets.market_set_active, name="market-set-active"),
    path("ops/holidays/", holidays.ops_holidays, name="ops-holidays"),
    path("ops/holidays/add/", holidays.ops_holiday_add, name="ops-holiday-add"),
    path("ops/holidays/<int:pk>/remove/", holidays.ops_holiday_remove, name="ops-holiday-remove"),
    path(
        "ops/holidays/<int:pk>/switch-off/",
        holidays.ops_holiday_switch_off,
        name="ops-holiday-switch-off",
    ),
    path(
        "ops/partners/<int:partner_id>/closure-override/",
        ops_partners.ops_partner_closure_override,
        name="ops-partner-closure-override",
    ),
    path("ops/target-states/", markets.target_state_list, name="target-state-list"),
    path(
        "ops/target-states/<int:pk>/active/",
        markets.target_state_set_active,
        name="target-state-set-active",
    ),
]
