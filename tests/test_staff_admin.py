"""Organisations edited with every field and deactivated, accounts listed, deactivated and
reset, one's own password changed, and the audit log as a page."""

from datetime import date

import pytest
from helpers import PASSWORD, csrf_from, sign_in

from survey.core import gcj02
from survey.models import AuditEntry, Organisation, User


@pytest.fixture
def world(make):
    committee, first, second, foreign = make.tree()
    return {
        "committee": committee,
        "first": first,
        "foreign": foreign,
        "admin": make.user("admin", "admin"),
        "auditor": make.user("auditor", "auditor"),
        "secretary": make.user("secretary", "secretary", first),
        "reviewer": make.user("reviewer", "reviewer", committee),
    }


def post(client, url, page_url, **data):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


def edit(client, organisation, **fields):
    url = f"/staff/admin/organisations/{organisation.id}"
    data = {"name": organisation.name, "parent_id": organisation.parent_id or 0, "active": "y"}
    return post(client, url, url, **(data | fields))


def reload(db, model, id_):
    db.session.rollback()
    return db.session.get(model, id_)


def test_an_admin_sets_every_field_of_a_branch(auth, client, world, db):
    auth.login("admin")
    answer = edit(
        client,
        world["first"],
        name="第一党支部（改）",
        domain="community",
        founded_on="2015-07-01",
        weak="y",
        service_lat="39.9042",
        service_lon="116.4074",
        service_radius_m="1500",
    )
    assert answer.status_code == 303
    branch = reload(db, Organisation, world["first"].id)
    assert branch.name == "第一党支部（改）" and branch.domain == "community"
    assert branch.founded_on == date(2015, 7, 1) and branch.weak
    assert not branch.public_facing  # unticked: no public-facing function, no poll needed
    assert branch.service_area() == {"lat": 39.9042, "lon": 116.4074, "radius_m": 1500}
    entry = db.session.query(AuditEntry).filter_by(action="organisation.update").one()
    assert entry.actor == "web:admin" and entry.detail["weak"] is True


def test_gcj02_coordinates_are_converted_to_wgs84(auth, client, world, db):
    from survey.polls.answers import haversine_m

    auth.login("admin")
    shown_on_amap = gcj02.wgs84_to_gcj02(39.9042, 116.4074)
    assert haversine_m(39.9042, 116.4074, *shown_on_amap) > 300  # the offset is real
    lat, lon = shown_on_amap
    edit(client, world["first"], service_lat=lat, service_lon=lon, service_radius_m=500, gcj02="y")
    branch = reload(db, Organisation, world["first"].id)
    assert haversine_m(39.9042, 116.4074, branch.service_lat, branch.service_lon) < 0.05


def test_a_committee_gets_its_scheme_and_a_bad_one_is_refused(auth, client, world, db):
    auth.login("admin")
    assert edit(client, world["committee"], scheme="nmg-2020").status_code == 303
    assert reload(db, Organisation, world["committee"].id).scheme == "nmg-2020"
    assert edit(client, world["committee"], scheme="made-up").status_code == 400


def test_half_a_service_area_is_refused_with_the_form(auth, client, world, db):
    auth.login("admin")
    answer = edit(client, world["first"], service_lat="39.9")
    assert answer.status_code == 400 and "<form" in answer.text
    assert reload(db, Organisation, world["first"].id).service_lat is None


def test_a_deactivated_branch_gets_no_new_campaign(auth, client, world, db):
    auth.login("admin")
    edit(client, world["first"], active="")  # unticked
    assert not reload(db, Organisation, world["first"].id).active
    form = client.get("/staff/campaigns/new").text
    assert f'value="{world["first"].id}"' not in form
    data = {"organisation_id": world["first"].id, "year": 2026, "title": "停用后"}
    assert post(client, "/staff/campaigns/new", "/staff/campaigns/new", **data).status_code == 400


