"""The service radius (服务半径): haversine at, inside and just outside; geofence modes."""

import math
import re

import pytest
from poll_helpers import CENTRE, RADIUS_M, answer, poll_campaign

from survey import polls
from survey.models import Count, Organisation

EARTH = polls.EARTH_RADIUS_M


def north_of(centre, metres):
    """The point ``metres`` due north of ``centre`` (along a meridian, exact)."""
    lat, lon = centre
    return lat + math.degrees(metres / EARTH), lon


def area(radius=RADIUS_M):
    return Organisation(
        name="x",
        kind="branch",
        service_lat=CENTRE[0],
        service_lon=CENTRE[1],
        service_radius_m=radius,
    )


def test_haversine_matches_a_known_distance():
    beijing, shanghai = (39.9042, 116.4074), (31.2304, 121.4737)
    assert 1_066_000 < polls.haversine_m(*beijing, *shanghai) < 1_069_000
    assert polls.haversine_m(*CENTRE, *CENTRE) == 0


def test_a_position_exactly_at_the_radius_is_inside():
    assert polls.locate(area(), *north_of(CENTRE, RADIUS_M)) == "inside"


def test_a_position_inside_the_radius_is_inside():
    assert polls.locate(area(), *north_of(CENTRE, RADIUS_M - 1)) == "inside"
    assert polls.locate(area(), *CENTRE) == "inside"


def test_a_position_just_outside_the_radius_is_outside():
    assert polls.locate(area(), *north_of(CENTRE, RADIUS_M + 0.5)) == "outside"


@pytest.mark.parametrize("lat, lon", [(None, None), (91.0, 0.0), (0.0, 181.0), (None, 116.4)])
def test_a_missing_or_impossible_position_is_unknown(lat, lon):
    assert polls.locate(area(), lat, lon) == "unknown"


def test_a_branch_without_a_service_area_reports_unknown():
    assert polls.locate(Organisation(name="x", kind="branch"), *CENTRE) == "unknown"


@pytest.fixture
def branch(app, make):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    lat, lon = CENTRE
    return make.organisation(
        "社区党支部", service_lat=lat, service_lon=lon, service_radius_m=RADIUS_M
    )


def geo_of(make, db, poll):
    """The positions stored, read once the poll is closed (sealed with the answers before)."""
    make.close(poll)
    db.session.rollback()
    counts = db.session.query(Count).filter_by(question_id=poll.headline.id).all()
    return sorted(c.geo for c in counts for _ in range(c.n))


def position(metres):
    lat, lon = north_of(CENTRE, metres)
    return {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}"}


def test_require_refuses_outside_with_a_clear_page_that_keeps_the_answers(app, make, branch, db):
    poll = poll_campaign(make, branch, geofence="require")
    response = answer(
        app.test_client(), poll.slug, "dissatisfied", reason="路灯坏了", **position(5000)
    )
    assert response.status_code == 403
    assert 'data-reason="outside_area"' in response.text
    assert re.search(r'<input checked[^>]*value="dissatisfied"', response.text)
    assert "路灯坏了" in response.text
    assert geo_of(make, db, poll) == []


def test_a_resident_found_outside_is_told_so_not_asked_to_allow_the_position(app, make, branch):
    poll = poll_campaign(make, branch, geofence="require")
    response = answer(app.test_client(), f"{poll.slug}?lang=zh", **position(5000))
    assert response.status_code == 403
    assert "您不在本支部服务范围内" in response.text and "请先允许获取位置" not in response.text
    assert "一次性短码" in response.text and 'href="/b"' in response.text
    refused = answer(app.test_client(), f"{poll.slug}?lang=zh")  # no position given
    assert "请先允许获取位置" in refused.text and "您不在本支部服务范围内" not in refused.text


def test_the_refused_page_does_not_send_the_refused_position_back(app, make, branch):
    """Sent back filled, the old position was submitted again by poll.js (it asks only
    when the inputs are empty): a resident who walked into the area stayed refused."""
    poll = poll_campaign(make, branch, geofence="require")
    response = answer(app.test_client(), poll.slug, **position(5000))
    assert response.status_code == 403
    for name in ("lat", "lon"):
        field = rf'<input type="hidden" name="{name}" id="{name}" value="">'
        assert re.search(field, response.text)


def test_require_refuses_an_unknown_position(app, make, branch, db):
    poll = poll_campaign(make, branch, geofence="require")
    assert answer(app.test_client(), poll.slug).status_code == 403
    assert answer(app.test_client(), poll.slug, lat="abc", lon="").status_code == 403
    assert geo_of(make, db, poll) == []


def test_require_accepts_inside_and_stores_only_inside(app, make, branch, db):
    poll = poll_campaign(make, branch, geofence="require")
    assert answer(app.test_client(), poll.slug, **position(100)).status_code == 303
    assert geo_of(make, db, poll) == ["inside"]
    columns = set(Count.__table__.columns.keys())
    assert not columns & {"lat", "lon", "latitude", "longitude", "distance"}


def test_flag_counts_every_answer_and_reports_where_it_came_from(app, make, branch, db):
    poll = poll_campaign(make, branch, geofence="flag")
    for extra in (position(10), position(RADIUS_M + 50), {}):
        assert answer(app.test_client(), poll.slug, **extra).status_code == 303
    assert geo_of(make, db, poll) == ["inside", "outside", "unknown"]


def test_the_page_explains_why_it_asks_for_the_position(client, make, branch):
    poll = poll_campaign(make, branch, geofence="flag")
    page = client.get(f"/p/{poll.slug}?lang=en")
    assert "Why we ask for your position" in page.text
    assert "never the position itself" in page.text
    assert 'src="/static/poll.js"' in page.text
    plain = poll_campaign(make, branch, title="不问位置")
    assert "poll.js" not in client.get(f"/p/{plain.slug}").text
