import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from hubdelivery.lib.dates import local_date
from packages.models import Driver, Dsp, Manifest, Package, PackageSize, PackageStatus, Station
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerMember, PartnerStatus

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(user: User, create: bool, extracted: list[Role] | None, **kwargs) -> None:
        for role in extracted or []:
            role_grant(user=user, role=role)

    @factory.post_generation
    def verified_email(user: User, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    owner = factory.SubFactory(UserFactory, roles=[Role.PARTNER_OWNER])
    legal_name = factory.Sequence(lambda n: f"Corner Shop {n} LLC")
    trade_name = factory.Sequence(lambda n: f"Corner Shop {n}")
    status = PartnerStatus.ACTIVE
    address_line = "210 Newbury St"
    city = "Boston"
    state = "MA"
    zip_code = "02116"
    latitude = 42.3492
    longitude = -71.0768
    time_zone = "America/New_York"
    daily_capacity = 30
    storage_capacity = 40
    delivery_modes = ["walk"]


class PartnerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMember

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.PARTNER_STAFF])
    role = MemberRole.STAFF
    background_check = BackgroundCheck.CLEAR


class DspFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dsp

    name = factory.Sequence(lambda n: f"Last Mile {n} Inc.")


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    dsp = factory.SubFactory(DspFactory)
    code = factory.Sequence(lambda n: f"ST{n}")
    name = "Depot"
    address_line = "1 Widett Cir"
    zip_code = "02118"
    latitude = 42.3374
    longitude = -71.0589


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    user = factory.SubFactory(UserFactory, roles=[Role.DSP_DRIVER])
    dsp = factory.SubFactory(DspFactory)


# ------------------------------------------------------------------------------
# Packages (issue 5)
# ------------------------------------------------------------------------------
class ManifestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manifest

    dsp = factory.SubFactory(DspFactory)
    external_id = factory.Sequence(lambda n: f"MAN-{n:05d}")
    partner = factory.SubFactory(PartnerFactory)
    service_date = factory.LazyAttribute(lambda o: local_date(tz_name=o.partner.time_zone))
    source = "api"


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    tracking_id = factory.Sequence(lambda n: f"TBA{n:09d}")
    manifest = factory.SubFactory(ManifestFactory)
    dsp = factory.SelfAttribute("manifest.dsp")
    partner = factory.SelfAttribute("manifest.partner")
    service_date = factory.SelfAttribute("manifest.service_date")
    recipient_name = factory.Faker("name")
    address_line = factory.Sequence(lambda n: f"{n + 1} Boylston St")
    city = "Boston"
    zip_code = "02116"
    latitude = 42.3496
    longitude = -71.0746
    size = PackageSize.MEDIUM
    status = PackageStatus.MANIFESTED
