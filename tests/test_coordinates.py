"""A service area's point read from a pasted 高德 / 腾讯 link or "lat,lng" (no map, no network):
the link shapes the two apps and their URI APIs give out, GCJ-02 converted to WGS-84 on
save, and a clear reason beside the field for a short link or text without a point."""

from __future__ import annotations

import pytest
from test_staff_admin import edit, reload, world  # noqa: F401 (world is a fixture)

from survey.core import gcj02
from survey.core.coordinates import Unreadable, read_point
from survey.models import Organisation

AMAP = "https://uri.amap.com"
AMAP_MARKER = (
    f"{AMAP}/marker?position=116.397428,39.90923&name=天安门"
    "&src=mypage&coordinate=gaode&callnative=0"
)


@pytest.mark.parametrize(
    ("pasted", "lat", "lon"),
    [
        (AMAP_MARKER, 39.90923, 116.397428),
        (f"{AMAP}/navigation?to=116.470098,39.992838,阜通西&mode=car", 39.992838, 116.470098),
        ("https://m.amap.com/navi/?dest=116.470098,39.992838&destName=x", 39.992838, 116.470098),
        ("https://ditu.amap.com/regeo?lng=116.397428&lat=39.90923", 39.90923, 116.397428),
        ("https://www.amap.com/?p=B000A8UIN8,39.908692,116.397477,天安门,", 39.908692, 116.397477),
        (
            "https://apis.map.qq.com/uri/v1/marker?marker=coord:39.892326,116.342763;"
            "title:超好吃冰激凌;addr:手帕口桥北铁路道口&referer=myapp",
            39.892326,
            116.342763,
        ),
        (
            "https://apis.map.qq.com/uri/v1/marker?marker=coord%3A39.892326%2C116.342763"
            "%3Btitle%3A%E5%86%B0&referer=myapp",
            39.892326,
            116.342763,
        ),
        (
            "https://apis.map.qq.com/uri/v1/routeplan?type=drive&from=清华"
            "&fromcoord=39.994745,116.247282&to=怡和世家&tocoord=39.867192,116.493187&referer=k",
            39.867192,
            116.493187,
        ),
        ("https://map.qq.com/?type=marker&pointx=116.397&pointy=39.909&name=x", 39.909, 116.397),
        ("【高德地图】天安门 " + AMAP_MARKER + " 复制打开", 39.90923, 116.397428),
    ],
)
def test_map_links_are_read_as_gcj02_points(pasted, lat, lon):
    point = read_point(pasted)
    assert (point.lat, point.lon, point.gcj02) == (pytest.approx(lat), pytest.approx(lon), True)


@pytest.mark.parametrize(
    "pasted", ["39.909,116.397", "39.909 116.397", " 39.909，116.397 ", "116.397,39.909"]
)
def test_a_plain_pair_is_latitude_first_and_its_grid_is_the_admins_to_say(pasted):
    point = read_point(pasted)
    assert (point.lat, point.lon, point.gcj02) == (39.909, 116.397, False)


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("【高德地图】天安门广场 北京市东城区 https://surl.amap.com/2dqP4Jbx1f9G", "short_link"),
        ("https://url.cn/5ABCdef", "short_link"),
        ("https://www.amap.com/place/B000A83M61", "no_point"),
        ("https://example.com/?lat=39.9&lng=116.4", "no_point"),
        ("天安门", "no_point"),
        ("", "no_point"),
        ("95,200", "out_of_range"),
    ],
)
def test_what_names_no_point_is_refused_with_its_reason(pasted, reason):
    with pytest.raises(Unreadable) as refused:
        read_point(pasted)
    assert refused.value.reason == reason


def test_a_pasted_amap_link_is_stored_in_wgs84(auth, client, world, db):  # noqa: F811
    auth.login("admin")
    answer = edit(client, world["first"], service_link=AMAP_MARKER, service_radius_m="800")
    assert answer.status_code == 303
    branch = reload(db, Organisation, world["first"].id)
    lat, lon = gcj02.gcj02_to_wgs84(39.90923, 116.397428)
    assert branch.service_lat == pytest.approx(lat, abs=1e-6)
    assert branch.service_lon == pytest.approx(lon, abs=1e-6)
    assert branch.service_radius_m == 800


def test_a_plain_pair_is_stored_as_typed_unless_the_box_says_gcj02(auth, client, world, db):  # noqa: F811
    auth.login("admin")
    edit(client, world["first"], service_link="39.9042,116.4074", service_radius_m="500")
    branch = reload(db, Organisation, world["first"].id)
    assert (branch.service_lat, branch.service_lon) == (39.9042, 116.4074)


def test_a_short_link_comes_back_with_the_reason_beside_the_field(
    auth,
    client,
    world,  # noqa: F811
    db,
):
    auth.login("admin")
    short = "https://surl.amap.com/2dqP4Jbx1f9G"
    answer = edit(client, world["first"], service_link=short, service_radius_m="500")
    assert answer.status_code == 400
    after = answer.text[answer.text.index('id="service_link"') :]
    assert after.index("短链接") < after.index('id="service_lat"')  # beside its own field
    assert "在浏览器中打开" in after
    assert reload(db, Organisation, world["first"].id).service_lat is None
