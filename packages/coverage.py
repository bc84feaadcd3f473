"""The manifest's coverage check as a port: packages asks, routing answers.

Which ZIPs and what radius a partner serves is routing's data (routing.models.Coverage) and
routing's rule (the default radius that assignment also uses), and routing sits above
packages, so packages may not import it. Packages states here what the manifest needs;
routing registers the answer when the app registry is ready (RoutingConfig.ready). Without a
registered check the manifest refuses to run: the rule is never skipped in silence.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from partners.models import Partner


@dataclass(frozen=True)
class PackagePlace:
    """Where one manifest row's package is: its ZIP and its point (given, or the ZIP's
    centroid). `row` is the 1-based row of the manifest."""

    row: int
    zip_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PlaceOutside:
    """A row outside the partner's coverage, `miles` from the shop. `coverage` says what the
    partner covers, for the error message."""

    row: int
    miles: float
    coverage: str


class CoverageCheck(Protocol):
    def __call__(
        self, *, partner: Partner, places: Sequence[PackagePlace]
    ) -> list[PlaceOutside]: ...


_registered: list[CoverageCheck] = []


def coverage_check_register(check: CoverageCheck) -> None:
    """Install the check (one at a time: registering again replaces it)."""
    _registered[:] = [check]


def places_outside_coverage(
    *, partner: Partner, places: Sequence[PackagePlace]
) -> list[PlaceOutside]:
    """The places the partner does not cover, in the order given. Set-based: the registered
    check reads the partner's coverage once, whatever the number of places."""
    if not _registered:
        raise ImproperlyConfigured(
            "No manifest coverage check is registered: routing must be in INSTALLED_APPS."
        )
    return _registered[0](partner=partner, places=places)
