from django.urls import reverse

from partners.models import PartnerEvent

VALID = {
    "daily_capacity": "35",
    "storage_capacity": "50",
    "delivery_modes": ["walk", "bike"],
    "opening_days": ["mon", "tue"],
    "opens_at": "08:00",
    "closes_at": "18:00",
}


def test_owner_changes_settings_and_the_change_is_audited(client, partner):
    client.force_login(partner.owner)
    response = client.post(reverse("partners:partner-settings"), VALID)
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.daily_capacity, partner.storage_capacity) == (35, 50)
    assert partner.opening_days == ["mon", "tue"]
    assert PartnerEvent.objects.get(kind="settings_changed").actor == partner.owner


def test_capacity_out_of_bounds_is_shown_next_to_the_field_and_input_kept(client, partner):
    client.force_login(partner.owner)
    response = client.post(reverse("partners:partner-settings"), {**VALID, "daily_capacity": "80"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 50." in html
    assert 'value="80"' in html
    assert 'value="50"' in html
    partner.refresh_from_db()
    assert partner.daily_capacity == 30
    assert not PartnerEvent.objects.exists()


def test_closing_before_opening_is_refused(client, partner):
    client.force_login(partner.owner)
    response = client.post(reverse("partners:partner-settings"), {**VALID, "closes_at": "07:00"})
    assert "Closing time must be after opening time." in response.content.decode()


def test_saving_unchanged_settings_writes_no_event(client, partner):
    client.force_login(partner.owner)
    client.post(reverse("partners:partner-settings"), VALID)
    client.post(reverse("partners:partner-settings"), VALID)
    assert PartnerEvent.objects.filter(kind="settings_changed").count() == 1
