from django.urls import path

from packages import apis

urlpatterns = [
    path("manifests", apis.ManifestListCreateApi.as_view(), name="api-manifests"),
    path("manifests/<int:pk>", apis.ManifestDetailApi.as_view(), name="api-manifest-detail"),
    path("packages", apis.PackageListApi.as_view(), name="api-packages"),
    path("packages/<str:tracking_id>", apis.PackageDetailApi.as_view(), name="api-package-detail"),
    path(
        "packages/<str:tracking_id>/events",
        apis.PackageEventListApi.as_view(),
        name="api-package-events",
    ),
    path("package-events", apis.PackageEventCreateApi.as_view(), name="api-package-event-create"),
    path("sync", apis.SyncApi.as_view(), name="api-sync"),
    path("handoffs", apis.HandoffListOpenApi.as_view(), name="api-handoffs"),
    path("handoffs/<int:pk>", apis.HandoffDetailApi.as_view(), name="api-handoff-detail"),
    path("handoffs/<int:pk>/confirm", apis.HandoffConfirmApi.as_view(), name="api-handoff-confirm"),
    path("incidents", apis.IncidentListApi.as_view(), name="api-incidents"),
    path(
        "incidents/<int:pk>/resolve",
        apis.IncidentResolveApi.as_view(),
        name="api-incident-resolve",
    ),
]
