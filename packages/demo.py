"""Demo DSP, station and driver."""

from accounts.models import User
from packages.models import Driver, Dsp, Station


def seed() -> None:
    dsp, _ = Dsp.objects.get_or_create(
        name="Harbor Last Mile Inc.", defaults={"contact_email": "dispatch@harbor.example"}
    )
    station, _ = Station.objects.get_or_create(
        code="BOS1",
        defaults={
            "dsp": dsp,
            "name": "Boston South Station depot",
            "address_line": "1 Widett Cir",
            "zip_code": "02118",
            "latitude": 42.3374,
            "longitude": -71.0589,
        },
    )
    Driver.objects.get_or_create(
        user=User.objects.get(email="driver@demo.hub"),
        defaults={"dsp": dsp, "home_station": station},
    )
