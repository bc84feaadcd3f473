from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dashboard.forms import NotificationPreferenceForm
from dashboard.models import NotificationPreference
from dashboard.services import notification_preferences_update


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Switch the optional emails on or off (no row yet: all on)."""
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            notification_preferences_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your email choices are saved."))
            return redirect("dashboard:notification-preferences")
    else:
        current = NotificationPreference.objects.filter(user=request.user).first()
        form = NotificationPreferenceForm(
            initial={
                "tomorrow_volume": current.tomorrow_volume if current else True,
                "weekly_statement": current.weekly_statement if current else True,
                "ops_daily_digest": current.ops_daily_digest if current else True,
            }
        )
    return render(request, "dashboard/notification_preferences.html", {"form": form})
