from django.contrib import admin

from partners.models import Partner, PartnerMember


class PartnerMemberInline(admin.TabularInline):
    model = PartnerMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["trade_name", "city", "state", "status", "daily_capacity"]
    list_filter = ["status", "state"]
    search_fields = ["trade_name", "legal_name", "zip_code"]
    raw_id_fields = ["owner"]
    inlines = [PartnerMemberInline]


# ------------------------------------------------------------------------------
# Recruiting. Applications change state only through services, so the admin is read-only
# for them; markets and target states have their own ops pages that invite leads.
# ------------------------------------------------------------------------------
from partners.models import (  # noqa: E402
    ApplicationDocument,
    ApplicationEvent,
    ApplicationNote,
    Lead,
    Market,
    PartnerApplication,
    TargetState,
)


@admin.register(TargetState)
class TargetStateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "center_zip",
        "radius_miles",
        "is_active",
        "active_partner_target",
        "rate_per_package",
    ]
    list_editable = ["active_partner_target", "rate_per_package"]
    list_filter = ["is_active", "state"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "zip_code", "state", "source", "created", "invited_at"]
    list_filter = ["state", "source"]
    search_fields = ["email", "zip_code"]
    readonly_fields = ["invited_at", "invited_for", "application"]


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created", "actor", "kind", "from_status", "to_status", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    can_delete = False
    fields = ["kind", "original_name", "content_type", "size", "created"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ApplicationNoteInline(admin.TabularInline):
    model = ApplicationNote
    extra = 0
    readonly_fields = ["author", "created"]


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "state", "zip_code", "status", "submitted_at"]
    list_filter = ["status", "state", "business_type"]
    search_fields = ["legal_name", "trade_name", "owner__email", "zip_code"]
    raw_id_fields = ["owner", "assigned_reviewer", "market", "partner"]
    readonly_fields = ["status", "partner", "submitted_at", "decided_at"]
    inlines = [ApplicationDocumentInline, ApplicationEventInline, ApplicationNoteInline]
