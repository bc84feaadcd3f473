from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("ops/capacity/", views.ops_capacity, name="ops-capacity"),
    path("ops/capacity/<int:report_id>/", views.ops_capacity_report, name="ops-capacity-report"),
]
