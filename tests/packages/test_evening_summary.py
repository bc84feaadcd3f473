"""The evening summary (issue 14, finding 9): one selector, `selectors.day_summary`, counts
each of the day's packages exactly once by where it stands now, however many events it had,
so its numbers add up to the day's packages."""

import html
import re

import pytest
from django.urls import reverse

from packages import selectors, services
from packages.models import HandoffDirection, PackageStatus
from tests.conftest import client_for
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import new_key


def test_every_package_status_falls_in_exactly_one_bucket():
    assert set(selectors.DAY_SUMMARY_BUCKETS) == set(PackageStatus.values)


@pytest.fixture
def eventful_day(partner, partner_owner, reviewer, dsp, dsp_driver, today):
    """Six packages; several with more than one delivery event:
    1. delivered, undone, delivered again      -> delivered
    2. attempted, its incident still open      -> incident with ops
    3. attempted, then ops return it to the DSP -> queued for return
    4. kept for the return at the end of the day -> queued for return
    5. received, still to deliver               -> still open
    6. not in the drop-off                      -> missing
    """
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today)
    p = PackageFactory.create_batch(6, manifest=manifest)
    handoff = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    for package in p[:5]:
        services.package_receive(
            actor=dsp_driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    services.package_mark_missing(
        actor=dsp_driver, handoff=handoff, tracking_id=p[5].tracking_id, idempotency_key=new_key()
    )
    owner = {"actor": partner_owner}
    for step in ("deliver", "undo", "deliver"):
        if step == "deliver":
            services.package_deliver(
                **owner, package=p[0], recipient_name="Ana", idempotency_key=new_key()
            )
        else:
            services.package_delivery_undo(**owner, package=p[0], idempotency_key=new_key())
    for package in p[1:3]:
        services.package_attempt(
            **owner, package=package, reason="unsafe", idempotency_key=new_key()
        )
    services.incident_resolve(
        actor=reviewer,
        incident=p[2].incidents.get(),
        resolution="return_to_dsp",
        idempotency_key=new_key(),
    )
    services.package_queue_for_return(**owner, package=p[3], idempotency_key=new_key())
    return p


def test_the_summary_counts_each_package_once_by_its_final_state(partner_owner, eventful_day):
    # given six packages, some with several delivery events
    # when the owner opens the today page in the evening
    response = client_for(partner_owner).get(reverse("packages:today"))
    # then each package is counted once, and the numbers add up to the day's six packages
    summary = response.context["summary"]
    assert summary == selectors.DaySummary(
        total=6, delivered=1, incident=1, queued_for_return=2, missing=1, returned=0, open=1
    )
    assert summary.outcomes == summary.total == 6
    body = html.unescape(response.content.decode())
    assert "6 packages today, each counted once" in body
    # the counters as bare <dt>/<dd> pairs (the page's data attributes and spans are for the
    # phone's outbox, not for reading)
    counters = re.sub(r"<(?!/?d[td]>)[^>]+>", "", re.sub(r"<(d[td])\s[^>]*>", r"<\1>", body))
    assert "<dt>Delivered</dt><dd>1/6</dd>" in counters
    assert "<dt>Incident with ops</dt><dd>1</dd>" in counters
    assert "<dt>Queued for return</dt><dd>2</dd>" in counters


def test_the_still_open_list_is_the_summarys_open_bucket(eventful_day):
    packages = list(eventful_day)
    for package in packages:
        package.refresh_from_db()
    assert selectors.day_still_open(packages=packages) == [eventful_day[4]]
    assert selectors.day_summary(packages=packages).open == 1
