from django.conf import settings
from django.db import models


class Dsp(models.Model):
    """A Delivery Service Partner: the company whose drivers bring packages to partners."""

    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "DSP"
        verbose_name_plural = "DSPs"

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A DSP's depot, where drivers load the morning's packages."""

    dsp = models.ForeignKey(Dsp, on_delete=models.CASCADE, related_name="stations")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=200)
    zip_code = models.CharField(max_length=5)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Driver(models.Model):
    """A DSP driver's log-in, tied to one DSP."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="driver"
    )
    dsp = models.ForeignKey(Dsp, on_delete=models.PROTECT, related_name="drivers")
    home_station = models.ForeignKey(
        Station, on_delete=models.SET_NULL, null=True, blank=True, related_name="drivers"
    )

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.dsp})"
