from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("apply/home/", views.applicant_home, name="applicant-home"),
    path("partner/", views.partner_home, name="partner-home"),
    path("ops/", views.ops_home, name="ops-home"),
]
