from django.contrib import admin

from routing.models import CapacityFinding, CapacityReport


class CapacityFindingInline(admin.TabularInline):
    model = CapacityFinding
    extra = 0
    raw_id_fields = ["partner", "neighbour"]


@admin.register(CapacityReport)
class CapacityReportAdmin(admin.ModelAdmin):
    list_display = [
        "service_date",
        "time_zone",
        "partners_checked",
        "packages_assigned",
        "finished_at",
    ]
    list_filter = ["time_zone", "is_holiday"]
    inlines = [CapacityFindingInline]
