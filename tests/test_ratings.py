"""Ratings read from the database: evidence, assessments, the endpoints and titles."""

import pytest
from helpers import GOOD_ASSESSMENT, bearer, cast, held_review
from sqlalchemy import event

from survey import rating
from survey.models import AuditEntry, Title
from survey.rating import titles


def put_assessment(client, user, branch, body, year=2026):
    return client.put(
        f"/api/v1/organisations/{branch.id}/assessments/{year}", json=body, headers=bearer(user)
    )


def criterion(rating, key):
    return next(c for c in rating["criteria"] if c["key"] == key)


def test_nine_of_ten_excellent_with_a_full_assessment_is_eligible(client, make, db, org):
    held_review(make, db, org["first"], 9, 1, eligible=12)
    assert put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT).status_code == 200
    answer = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating?year=2026", headers=bearer(org["reviewer"])
    )
    assert answer.status_code == 200
    rating = answer.get_json()
    assert rating["scheme"] == "nmg-2020"
    assert criterion(rating, "members")["outcome"] == "pass"
    assert criterion(rating, "quorum")["outcome"] == "pass"
    assert rating["verdict"] == "eligible", rating
    assert all(
        c["source"][:3] in {"000", "001", "002", "003", "004"} for c in rating["criteria"]
    ), [c["source"] for c in rating["criteria"]]


def test_eight_of_ten_excellent_is_not_eligible(client, make, db, org):
    held_review(make, db, org["first"], 8, 2)
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT)
    rating = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating?year=2026", headers=bearer(org["reviewer"])
    ).get_json()
    assert criterion(rating, "members")["outcome"] == "fail"
    assert rating["verdict"] == "not_eligible"


def test_half_the_roll_present_leaves_the_rating_pending(client, make, db, org):
    held_review(make, db, org["first"], 5, 0, eligible=10)
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT)
    rating = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating?year=2026", headers=bearer(org["reviewer"])
    ).get_json()
    assert criterion(rating, "quorum")["outcome"] == "pending"
    assert rating["verdict"] == "pending"


def test_the_latest_closed_review_of_the_year_is_the_one_read(make, db, org):
    held_review(make, db, org["first"], 2, 8)
    latest = held_review(make, db, org["first"], 10, 0)
    held_review(make, db, org["first"], 0, 10, year=2025)
    open_one = make.campaign(org["first"])
    make.ballots(open_one, 3)
    db.session.rollback()
    evidence = rating.evidence_for(db.session, 2026, [org["first"]])[org["first"].id]
    assert evidence.members.campaign_ids == (latest.id,)
    assert (evidence.members.excellent_full, evidence.members.participants_full) == (10, 10)


def test_no_review_yet_is_pending(client, make, db, org):
    rating = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating?year=2026",
        headers=bearer(org["secretary"]),
    ).get_json()
    assert criterion(rating, "members")["outcome"] == "pending"
    assert rating["verdict"] == "pending"


def test_a_scheme_can_be_asked_to_compare(client, make, db, org):
    held_review(make, db, org["first"], 8, 2)
    put_assessment(
        client, org["reviewer"], org["first"], dict(GOOD_ASSESSMENT, organisation_grade="good")
    )
    url = f"/api/v1/organisations/{org['first'].id}/rating?year=2026"
    nmg = client.get(url, headers=bearer(org["reviewer"])).get_json()
    pds = client.get(url + "&scheme=pingdingshan-2024", headers=bearer(org["reviewer"])).get_json()
    assert nmg["verdict"] == "not_eligible"
    assert pds["scheme"] == "pingdingshan-2024" and pds["verdict"] == "eligible"


@pytest.mark.parametrize(
    "query,field", [("", "year"), ("?year=20x6", "year"), ("?year=2026&scheme=nope", "scheme")]
)
def test_bad_rating_queries_are_400(client, org, query, field):
    answer = client.get(
        f"/api/v1/organisations/{org['first'].id}/rating{query}", headers=bearer(org["reviewer"])
    )
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == field


def test_assessment_is_for_reviewers_of_the_committee_only(client, org):
    assert (
        put_assessment(client, org["secretary"], org["first"], GOOD_ASSESSMENT).status_code == 403
    )
    assert (
        put_assessment(client, org["reviewer"], org["foreign"], GOOD_ASSESSMENT).status_code == 404
    )


@pytest.mark.parametrize(
    "body,field",
    [
        ({"organisation_grade": "great"}, "organisation_grade"),
        ({"score": 101}, "score"),
        ({"social": [{"department": "", "negative": False}]}, "social"),
        ({"social": [{"department": "税务", "negative": "no"}]}, "social"),
        ({"exclusions": [{"key": "bad_luck"}]}, "exclusions"),
        ({"exclusions": [{"key": "other", "note": ""}]}, "exclusions"),
        ({"volunteers": 9, "serving_members": 8}, "volunteers"),
        ({"named_stars": ["lucky_star"]}, "named_stars"),
    ],
)
def test_bad_assessments_are_400_and_store_nothing(client, db, org, body, field):
    answer = put_assessment(client, org["reviewer"], org["first"], body)
    assert answer.status_code == 400 and answer.get_json()["error"]["field"] == field
    db.session.rollback()
    assert db.session.query(AuditEntry).filter_by(action="assessment.save").count() == 0


def test_assessment_put_replaces_and_is_audited(client, db, org):
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT)
    second = put_assessment(
        client, org["reviewer"], org["first"], {"organisation_grade": "fair", "score": 88}
    )
    assert second.status_code == 200
    assert second.get_json()["organisation_grade"] == "fair" and second.get_json()["social"] == []
    db.session.rollback()
    entries = db.session.query(AuditEntry).filter_by(action="assessment.save").all()
    assert [e.actor for e in entries] == ["api:reviewer", "api:reviewer"]


