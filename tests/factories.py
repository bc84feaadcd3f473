import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from hubdelivery.lib.dates import local_date
from packages.models import (
    Driver,
    Dsp,
    DspManager,
    Manifest,
    Package,
    PackageSize,
    PackageStatus,
    Station,
)
from partners.models import BackgroundCheck, MemberRole, Partner, PartnerMember, PartnerStatus

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@mail.test")
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
    # In Boston like PartnerFactory's shop, so the station serves the default partner.
    home_station = factory.SubFactory(StationFactory, dsp=factory.SelfAttribute("..dsp"))


class DspManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DspManager

    user = factory.SubFactory(UserFactory, roles=[Role.DSP_MANAGER])
    dsp = factory.SubFactory(DspFactory)


# ------------------------------------------------------------------------------
# Recruiting
# ------------------------------------------------------------------------------
import datetime  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402

from partners.models import (  # noqa: E402
    ApplicationDocument,
    ApplicationStatus,
    BusinessType,
    DocumentKind,
    Lead,
    Market,
    PartnerApplication,
)

# The smallest files `filetype` recognises by content.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market

    name = factory.Sequence(lambda n: f"Market {n}")
    state = "CO"
    center_zip = "80202"
    latitude = 39.7530
    longitude = -104.9990
    radius_miles = 10


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@mail.test")
    state = "CO"
    zip_code = "80202"
    latitude = 39.7530
    longitude = -104.9990


class PartnerApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application (ready to submit) for a Boston florist, in draft by default.
    Pass `status=...` to place it anywhere in the machine (with `documents=True` for files)."""

    class Meta:
        model = PartnerApplication
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory, roles=[Role.APPLICANT])
    status = ApplicationStatus.DRAFT
    legal_name = factory.Sequence(lambda n: f"Petal Shop {n} LLC")
    trade_name = factory.Sequence(lambda n: f"Petal Shop {n}")
    business_type = BusinessType.FLORIST
    ein = "04-2103594"
    years_in_business = 6
    owner_name = "Paula Petal"
    owner_phone = "+16172620123"
    address_line = "210 Newbury St"
    city = "Boston"
    state = "MA"
    zip_code = "02116"
    opening_days = ["mon", "tue", "wed", "thu", "fri", "sat"]
    opens_at = datetime.time(8, 0)
    closes_at = datetime.time(19, 0)
    has_secure_storage = True
    storage_description = "Locked back room with shelving"
    storage_capacity = 60
    delivery_modes = ["walk", "bike"]
    daily_capacity = 30
    staff_count = 2
    terms_accepted = True
    submitted_at = factory.LazyAttribute(
        lambda a: (
            None if a.status == ApplicationStatus.DRAFT else datetime.datetime.now(datetime.UTC)
        )
    )

    @factory.post_generation
    def documents(application: PartnerApplication, create: bool, extracted: bool | None, **kw):
        if create and extracted:
            for kind in DocumentKind:
                ApplicationDocumentFactory(application=application, kind=kind)


class ApplicationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(PartnerApplicationFactory)
    kind = DocumentKind.BUSINESS_LICENCE
    original_name = "licence.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="upload"))


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
