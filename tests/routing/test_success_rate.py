"""One delivery success rate (packages.selectors.delivery_success_counts): the capacity
check's "low delivery success" and the dashboard's scorecards show the same number."""

import datetime
import re
from decimal import Decimal

from dashboard.selectors import DashboardFilters, partner_scorecards
from dashboard.services import facts_refresh
from packages.models import PackageStatus
from routing.models import CapacityFinding, FindingKind
from routing.services import capacity_check_run
from tests.routing.conftest import packages_for

SERVICE_DATE = datetime.date(2026, 12, 10)
WINDOW = DashboardFilters(
    SERVICE_DATE - datetime.timedelta(days=14), SERVICE_DATE - datetime.timedelta(days=1)
)


def test_capacity_check_and_scorecards_show_the_same_success_rate(partner):
    # given: 23 packages reached the shop last week, 19 delivered; 2 more never reached it
    last_week = SERVICE_DATE - datetime.timedelta(days=7)
    packages_for(partner, last_week, 19, status=PackageStatus.DELIVERED)
    packages_for(partner, last_week, 2, status=PackageStatus.RETURNED)
    packages_for(partner, last_week, 1, status=PackageStatus.ATTEMPTED)
    packages_for(partner, last_week, 1, status=PackageStatus.RETURN_PENDING)
    packages_for(partner, last_week, 1, status=PackageStatus.MISSING)
    packages_for(partner, last_week, 1, status=PackageStatus.DAMAGED)
    # when: the nightly check and the dashboard read the same data
    capacity_check_run(service_date=SERVICE_DATE, time_zone=partner.time_zone)
    finding = CapacityFinding.objects.get(partner=partner, kind=FindingKind.LOW_SUCCESS)
    facts_refresh()  # the scorecards read the daily facts
    [scorecard] = [
        row for row in partner_scorecards(WINDOW).rows if row["partner_id"] == partner.pk
    ]
    # then: 19 of 23, 82.6%, on both
    checked = Decimal(re.match(r"([\d.]+)% delivered", finding.message).group(1))
    assert checked == scorecard["success_rate"] == Decimal("82.6")
    assert finding.packages == 4  # the handled packages that were not delivered
