from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from hubdelivery.health import healthz

# The admin log-in goes through allauth, so its rate limits and MFA apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Hub Delivery administration"

# Every rate limit (allauth's and the portal's) answers with this page.
handler429 = "hubdelivery.lib.ratelimit.too_many_requests"
handler403 = "hubdelivery.errors.permission_denied"
handler404 = "hubdelivery.errors.page_not_found"
handler500 = "hubdelivery.errors.server_error"

# gettext() for static/js: locale/<lang>/LC_MESSAGES/djangojs.po. Cached per language (the
# cache key holds it) for an hour, so a deploy's new strings show within the hour.
javascript_catalog = cache_page(60 * 60, key_prefix="jsi18n")(JavaScriptCatalog.as_view())

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("hubdelivery.api_urls")),
    path("", include("accounts.urls")),
    path("", include("partners.urls")),
    path("", include("packages.urls")),
    path("", include("routing.urls")),
    path("", include("dashboard.urls")),
]
