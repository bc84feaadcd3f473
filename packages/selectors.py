from accounts.models import User
from packages.models import Driver


def driver_get_for_user(*, user: User) -> Driver | None:
    return Driver.objects.select_related("dsp", "home_station").filter(user=user).first()
