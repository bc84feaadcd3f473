"""Great-circle distances on a spherical Earth: pure arithmetic, shared by every app."""

import math

EARTH_RADIUS_MILES = 3958.8
METRES_PER_MILE = 1609.344
# A little under the true 69.09, so a box drawn with it never cuts a circle short.
MILES_PER_DEGREE_LATITUDE = 69.0


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))