def test_other_roles_may_not_edit_organisations(auth, client, world):
    auth.login("reviewer")
    assert client.get(f"/staff/admin/organisations/{world['first'].id}").status_code == 403


def test_the_account_list_deactivates_and_the_account_is_signed_out(app, auth, world, db):
    victim = app.test_client()
    assert sign_in(victim, "secretary").status_code == 303
    admin = app.test_client()
    sign_in(admin, "admin")
    page = admin.get("/staff/admin/?lang=en").text
    assert 'data-user="secretary"' in page and "Reset password" in page
    url = f"/staff/admin/users/{world['secretary'].id}/active"
    assert post(admin, url, "/staff/admin/").status_code == 303
    assert not reload(db, User, world["secretary"].id).active
    assert victim.get("/staff/").status_code == 302  # its session ended
    assert sign_in(app.test_client(), "secretary").status_code == 401


def test_an_admin_resets_a_password(app, auth, client, world, db):
    auth.login("admin")
    url = f"/staff/admin/users/{world['secretary'].id}/password"
    assert post(client, url, url, password="short").status_code == 400
    assert post(client, url, url, password="a brand new secret").status_code == 303
    assert sign_in(app.test_client(), "secretary", "a brand new secret").status_code == 303
    assert sign_in(app.test_client(), "secretary", PASSWORD).status_code == 401


def test_everyone_changes_their_own_password_with_the_old_one(app, world, db):
    other = app.test_client()
    sign_in(other, "reviewer")
    me = app.test_client()
    sign_in(me, "reviewer")
    wrong = post(
        me,
        "/password",
        "/password",
        old_password="nope",
        new_password="new secret 1",
        repeat="new secret 1",
    )
    assert wrong.status_code == 400
    done = post(
        me,
        "/password",
        "/password",
        old_password=PASSWORD,
        new_password="new secret 1",
        repeat="new secret 1",
    )
    assert done.status_code == 303
    assert me.get("/staff/").status_code == 200  # this session stays signed in
    assert other.get("/staff/").status_code == 302  # the other one ended
    assert sign_in(app.test_client(), "reviewer", "new secret 1").status_code == 303


def test_the_audit_page_shows_local_times_and_the_reviewers_subtree(auth, client, world, make, db):
    make.campaign(world["first"], title="本党委的评议")
    make.campaign(world["foreign"], title="外单位的评议")
    auth.login("reviewer")
    page = client.get("/staff/audit?lang=zh").text
    assert "本党委的评议" in page and "外单位的评议" not in page
    assert "年" in page and "北京时间" in page
    assert client.get(f"/staff/audit?organisation={world['foreign'].id}").status_code == 404
    auth.logout()
    auth.login("auditor")  # 三员分立: the whole log is the audit administrator's
    assert "外单位的评议" in client.get("/staff/audit").text


def test_the_audit_page_filters_by_campaign_and_is_closed_to_secretaries(auth, client, world, make):
    first = make.campaign(world["first"], title="第一次评议")
    make.campaign(world["first"], title="第二次评议", status="draft")
    auth.login("auditor")
    page = client.get(f"/staff/audit?campaign={first.id}").text
    entries = page.split('<ol class="audit"')[1]
    assert "第一次评议" in entries and "第二次评议" not in entries
    assert "第二次评议</option>" in page  # the filter offers every campaign by its title
    assert client.get("/staff/audit?campaign=abc").status_code == 400
    auth.logout()
    auth.login("secretary")
    assert client.get("/staff/audit").status_code == 403


def test_the_service_refuses_a_campaign_of_a_deactivated_branch(world, db):
    from survey import campaigns
    from survey.core.errors import Invalid

    branch = world["first"]
    branch.active = False
    db.session.commit()
    with pytest.raises(Invalid):
        campaigns.create_campaign(
            db.session, "test", branch, kind="member_review", year=2026, title="x"
        )
    db.session.rollback()
