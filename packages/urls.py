from django.urls import path

from packages import views, views_handoff, views_ops, views_today

app_name = "packages"

urlpatterns = [
    path("driver/", views.driver_home, name="driver-home"),
    path("ops/manifests/upload/", views.ops_manifest_upload, name="ops-manifest-upload"),
    path(
        "ops/manifests/uploads/<int:upload_id>/",
        views.ops_manifest_upload_preview,
        name="ops-manifest-upload-preview",
    ),
    path(
        "ops/manifests/uploads/<int:upload_id>/confirm/",
        views.ops_manifest_upload_confirm,
        name="ops-manifest-upload-confirm",
    ),
    # Handoffs: the driver and the partner
    path("handoffs/", views_handoff.handoff_start, name="handoff-start"),
    path("handoffs/<int:handoff_id>/", views_handoff.handoff_page, name="handoff"),
    path("handoffs/<int:handoff_id>/scan/", views_handoff.handoff_scan, name="handoff-scan"),
    path(
        "handoffs/<int:handoff_id>/confirm/",
        views_handoff.handoff_confirm,
        name="handoff-confirm",
    ),
    # The partner's day
    path("today/", views_today.today_page, name="today"),
    path("today/deliver/", views_today.deliver_check, name="deliver-check"),
    path("today/close/", views_today.day_close, name="day-close"),
    path(
        "packages/<str:tracking_id>/",
        views_today.package_history,
        name="package-history",
    ),
    path(
        "packages/<str:tracking_id>/deliver/",
        views_today.package_deliver,
        name="package-deliver",
    ),
    path(
        "packages/<str:tracking_id>/attempt/",
        views_today.package_attempt,
        name="package-attempt",
    ),
    path("packages/<str:tracking_id>/undo/", views_today.package_undo, name="package-undo"),
    path("photos/<int:attempt_id>/", views_today.proof_photo, name="proof-photo"),
    # Ops
    path("ops/handoffs/", views_ops.ops_handoff_list, name="ops-handoffs"),
    path(
        "ops/handoffs/<int:handoff_id>/",
        views_ops.ops_handoff_detail,
        name="ops-handoff",
    ),
    path("ops/incidents/", views_ops.ops_incident_queue, name="ops-incidents"),
    path(
        "ops/incidents/<int:incident_id>/resolve/",
        views_ops.ops_incident_resolve,
        name="ops-incident-resolve",
    ),
    path("ops/packages/", views_ops.ops_package_lookup, name="ops-package-lookup"),
    path(
        "ops/packages/<str:tracking_id>/",
        views_ops.ops_package_detail,
        name="ops-package",
    ),
]
