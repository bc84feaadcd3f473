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
