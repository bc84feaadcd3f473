"""The capacity rules on plain data, without the database."""

import math
import random

from routing.capacity import (
    GRID_DEGREES,
    MILES_PER_DEGREE_LATITUDE,
    CheckSettings,
    NeighbourIndex,
    PartnerDay,
    capacity_findings,
    zips_to_move,
)

SETTINGS = CheckSettings()
BOSTON = (42.3492, -71.0768)


def day(partner_id: int, **facts) -> PartnerDay:
    lat, lng = facts.pop("at", BOSTON)
    defaults = {"receiving": True, "daily_capacity": 30, "storage_capacity": 40}
    return PartnerDay(
        partner_id=partner_id, name=f"Shop {partner_id}", latitude=lat, longitude=lng,
        **(defaults | facts),
    )  # fmt: skip


def kinds(findings) -> list[tuple[int, str]]:
    return sorted((f.partner_id, f.kind) for f in findings)


def test_overflow_goes_to_the_nearest_partner_with_room_and_names_the_zips():
    # given a partner 5 over capacity and two neighbours, the nearer one with room for 3
    busy = day(1, assigned=35, zip_counts={"02116": 30, "02118": 5})
    near = day(2, at=(42.3400, -71.0700), assigned=27)
    far = day(3, at=(42.3000, -71.0500), assigned=0)
    # when
    findings = capacity_findings(days=[busy, near, far], holiday=None, settings=SETTINGS)
    # then the busy partner moves 3 to the near one, and the rest stays with the DSP
    [overflow] = [f for f in findings if f.kind == "over_daily_capacity"]
    assert overflow.neighbour_id == 2
    assert overflow.zip_codes == ("02118",)
    assert overflow.suggested_action.startswith("Move 3 packages (ZIP 02118) to Shop 2, 0.")
    assert overflow.suggested_action.endswith("keep 2 with the DSP.")


def test_room_used_by_one_suggestion_is_not_offered_twice():
    first = day(1, assigned=34)
    second = day(2, assigned=34, at=(42.3495, -71.0770))
    helper = day(3, at=(42.3480, -71.0760), assigned=26)
    findings = capacity_findings(days=[first, second, helper], holiday=None, settings=SETTINGS)
    suggested = [f.neighbour_id for f in findings if f.kind == "over_daily_capacity"]
    assert suggested.count(3) == 1


def test_no_neighbour_within_range_keeps_the_overflow_with_the_dsp():
    busy = day(1, assigned=33)
    distant = day(2, at=(40.7128, -74.0060))
    [finding] = capacity_findings(days=[busy, distant], holiday=None, settings=SETTINGS)
    assert finding.neighbour_id is None
    assert finding.suggested_action == "Keep 3 packages with the DSP."


def test_holiday_flags_every_partner_with_packages_and_suggests_no_neighbour():
    findings = capacity_findings(
        days=[day(1, assigned=10), day(2, assigned=0)],
        holiday="Thanksgiving Day",
        settings=SETTINGS,
    )
    assert kinds(findings) == [(1, "holiday")]
    assert "Thanksgiving Day" in findings[0].message


def test_closed_and_paused_partners_with_packages_are_flagged():
    findings = capacity_findings(
        days=[day(1, assigned=5, closed=True), day(2, assigned=4, receiving=False)],
        holiday=None,
        settings=SETTINGS,
    )
    assert kinds(findings) == [(1, "closed"), (2, "closed")]
    assert "paused" in next(f for f in findings if f.partner_id == 2).message


def test_storage_counts_packages_still_held_from_earlier_days():
    findings = capacity_findings(
        days=[day(1, assigned=28, held_before=15)], holiday=None, settings=SETTINGS
    )
    assert kinds(findings) == [(1, "over_storage")]
    assert findings[0].packages == 3


def test_custody_and_performance_findings():
    findings = capacity_findings(
        days=[
            day(1, stale=2, open_handoffs=1),
            day(
                2,
                history_handled=100,
                history_delivered=90,
                history_volume=400,
                history_days_active=14,
            ),
            day(3, history_volume=70, history_days_active=14),
            day(4, history_volume=70, history_days_active=3),
        ],
        holiday=None,
        settings=SETTINGS,
    )
    assert kinds(findings) == [
        (1, "handoff_not_closed"),
        (1, "stale_packages"),
        (2, "low_success"),
        (3, "under_used"),
    ]


def test_success_needs_enough_packages_to_judge():
    quiet = day(1, history_handled=10, history_delivered=5, history_volume=300,
                history_days_active=14)  # fmt: skip
    assert capacity_findings(days=[quiet], holiday=None, settings=SETTINGS) == []


def test_zips_to_move_takes_whole_small_groups_first():
    assert zips_to_move({"02116": 20, "02118": 4, "02115": 3}, 5) == ("02115", "02118")
    assert zips_to_move({"02116": 20}, 5) == ("02116",)


def test_neighbour_lookup_in_a_crowded_city_finds_the_nearest_as_comparing_with_all_would():
    """Crowded partners make the grid halve its cells; the nearest partner with room within
    range (flat-earth distance, ties: lower id) is the one a comparison with all finds."""
    # given 600 partners within a mile or two, a third of them without room
    rng = random.Random(8)
    days = [
        day(k, at=(BOSTON[0] + rng.uniform(-0.02, 0.02), BOSTON[1] + rng.uniform(-0.02, 0.02)),
            assigned=30 if k % 3 == 0 else 10)
        for k in range(1, 601)
    ]  # fmt: skip
    # when the index is built and asked for every partner's nearest
    index = NeighbourIndex(days, SETTINGS.neighbour_max_miles)
    # then its cells are finer than the coarsest, and every answer is the brute force's
    assert index.degrees < GRID_DEGREES
    for partner in days:
        found = index.nearest_with_room(partner)
        assert (found[0].partner_id if found else None) == nearest_by_brute_force(partner, days)


def nearest_by_brute_force(partner: PartnerDay, days: list[PartnerDay]) -> int | None:
    lng_miles = MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(abs(partner.latitude)))
    candidates = [
        (((o.latitude - partner.latitude) * MILES_PER_DEGREE_LATITUDE) ** 2
         + ((o.longitude - partner.longitude) * lng_miles) ** 2, o.partner_id)
        for o in days
        if o.partner_id != partner.partner_id and o.room > 0
    ]  # fmt: skip
    within = [c for c in candidates if c[0] <= SETTINGS.neighbour_max_miles**2]
    return min(within)[1] if within else None
