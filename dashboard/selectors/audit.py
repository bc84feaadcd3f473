"""The ops audit log: every event model of the program read as one list, newest first.

Each family of events is one entry in FAMILIES: its model, and how its columns map onto the
log's columns. The log is one SQL UNION of the families' `.values()` querysets, ordered and
sliced in the database, so a page costs the same two queries (count and rows) however many
rows each family holds. Adding a family (holidays, rates) is one more entry.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import CharField, F, Model, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from packages.models import DspEvent, DspEventKind, TokenState
from partners.models import (
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationStatus,
    NetworkEvent,
    NetworkEventKind,
    PartnerEvent,
    PartnerEventKind,
    PartnerStatus,
)

COLUMNS = ("family", "event_id", "at", "actor", "kind", "subject", "before", "after", "detail")


@dataclass(frozen=True)
class AuditFamily:
    """How one event model reads as audit rows: each expression names a log column."""

    key: str
    label: str | Promise
    model: type[Model]
    kinds: type  # the model's TextChoices of kinds
    subject: Callable[[], object]  # an expression: the changed object's name
    before: str
    after: str
    detail: Callable[[], object]
    states: dict[str, str | Promise] | None = None  # labels of before/after codes

    def rows(self) -> QuerySet:
        return self.model.objects.annotate(
            family=Value(self.key, output_field=CharField()),
            event_id=F("id"),
            at=F("created"),
            actor_email=Coalesce(F("actor__email"), Value(""), output_field=CharField()),
            event_kind=F("kind"),
            subject=Cast(self.subject(), CharField()),
            before=Cast(F(self.before), CharField()),
            after=Cast(F(self.after), CharField()),
            detail_text=Cast(self.detail(), CharField()),
        )


def _text(field: str) -> object:
    return Coalesce(NullIf(F(field), Value("")), Value(""), output_field=CharField())


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
            detail=lambda: F("reason"),
            states=dict(ApplicationStatus.choices),
        ),
        AuditFamily(
            key="partner",
            label=_("Partners"),
            model=PartnerEvent,
            kinds=PartnerEventKind,
            subject=lambda: F("partner__trade_name"),
            before="from_status",
            after="to_status",
            detail=lambda: F("detail"),
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
            detail=lambda: Value(""),
        ),
        AuditFamily(
            key="dsp",
            label=_("DSPs and API keys"),
            model=DspEvent,
            kinds=DspEventKind,
            subject=lambda: F("dsp__name"),
            before="from_state",
            after="to_state",
            detail=lambda: Concat(_text("detail"), Value(" "), _text("reason")),
            states=dict(TokenState.choices),
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
        choices += [(f"{family.key}:{value}", label) for value, label in family.kinds.choices]
    return choices


def _family_rows(family: AuditFamily, filters: AuditFilters) -> QuerySet:
    rows = family.rows()
    if filters.kind and ":" in filters.kind:
        rows = rows.filter(kind=filters.kind.split(":", 1)[1])
    if filters.actor:
        rows = rows.filter(actor_email__icontains=filters.actor)
    if filters.date_from:
        rows = rows.filter(created__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(created__date__lte=filters.date_to)
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


def audit_row(values: dict) -> AuditRow:
    """A row of the union in the reader's words: the kind's and the states' labels."""
    family = FAMILIES[values["family"]]
    states = family.states or {}
    return AuditRow(
        family=family.label,
        at=values["at"],
        actor=values["actor_email"],
        kind=dict(family.kinds.choices).get(values["event_kind"], values["event_kind"]),
        subject=values["subject"] or "",
        before=states.get(values["before"], values["before"] or ""),
        after=states.get(values["after"], values["after"] or ""),
        detail=(values["detail_text"] or "").strip(),
    )


def audit_rows(values: Iterator[dict]) -> Iterator[AuditRow]:
    return (audit_row(row) for row in values)
