from django.urls import path

from packages import views

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
]
