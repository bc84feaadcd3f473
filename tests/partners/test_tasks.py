import datetime

import pytest
from django.utils import timezone

from hubdelivery.celery import app
from partners.models import PartnerStatus
from tests.factories import PartnerFactory


@pytest.mark.celery_worker
def test_resume_due_task_runs_on_a_real_worker(celery_worker_on_redis):
    # given a partner whose pause ended yesterday
    paused = PartnerFactory(
        status=PartnerStatus.PAUSED,
        paused_until=timezone.now().date() - datetime.timedelta(days=1),
    )
    # when beat's task goes through Redis to the worker
    result = app.send_task("partners.tasks.partners_resume_due_task")
    # then the worker resumed it, and a second run changes nothing
    assert result.get(timeout=15) == [paused.pk]
    paused.refresh_from_db()
    assert paused.status == PartnerStatus.ACTIVE
    assert app.send_task("partners.tasks.partners_resume_due_task").get(timeout=15) == []
