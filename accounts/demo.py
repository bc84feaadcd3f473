"""Demo log-ins, one per role. Every later app seeds its own data in its own demo.py."""

from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant, user_language_set

# The public demo password (README), not a secret: seed_demo refuses to run without DEBUG.
DEMO_PASSWORD = "hubdelivery-demo"  # noqa: S105  # nosec B105

DEMO_USERS: list[tuple[str, str, Role]] = [
    ("applicant@demo.hub", "Alex Applicant", Role.APPLICANT),
    ("owner@demo.hub", "Olivia Owner", Role.PARTNER_OWNER),
    ("staff@demo.hub", "Sam Staff", Role.PARTNER_STAFF),
    ("reviewer@demo.hub", "Riley Reviewer", Role.OPS_REVIEWER),
    ("opsadmin@demo.hub", "Ada Opsadmin", Role.OPS_ADMIN),
    ("driver@demo.hub", "Dev Driver", Role.DSP_DRIVER),
    ("dspmanager@demo.hub", "Morgan Manager", Role.DSP_MANAGER),
]
# The staff member reads the portal in Spanish (issue 17): log in as them to see it.
DEMO_LANGUAGES = {"staff@demo.hub": "es"}


def demo_user_ensure(*, email: str, full_name: str, roles: list[Role]) -> User:
    """Create the user with a verified email and the demo password, or leave it as it is."""
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    for role in roles:
        role_grant(user=user, role=role)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed() -> None:
    for email, full_name, role in DEMO_USERS:
        user = demo_user_ensure(email=email, full_name=full_name, roles=[role])
        if email in DEMO_LANGUAGES:
            user_language_set(user=user, language=DEMO_LANGUAGES[email])
