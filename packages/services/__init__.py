"""Every change to DSP data, packages and handoffs. One function per action; each is atomic
and writes its PackageEvent. Pages and the API call these same functions."""

from packages.services.common import ActorNotAllowed
from packages.services.deliveries import (
    day_close,
    delivery_start,
    incident_resolve,
    package_attempt,
    package_deliver,
    package_delivery_undo,
    package_queue_for_return,
)
from packages.services.handoff_close import handoff_confirm
from packages.services.handoffs import (
    handoff_open,
    package_mark_damaged,
    package_mark_missing,
    package_receive,
    package_return_to_dsp,
    package_scan_in,
)
from packages.services.manifests import (
    ManifestRejected,
    manifest_ingest,
    manifest_upload_confirm,
    manifest_upload_stage,
)
from packages.services.tokens import dsp_token_create, dsp_token_revoke, dsp_token_rotate

__all__ = [
    "ActorNotAllowed",
    "ManifestRejected",
    "day_close",
    "delivery_start",
    "dsp_token_create",
    "dsp_token_revoke",
    "dsp_token_rotate",
    "handoff_confirm",
    "handoff_open",
    "incident_resolve",
    "manifest_ingest",
    "manifest_upload_confirm",
    "manifest_upload_stage",
    "package_attempt",
    "package_deliver",
    "package_delivery_undo",
    "package_mark_damaged",
    "package_mark_missing",
    "package_queue_for_return",
    "package_receive",
    "package_return_to_dsp",
    "package_scan_in",
]
