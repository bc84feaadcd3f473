from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("ops/capacity/", views.ops_capacity, name="ops-capacity"),
    path("ops/capacity.csv", views.ops_capacity_csv, name="ops-capacity-csv"),
    path(
        "ops/capacity/<int:report_id>.csv",
        views.ops_capacity_report_csv,
        name="ops-capacity-report-csv",
    ),
    path("ops/capacity/<int:report_id>/", views.ops_capacity_report, name="ops-capacity-report"),
    path(
        "ops/capacity/findings/<int:finding_id>/apply/",
        views.ops_finding_apply,
        name="ops-finding-apply",
    ),
    path(
        "ops/capacity/zip-moves/<int:move_id>/undo/",
        views.ops_zip_move_undo,
        name="ops-zip-move-undo",
    ),
    path("ops/partners/<int:partner_id>/route/", views.ops_partner_route, name="ops-partner-route"),
    path(
        "ops/partners/<int:partner_id>/route/rebuild/",
        views.ops_partner_route_rebuild,
        name="ops-partner-route-rebuild",
    ),
    path(
        "ops/partners/<int:partner_id>/coverage/",
        views.ops_partner_coverage,
        name="ops-partner-coverage",
    ),
    path("ops/assignment/", views.ops_assignment, name="ops-assignment"),
    path("ops/assignment.csv", views.ops_assignment_csv, name="ops-assignment-csv"),
    path("partner/route/", views.partner_route, name="partner-route"),
    path("driver/route/", views.driver_dropoff_route, name="driver-route"),
]
