from django.urls import path

from dashboard import views, views_account, views_partner

app_name = "dashboard"

urlpatterns = [
    path("ops/dashboard/", views.ops_dashboard, name="ops-dashboard"),
    path("ops/dashboard/<slug:table>.csv", views.ops_dashboard_csv, name="ops-dashboard-csv"),
    path("ops/statements.csv", views.ops_statements_csv, name="ops-statements-csv"),
    path("partner/earnings/", views_partner.partner_earnings, name="partner-earnings"),
    path(
        "partner/statements/<int:statement_id>/",
        views_partner.partner_statement,
        name="partner-statement",
    ),
    path(
        "partner/statements/<int:statement_id>.csv",
        views_partner.partner_statement_csv,
        name="partner-statement-csv",
    ),
    path(
        "account/notifications/",
        views_account.notification_preferences,
        name="notification-preferences",
    ),
]
