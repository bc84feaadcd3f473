"""Every audit row of the DSP side is written here (like partners/events.py): one function,
`dsp_event_record`. Nothing else creates DspEvent rows (tests/packages/test_dsp_keys.py
greps for it)."""

from accounts.models import User
from packages.models import Dsp, DspApiToken, DspEvent, DspEventKind


def dsp_event_record(
    *,
    dsp: Dsp,
    actor: User | None,
    kind: DspEventKind,
    token: DspApiToken | None = None,
    from_state: str = "",
    to_state: str = "",
    detail: str = "",
    reason: str = "",
) -> DspEvent:
    """Log `kind` on the DSP. Call inside the transaction that makes the change it records;
    `from_state` is "" for a creation."""
    return DspEvent.objects.create(
        dsp=dsp,
        token=token,
        actor=actor,
        kind=DspEventKind(kind),
        from_state=from_state,
        to_state=to_state,
        detail=detail,
        reason=reason,
    )
