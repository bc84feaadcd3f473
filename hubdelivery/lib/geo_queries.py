"""Distances inside a query: the haversine of hubdelivery.lib.geo as a database expression,
so "within N miles of a point" filters and composes like any other lookup. PostgreSQL has the
trigonometric functions; Django registers them on SQLite."""

import math

from django.db.models import Expression, F, FloatField, Q, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from hubdelivery.lib.geo import EARTH_RADIUS_MILES, MILES_PER_DEGREE_LATITUDE


def miles_between(
    lat1: Expression, lng1: Expression, lat2: Expression, lng2: Expression
) -> Expression:
    """Great-circle miles between two points given as expressions (fields, outer references
    or values)."""
    phi1, phi2 = Radians(lat1), Radians(lat2)
    half_dphi = (phi2 - phi1) / Value(2.0)
    half_dlmb = (Radians(lng2) - Radians(lng1)) / Value(2.0)
    a = Power(Sin(half_dphi), 2) + Cos(phi1) * Cos(phi2) * Power(Sin(half_dlmb), 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(a), output_field=FloatField())


def miles_from(latitude: float, longitude: float, *, lat_field: str, lng_field: str) -> Expression:
    """Great-circle miles from the point to the row's (`lat_field`, `lng_field`)."""
    point = (Value(float(latitude)), Value(float(longitude)))
    return miles_between(*point, F(lat_field), F(lng_field))


def within_box(
    latitude: float, longitude: float, miles: float, *, lat_field: str, lng_field: str
) -> Q:
    """The square around the point that holds every row within `miles`: a cheap, indexable
    prefilter before the exact distance."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlng = miles / (MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
    return Q(
        **{
            f"{lat_field}__range": (latitude - dlat, latitude + dlat),
            f"{lng_field}__range": (longitude - dlng, longitude + dlng),
        }
    )