def test_committee_summary_lists_verdicts_share_target_and_recommended(client, make, db, org):
    held_review(make, db, org["first"], 10, 0)
    held_review(make, db, org["second"], 8, 2)
    for branch in (org["first"], org["second"]):
        put_assessment(client, org["reviewer"], branch, GOOD_ASSESSMENT)
    answer = client.get(
        f"/api/v1/ratings?committee_id={org['committee'].id}&year=2026",
        headers=bearer(org["reviewer"]),
    )
    assert answer.status_code == 200
    summary = answer.get_json()
    verdicts = {b["organisation_id"]: (b["name"], b["verdict"]) for b in summary["branches"]}
    assert verdicts == {
        org["first"].id: ("第一党支部", "eligible"),
        org["second"].id: ("第二党支部", "not_eligible"),
    }
    assert summary["eligible_share"]["eligible"] == 1
    assert summary["eligible_share"]["branches"] == 2
    assert summary["target"] == {"numerator": 50, "denominator": 100}  # nmg 2023 on: 50 %
    assert summary["recommended"] == [org["first"].id]


def test_summary_refuses_foreign_committees_and_branches(client, org):
    headers = bearer(org["reviewer"])
    foreign = client.get(
        f"/api/v1/ratings?committee_id={org['foreign'].parent_id}&year=2026", headers=headers
    )
    assert foreign.status_code == 404
    branch = client.get(
        f"/api/v1/ratings?committee_id={org['first'].id}&year=2026", headers=headers
    )
    assert branch.status_code == 400
    assert client.get("/api/v1/ratings?year=2026", headers=headers).status_code == 400


def test_summary_uses_a_bounded_number_of_queries(make, db, org):
    def count_queries(committee):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rating.committee_summary(db.session, committee, 2026)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small = count_queries(org["committee"])
    for i in range(30):
        make.organisation(f"支部{i}", parent=org["committee"])
    db.session.rollback()
    assert count_queries(org["committee"]) == small


def test_a_title_is_granted_on_an_eligible_rating_and_revoked_by_a_later_exclusion(
    client, make, db, org
):
    held_review(make, db, org["first"], 10, 0)
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT)
    db.session.rollback()
    title = titles.grant_title(db.session, "web:reviewer", org["first"], 2026)
    db.session.commit()
    assert title.rating["verdict"] == "eligible" and len(title.rating_sha256) == 64
    exclusion = dict(GOOD_ASSESSMENT, exclusions=[{"key": "accountability", "note": "通报问责"}])
    assert put_assessment(client, org["reviewer"], org["first"], exclusion).status_code == 200
    db.session.rollback()
    revoked = db.session.get(Title, title.id)
    assert revoked.revoked_at is not None and "accountability" in revoked.revoke_reason


def test_a_title_is_refused_while_the_rating_is_pending(db, org):
    from survey.core.errors import Conflict

    with pytest.raises(Conflict):
        titles.grant_title(db.session, "web:reviewer", org["first"], 2026)


def test_a_title_holder_is_rechecked_not_recommended_again(client, make, db, org):
    held_review(make, db, org["first"], 10, 0, year=2025)
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT, year=2025)
    db.session.rollback()
    titles.grant_title(db.session, "web:reviewer", org["first"], 2025)
    db.session.commit()
    held_review(make, db, org["first"], 10, 0)
    put_assessment(client, org["reviewer"], org["first"], GOOD_ASSESSMENT)
    summary = client.get(
        f"/api/v1/ratings?committee_id={org['committee'].id}&year=2026",
        headers=bearer(org["reviewer"]),
    ).get_json()
    first = next(b for b in summary["branches"] if b["organisation_id"] == org["first"].id)
    assert first["verdict"] == "eligible" and first["holds_title_since"] == 2025
    assert org["first"].id not in summary["recommended"]


def test_closing_seals_tallies_by_class_merged_under_the_small_group(make, db, org):
    from survey.models import Tally

    campaign = held_review(make, db, org["first"], 7, 3)
    prob = make.campaign(org["second"])
    cards = make.ballots(prob, 2, "probationary") + make.ballots(prob, 1)
    for card in cards:
        cast(db.session, card.id, {prob.headline.id: "excellent"})
    make.close(prob)
    db.session.rollback()
    sealed = {(t.campaign_id, t.respondent_class, t.choice): t.n for t in db.session.query(Tally)}
    assert sealed == {
        (campaign.id, "full", "excellent"): 7,
        (campaign.id, "full", "competent"): 3,
        # 2 probationary and 1 full vote: under 5 each, merged at close (no split to subtract)
        (prob.id, "all", "excellent"): 3,
    }
    evidence = rating.evidence_for(db.session, 2026, [org["second"]])[org["second"].id]
    assert evidence.members.excellent_merged == 3 and evidence.members.participants_merged == 3
    assert evidence.members.participants_full == evidence.members.participants_probationary == 0


def test_the_summary_pauses_the_cyclic_collector_and_resumes_it_even_on_failure(
    make, db, org, monkeypatch
):
    """Its objects all live until it returns: full collections only walked them (1.3 s of a
    3 s summary of 10,000 branches, bench/ratings.py)."""
    import gc

    from survey import rules

    seen, rate = [], rules.rate
    monkeypatch.setattr(rules, "rate", lambda *a: seen.append(gc.isenabled()) or rate(*a))
    rating.committee_summary(db.session, org["committee"], 2026)
    assert seen and not any(seen) and gc.isenabled()

    def broken(*_args):
        raise RuntimeError("engine")

    monkeypatch.setattr(rules, "rate", broken)
    with pytest.raises(RuntimeError):
        rating.committee_summary(db.session, org["committee"], 2026)
    assert gc.isenabled()
