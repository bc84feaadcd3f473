from django.contrib import admin

from packages.models import Driver, Dsp, Station


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
