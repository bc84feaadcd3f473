from django.urls import path

from dashboard.views import account, audit, ops, partner, pay

app_name = "dashboard"

urlpatterns = [
    path("ops/dashboard/", ops.ops_dashboard, name="ops-dashboard"),
    path("ops/dashboard/<slug:table>.csv", ops.ops_dashboard_csv, name="ops-dashboard-csv"),
    path("ops/audit/", audit.ops_audit, name="ops-audit"),
    path("ops/audit.csv", audit.ops_audit_csv, name="ops-audit-csv"),
    path("ops/statements.csv", ops.ops_statements_csv, name="ops-statements-csv"),
    path("ops/markets/<int:market_id>/rates/", pay.market_rates, name="market-rates"),
    path("ops/pay/", pay.ops_pay, name="ops-pay"),
    path("ops/pay/payout.csv", pay.ops_payout_csv, name="ops-payout-csv"),
    path("ops/statements/<int:statement_id>/", pay.ops_statement, name="ops-statement"),
    path(
        "ops/statements/<int:statement_id>/adjust/",
        pay.ops_statement_adjust,
        name="ops-statement-adjust",
    ),
    path(
        "ops/statements/<int:statement_id>/paid/",
        pay.ops_statement_paid,
        name="ops-statement-paid",
    ),
    path("partner/earnings/", partner.partner_earnings, name="partner-earnings"),
    path(
        "partner/statements/<int:statement_id>/",
        partner.partner_statement,
        name="partner-statement",
    ),
    path(
        "partner/statements/<int:statement_id>.csv",
        partner.partner_statement_csv,
        name="partner-statement-csv",
    ),
    path(
        "account/notifications/",
        account.notification_preferences,
        name="notification-preferences",
    ),
]
