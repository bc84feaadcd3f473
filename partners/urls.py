from django.urls import path

from partners.views import applicant, ops, partner, public

app_name = "partners"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("apply/home/", applicant.applicant_home, name="applicant-home"),
    path("partner/", partner.partner_home, name="partner-home"),
    path("ops/", ops.ops_home, name="ops-home"),
]
