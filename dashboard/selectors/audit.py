"""The ops audit log: every event model of the program read as one list, newest first.

Each family of events is one entry in FAMILIES: its model, and SQL expressions for the log's
columns (who, when, what, which object, before, after, detail). The log is one SQL UNION of
the families' `.values()` querysets, ordered and sliced in the database, so a page costs the
same two queries (count and rows) however many rows each family holds. Pay rows are their own
audit (a rate, an adjustment, a paid week), so those families read the pay tables directly.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dashboard.models import MarketRate, StatementAdjustment, WeeklyStatement
from packages.models import DspEvent, DspEventKind, TokenState
from partners.models import (
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationStatus,
    HolidayEvent,
    HolidayEventKind,
    NetworkEvent,
    NetworkEventKind,
    PartnerEvent,
    PartnerEventKind,
    PartnerStatus,
)

COLUMNS = ("family", "event_id", "at", "actor", "kind", "subject", "before", "after", "detail")

Expression = Callable[[], object]
# A column of the log: a field of the family's model, or a function building its expression.
Column = str | Expression


class RateKind(TextChoices):
    SET = "set", _("Rate set")


class AdjustmentKind(TextChoices):
    ADDED = "added", _("Statement adjusted")


class PaidWeekKind(TextChoices):
    PAID = "paid", _("Week marked paid")


@dataclass(frozen=True)
class AuditFamily:
    """How one model reads as audit rows: each expression gives one column of the log. Event
    tables need only subject, before, after and detail; other tables name their actor and time
    fields, give their kind as an expression and keep only their audited rows (`only`)."""

    key: str
    label: str | Promise
    model: type[Model]
    kinds: type[TextChoices]
    subject: Column  # the changed object's name
    before: Column
    after: Column
    detail: Column
    states: dict[str, str | Promise] | None = None  # labels of before/after codes
    money: bool = False  # before/after are dollar amounts
    detail_format: Callable[[str], str] | None = None  # the detail in the reader's words
    actor: str = "actor"  # the user who acted
    at: str = "created"
    kind: Column = "kind"
    only: Q | None = None

    def rows(self) -> QuerySet:
        rows = self.model.objects.filter(self.only or Q())
        return rows.annotate(
            family=Value(self.key, output_field=CharField()),
            event_id=F("id"),
            at=F(self.at),
            actor_email=Coalesce(F(f"{self.actor}__email"), Value(""), output_field=CharField()),
            event_kind=Cast(_column(self.kind), CharField()),
            subject=Cast(_column(self.subject), CharField()),
            before=Cast(_column(self.before), CharField()),
            after=Cast(_column(self.after), CharField()),
            detail_text=Cast(_column(self.detail), CharField()),
        )


def _column(column: Column) -> object:
    return F(column) if isinstance(column, str) else column()


def _text(field: str) -> object:
    return Coalesce(NullIf(F(field), Value("")), Value(""), output_field=CharField())


def _nothing() -> object:
    return Value("")


def _statement_name(prefix: str = "") -> object:
    """ "<partner> <Monday>": the week a statement covers."""
    return Concat(
        F(f"{prefix}partner__trade_name"),
        Value(" "),
        Cast(F(f"{prefix}week_start"), CharField()),
        output_field=CharField(),
    )


MONEY = DecimalField(max_digits=12, decimal_places=2)


def _week_total_before_adjustment() -> object:
    """The week's total as it stood before this adjustment: its amount and earlier ones."""
    earlier = (
        StatementAdjustment.objects.filter(statement=OuterRef("statement"), pk__lt=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return F("statement__amount") + Coalesce(
        Subquery(earlier, output_field=MONEY), Value(Decimal("0")), output_field=MONEY
    )


# Before and after of a holiday event: whether packages move on that day.
DELIVERY_DAY, HOLIDAY = "delivery-day", "holiday"
HOLIDAY_STATES = {DELIVERY_DAY: _("Delivery day"), HOLIDAY: _("No deliveries")}
HOLIDAY_BEFORE = {
    HolidayEventKind.ADDED: DELIVERY_DAY,
    HolidayEventKind.REMOVED: HOLIDAY,
    HolidayEventKind.SWITCHED_OFF: HOLIDAY,
}
HOLIDAY_AFTER = {
    HolidayEventKind.ADDED: HOLIDAY,
    HolidayEventKind.REMOVED: DELIVERY_DAY,
    HolidayEventKind.SWITCHED_OFF: DELIVERY_DAY,
    HolidayEventKind.SEEDED: HOLIDAY,
}


def _by_kind(values: dict[str, str]) -> Expression:
    return lambda: Case(
        *[When(kind=kind, then=Value(value)) for kind, value in values.items()],
        default=Value(""),
        output_field=CharField(),
    )


UNPAID, PAID = "unpaid", "paid"


FAMILIES: dict[str, AuditFamily] = {
    family.key: family
    for family in [
        AuditFamily(
            key="application",
            label=_("Applications"),
            model=ApplicationEvent,
            kinds=ApplicationEventKind,
            subject=lambda: Concat(
                Coalesce(NullIf(F("application__trade_name"), Value("")), Value("")),
                Value(" #"),
                Cast(F("application_id"), CharField()),
                output_field=CharField(),
            ),
            before="from_status",
            after="to_status",
            detail="reason",
            states=dict(ApplicationStatus.choices),
        ),
        AuditFamily(
            key="partner",
            label=_("Partners"),
            model=PartnerEvent,
            kinds=PartnerEventKind,
            subject="partner__trade_name",
            before="from_status",
            after="to_status",
            detail="detail",
            states=dict(PartnerStatus.choices),
        ),
        AuditFamily(
            key="network",
            label=_("Markets and target states"),
            model=NetworkEvent,
            kinds=NetworkEventKind,
            subject=lambda: Coalesce(
                F("market__name"), F("target_state__code"), output_field=CharField()
            ),
            before="from_value",
            after="to_value",
            detail=_nothing,
        ),
        AuditFamily(
            key="dsp",
            label=_("DSPs and API keys"),
            model=DspEvent,
            kinds=DspEventKind,
            subject="dsp__name",
            before="from_state",
            after="to_state",
            detail=lambda: Concat(_text("detail"), Value(" "), _text("reason")),
            states=dict(TokenState.choices),
        ),
        AuditFamily(
            key="holiday",
            label=_("Holidays"),
            model=HolidayEvent,
            kinds=HolidayEventKind,
            subject="date",
            before=_by_kind(HOLIDAY_BEFORE),
            after=_by_kind(HOLIDAY_AFTER),
            detail="detail",
            states=HOLIDAY_STATES,
        ),
        AuditFamily(
            key="rate",
            label=_("Market rates"),
            model=MarketRate,
            kinds=RateKind,
            actor="set_by",
            at="set_at",
            kind=lambda: Value(RateKind.SET),
            subject="market__name",
            before="previous_rate",
            after="rate_per_package",
            money=True,
            detail="effective_from",
            detail_format=lambda day: gettext("From %(date)s") % {"date": day},
        ),
        AuditFamily(
            key="adjustment",
            label=_("Statement adjustments"),
            model=StatementAdjustment,
            kinds=AdjustmentKind,
            actor="created_by",
            kind=lambda: Value(AdjustmentKind.ADDED),
            subject=lambda: _statement_name("statement__"),
            before=_week_total_before_adjustment,
            after=lambda: _week_total_before_adjustment() + F("amount"),
            money=True,
            detail="reason",
        ),
        AuditFamily(
            key="paid",
            label=_("Paid weeks"),
            model=WeeklyStatement,
            kinds=PaidWeekKind,
            actor="paid_by",
            at="paid_at",
            only=Q(paid_at__isnull=False),
            kind=lambda: Value(PaidWeekKind.PAID),
            subject=_statement_name,
            before=lambda: Value(UNPAID),
            after=lambda: Value(PAID),
            states={
                UNPAID: pgettext_lazy("pay week", "Unpaid"),
                PAID: pgettext_lazy("pay week", "Paid"),
            },
            detail="paid_reference",
            detail_format=lambda reference: (
                gettext("Payment reference %(reference)s") % {"reference": reference}
            ),
        ),
    ]
}


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # part of an email
    kind: str = ""  # "<family>" or "<family>:<kind>"
    date_from: date | None = None
    date_to: date | None = None
    subject: str = ""  # part of the object's name


def kind_choices() -> list[tuple[str, str | Promise]]:
    """The kind filter's options: each family, then each of its kinds."""
    choices: list[tuple[str, str | Promise]] = []
    for family in FAMILIES.values():
        choices.append((family.key, family.label))
        if len(family.kinds.choices) > 1:  # a one-kind family is its own option
            choices += [(f"{family.key}:{value}", label) for value, label in family.kinds.choices]
    return choices


def _family_rows(family: AuditFamily, filters: AuditFilters) -> QuerySet:
    rows = family.rows()
    if filters.kind and ":" in filters.kind:
        rows = rows.filter(event_kind=filters.kind.split(":", 1)[1])
    if filters.actor:
        rows = rows.filter(actor_email__icontains=filters.actor)
    if filters.date_from:
        rows = rows.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(at__date__lte=filters.date_to)
    if filters.subject:
        rows = rows.filter(subject__icontains=filters.subject)
    return rows.values(
        "family",
        "event_id",
        "at",
        "actor_email",
        "event_kind",
        "subject",
        "before",
        "after",
        "detail_text",
    ).order_by()


def audit_log(filters: AuditFilters) -> QuerySet:
    """Every event the filters keep, newest first, as one UNION queryset of dicts."""
    family_key = filters.kind.split(":", 1)[0]
    families = [f for key, f in FAMILIES.items() if not family_key or key == family_key]
    first, *others = [_family_rows(family, filters) for family in families]
    return first.union(*others, all=True).order_by("-at", "-event_id")


@dataclass(frozen=True)
class AuditRow:
    family: str | Promise
    at: datetime
    actor: str
    kind: str | Promise
    subject: str
    before: str | Promise
    after: str | Promise
    detail: str


def _dollars(value: str) -> str:
    """ "$2.75" from the database's text of a decimal (SQLite may write "2.75000000001")."""
    try:
        return f"${Decimal(value).quantize(Decimal('0.01')):,}"
    except InvalidOperation:
        return value


def _state(family: AuditFamily, value: str | None) -> str | Promise:
    if not value:
        return ""
    if family.money:
        return _dollars(value)
    return (family.states or {}).get(value, value)


def audit_row(values: dict) -> AuditRow:
    """A row of the union in the reader's words: the kind's and the states' labels."""
    family = FAMILIES[values["family"]]
    detail = (values["detail_text"] or "").strip()
    if detail and family.detail_format:
        detail = family.detail_format(detail)
    return AuditRow(
        family=family.label,
        at=values["at"],
        actor=values["actor_email"],
        kind=dict(family.kinds.choices).get(values["event_kind"], values["event_kind"]),
        subject=values["subject"] or "",
        before=_state(family, values["before"]),
        after=_state(family, values["after"]),
        detail=detail,
    )


def audit_rows(values: Iterator[dict]) -> Iterator[AuditRow]:
    return (audit_row(row) for row in values)
