"""REST API v1 for DSP systems, drivers' and partners' devices, and ops.

One APIView per operation, except where the issue fixes one URL for a list and a create
(`/manifests`, `/handoffs`): DRF routes by URL, so those two share a class, each method with
its own serializers. Every view reads through the scoped selectors and writes through the
same services the pages use.
"""

from packages.apis.handoffs import (
    HandoffConfirmApi,
    HandoffDetailApi,
    HandoffListOpenApi,
    IncidentListApi,
    IncidentResolveApi,
)
from packages.apis.manifests import ManifestDetailApi, ManifestListCreateApi
from packages.apis.packages import (
    PackageDetailApi,
    PackageEventCreateApi,
    PackageEventListApi,
    PackageListApi,
)
from packages.apis.sync import SyncApi

__all__ = [
    "HandoffConfirmApi",
    "HandoffDetailApi",
    "HandoffListOpenApi",
    "IncidentListApi",
    "IncidentResolveApi",
    "ManifestDetailApi",
    "ManifestListCreateApi",
    "PackageDetailApi",
    "PackageEventCreateApi",
    "PackageEventListApi",
    "PackageListApi",
    "SyncApi",
]
