"""Offline US ZIP data (the `zipcodes` package): ZIP -> state, city, centroid, time zone."""

import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

ZIP_PATTERN = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ZipInfo:
    zip_code: str
    state: str
    city: str
    latitude: float
    longitude: float
    time_zone: str


@lru_cache(maxsize=4096)
def zip_lookup(zip_code: str) -> ZipInfo | None:
    """The ZIP's data, or None when it is malformed or unknown."""
    zip_code = zip_code.strip()[:5]
    if not ZIP_PATTERN.match(zip_code):
        return None
    matches = zipcodes.matching(zip_code)
    if not matches:
        return None
    row = matches[0]
    return ZipInfo(
        zip_code=zip_code,
        state=row["state"],
        city=row["city"].title(),
        latitude=float(row["lat"]),
        longitude=float(row["long"]),
        time_zone=row["timezone"] or "America/New_York",
    )
