from django.urls import path

from packages.views import driver, dsp, dsp_network, handoff, manifests, offline, ops, today

app_name = "packages"

urlpatterns = [
    path("driver/", driver.driver_home, name="driver-home"),
    # The installable phone app (issue 19): the worker at the root, so its scope is the site
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest/<str:role>.webmanifest", offline.app_manifest, name="app-manifest"),
    # DSPs: ops admins (any DSP) and the DSP's managers (their own), issue 18
    path("ops/dsps/", dsp.ops_dsp_list, name="ops-dsps"),
    path("ops/dsps/new/", dsp_network.dsp_create, name="dsp-create"),
    path("dsps/<int:dsp_id>/edit/", dsp_network.dsp_edit, name="dsp-edit"),
    path("dsps/<int:dsp_id>/deactivate/", dsp_network.dsp_deactivate, name="dsp-deactivate"),
    path("dsps/<int:dsp_id>/reactivate/", dsp_network.dsp_reactivate, name="dsp-reactivate"),
    path("dsps/<int:dsp_id>/stations/new/", dsp_network.station_create, name="station-create"),
    path("stations/<int:station_id>/edit/", dsp_network.station_edit, name="station-edit"),
    path("stations/<int:station_id>/", dsp_network.station_page, name="station"),
    path(
        "stations/<int:station_id>/partners/add/",
        dsp_network.station_partner_add,
        name="station-partner-add",
    ),
    path(
        "stations/<int:station_id>/partners/remove/",
        dsp_network.station_partner_remove,
        name="station-partner-remove",
    ),
    path("dsps/<int:dsp_id>/drivers/invite/", dsp_network.driver_invite, name="driver-invite"),
    path("drivers/<int:driver_id>/move/", dsp_network.driver_move, name="driver-move"),
    path("drivers/<int:driver_id>/remove/", dsp_network.driver_remove, name="driver-remove"),
    path("driver/join/<str:uidb64>/<str:token>/", dsp_network.driver_join, name="driver-join"),
    path(
        "dsps/<int:dsp_id>/managers/invite/",
        dsp_network.dsp_manager_invite,
        name="dsp-manager-invite",
    ),
    path(
        "dsp-managers/<int:manager_id>/remove/",
        dsp_network.dsp_manager_remove,
        name="dsp-manager-remove",
    ),
    path(
        "dsp/join/<str:uidb64>/<str:token>/",
        dsp_network.dsp_manager_join,
        name="dsp-manager-join",
    ),
    path("dsp/", dsp.dsp_home, name="dsp-home"),
    path("dsps/<int:dsp_id>/", dsp.dsp_page, name="dsp"),
    path("dsps/<int:dsp_id>/keys/", dsp.dsp_keys, name="dsp-keys"),
    path("dsps/<int:dsp_id>/keys/issue/", dsp.dsp_key_issue, name="dsp-key-issue"),
    path("keys/<int:token_id>/revoke/", dsp.dsp_key_revoke, name="dsp-key-revoke"),
    path("keys/<int:token_id>/rotate/", dsp.dsp_key_rotate, name="dsp-key-rotate"),
    path("ops/manifests/upload/", manifests.ops_manifest_upload, name="ops-manifest-upload"),
    path(
        "ops/manifests/uploads/<int:upload_id>/",
        manifests.ops_manifest_upload_preview,
        name="ops-manifest-upload-preview",
    ),
    path(
        "ops/manifests/uploads/<int:upload_id>/confirm/",
        manifests.ops_manifest_upload_confirm,
        name="ops-manifest-upload-confirm",
    ),
    # Handoffs: the driver and the partner
    path("handoffs/", handoff.handoff_start, name="handoff-start"),
    path("handoffs/<int:handoff_id>/", handoff.handoff_page, name="handoff"),
    path("handoffs/<int:handoff_id>/scan/", handoff.handoff_scan, name="handoff-scan"),
    path(
        "handoffs/<int:handoff_id>/confirm/",
        handoff.handoff_confirm,
        name="handoff-confirm",
    ),
    # The partner's day
    path("today/", today.today_page, name="today"),
    path("today/deliver/", today.deliver_check, name="deliver-check"),
    path("today/close/", today.day_close, name="day-close"),
    path(
        "packages/<str:tracking_id>/",
        today.package_history,
        name="package-history",
    ),
    path(
        "packages/<str:tracking_id>/deliver/",
        today.package_deliver,
        name="package-deliver",
    ),
    path(
        "packages/<str:tracking_id>/attempt/",
        today.package_attempt,
        name="package-attempt",
    ),
    path("packages/<str:tracking_id>/undo/", today.package_undo, name="package-undo"),
    path("photos/<int:attempt_id>/", today.proof_photo, name="proof-photo"),
    # Ops
    path("ops/handoffs/", ops.ops_handoff_list, name="ops-handoffs"),
    path("ops/handoffs.csv", ops.ops_handoff_list_csv, name="ops-handoffs-csv"),
    path(
        "ops/handoffs/<int:handoff_id>/",
        ops.ops_handoff_detail,
        name="ops-handoff",
    ),
    path("ops/incidents/", ops.ops_incident_queue, name="ops-incidents"),
    path("ops/late-events/", ops.ops_late_events, name="ops-late-events"),
    path("ops/incidents.csv", ops.ops_incident_queue_csv, name="ops-incidents-csv"),
    path(
        "ops/incidents/<int:incident_id>/resolve/",
        ops.ops_incident_resolve,
        name="ops-incident-resolve",
    ),
    path("ops/packages/", ops.ops_package_lookup, name="ops-package-lookup"),
    path(
        "ops/packages/<str:tracking_id>/",
        ops.ops_package_detail,
        name="ops-package",
    ),
]
