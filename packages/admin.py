from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from packages.models import (
    Driver,
    Dsp,
    DspApiToken,
    Handoff,
    Incident,
    Manifest,
    Package,
    PackageEvent,
    Station,
)
from packages.services import dsp_token_create, dsp_token_revoke


class StationInline(admin.TabularInline):
    model = Station
    extra = 0


@admin.register(Dsp)
class DspAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "created"]
    search_fields = ["name"]
    inlines = [StationInline]


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ["user", "dsp", "home_station"]
    list_filter = ["dsp"]
    raw_id_fields = ["user"]


class DspApiTokenForm(forms.ModelForm):
    class Meta:
        model = DspApiToken
        fields = ["dsp", "label"]


@admin.register(DspApiToken)
class DspApiTokenAdmin(admin.ModelAdmin):
    """Ops admins create tokens here (the key is shown once) and revoke them with the action."""

    form = DspApiTokenForm
    list_display = ["dsp", "label", "key_prefix", "created", "last_used_at", "revoked_at"]
    list_filter = ["dsp", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: DspApiToken | None = None) -> bool:
        return False  # a token is created or revoked, never edited

    def has_delete_permission(self, request: HttpRequest, obj: DspApiToken | None = None) -> bool:
        return False  # revoked tokens stay, for the manifests they created

    def save_model(self, request: HttpRequest, obj: DspApiToken, form, change: bool) -> None:
        token, key = dsp_token_create(actor=request.user, dsp=obj.dsp, label=obj.label)
        obj.pk = token.pk
        messages.warning(
            request,
            f"The key of {token}: {key} — copy it now into the DSP's system; "
            "it is not stored and cannot be shown again.",
        )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Nothing related to save; the token row was written by the service."""

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset) -> None:
        for token in queryset:
            dsp_token_revoke(actor=request.user, token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Package data changes only through the services (each writes its event)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "dsp", "partner", "service_date", "package_count", "source"]
    list_filter = ["dsp", "service_date"]
    search_fields = ["external_id"]


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = ["tracking_id", "partner", "service_date", "status"]
    list_filter = ["status", "service_date"]
    search_fields = ["tracking_id"]
    list_select_related = ["partner"]


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ["partner", "direction", "service_date", "status", "expected", "received"]
    list_filter = ["status", "direction"]
    list_select_related = ["partner"]


@admin.register(PackageEvent)
class PackageEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "tracking_id", "event_type", "from_status", "to_status", "actor"]
    list_filter = ["event_type"]
    search_fields = ["tracking_id", "idempotency_key"]
    list_select_related = ["actor"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["package", "reason", "status", "opened_at", "resolution"]
    list_filter = ["status", "reason"]
    list_select_related = ["package"]
