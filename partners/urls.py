from django.urls import path

from partners.views import applicant, documents, markets, ops, partner, public, review

app_name = "partners"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("eligibility/", public.eligibility_check, name="eligibility"),
    path("waitlist/", public.waitlist_join, name="waitlist-join"),
    path("apply/home/", applicant.applicant_home, name="applicant-home"),
    path("apply/start/", applicant.application_start, name="application-start"),
    path("apply/<int:pk>/edit/", applicant.application_edit, name="application-edit"),
    path("apply/<int:pk>/withdraw/", applicant.application_withdraw, name="application-withdraw"),
    path("documents/<int:pk>/", documents.document_download, name="document-download"),
    path("partner/", partner.partner_home, name="partner-home"),
    path("ops/", ops.ops_home, name="ops-home"),
    path("ops/applications/", review.review_queue, name="review-queue"),
    path("ops/applications/<int:pk>/", review.review_detail, name="review-detail"),
    path("ops/applications/<int:pk>/assign/", review.review_assign, name="review-assign"),
    path("ops/applications/<int:pk>/decide/", review.review_decide, name="review-decide"),
    path("ops/applications/<int:pk>/notes/", review.review_note_add, name="review-note-add"),
    path("ops/waitlist/", review.waitlist_demand, name="waitlist-demand"),
    path("ops/markets/", markets.market_list, name="market-list"),
    path("ops/markets/new/", markets.market_create, name="market-create"),
    path("ops/markets/<int:pk>/edit/", markets.market_edit, name="market-edit"),
    path("ops/markets/<int:pk>/active/", markets.market_set_active, name="market-set-active"),
    path("ops/target-states/", markets.target_state_list, name="target-state-list"),
    path(
        "ops/target-states/<int:pk>/active/",
        markets.target_state_set_active,
        name="target-state-set-active",
    ),
]
