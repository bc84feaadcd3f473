from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("ops/dashboard/", views.ops_dashboard, name="ops-dashboard"),
    path("ops/dashboard/<slug:table>.csv", views.ops_dashboard_csv, name="ops-dashboard-csv"),
]
