"""民主评议党员: creation from the roll, the ballot's rows, the tally per member and grade
(on both databases), the small-group rule and the committee's final grades."""

import random
from collections import Counter

import pytest
from appraisal_helpers import appraisal, grades_of, roll
from helpers import cast

from survey import campaigns
from survey.appraisal import operations as service
from survey.core.errors import Conflict, Invalid
from survey.core.transactions import run_in_transaction
from survey.models import AuditEntry, Tally

GRADES = ("excellent", "competent", "basically_competent", "incompetent")


def test_creation_freezes_the_active_roll(make, db):
    branch = make.organisation()
    names = roll(make, branch, 5, probationary=2)
    campaign = make.campaign(branch, status="draft", kind="member_appraisal", title="评议")
    rows = service.appraisees(db.session, campaign)
    assert [r.name for r in rows] == names
    assert [r.member_class for r in rows].count("probationary") == 2
    assert [q.key for q in campaign.questions] == [r.key for r in rows]
    assert {q.scale for q in campaign.questions} == {"member_review"}
    assert (campaign.eligible_full, campaign.eligible_probationary) == (3, 2)
    assert campaign.all_rows_required is True and campaign.top_grade_cap_percent is None
    roll(make, branch, 3)  # a new roll later changes nothing in the campaign
    assert [r.name for r in service.appraisees(db.session, campaign)] == names


def test_a_branch_without_a_roll_is_refused(make, db):
    branch = make.organisation()
    with pytest.raises(Invalid, match="no member roll"):
        make.campaign(branch, status="draft", kind="member_appraisal", title="评议")
    db.session.rollback()


@pytest.mark.parametrize("voters", [23, 9])
def test_tally_equals_the_sum_of_the_ballots_cast(make, db, voters):
    """Random ballots (some rows blank) cast through the service: the sealed counts are,
    per member and per grade, exactly what was cast."""
    rng = random.Random(voters)
    branch = make.organisation()
    campaign = appraisal(make, branch, 12, all_rows_required=False)
    cards = make.ballots(campaign, voters)
    expected = {q.key: Counter() for q in campaign.questions}
    for card in cards:
        chosen = {p: rng.choice(GRADES) for p in range(12) if rng.random() < 0.9}
        chosen.setdefault(0, "competent")
        cast(db.session, card.id, grades_of(campaign, chosen))
        for question in campaign.questions:
            if question.position in chosen:
                expected[question.key][chosen[question.position]] += 1
    make.close(campaign)
    rows = campaign.snapshot["appraisees"]
    assert campaign.snapshot["responses"] == voters
    for row in rows:
        assert row["counts"] == {g: expected[row["key"]][g] for g in GRADES}
        assert row["answered"] == sum(expected[row["key"]].values())
    assert sum(sum(r["counts"].values()) for r in rows) == sum(
        sum(c.values()) for c in expected.values()
    )
    assert db.session.query(Tally).filter_by(campaign_id=campaign.id).count() == 0
    assert campaigns.tally(db.session, campaign)["appraisees"] == rows  # read from the seal


def test_fewer_than_five_responses_show_no_per_member_counts(make, db):
    branch = make.organisation()
    campaign = appraisal(make, branch, 4)
    for card in make.ballots(campaign, 4):
        cast(db.session, card.id, grades_of(campaign, dict.fromkeys(range(4), "incompetent")))
    make.close(campaign)
    rows = campaign.snapshot["appraisees"]
    assert all(r["counts"] is None and r["answered"] is None for r in rows)
    assert "questions" not in campaign.snapshot and "by_class" not in campaign.snapshot
    results = service.results(db.session, campaign)
    assert not any(r.calls_for_handling for r in results)  # nothing inferred from hidden votes


def _closed(make, db, n=6, votes=6, **fields):
    branch = make.organisation()
    campaign = appraisal(make, branch, n, **fields)
    for i, card in enumerate(make.ballots(campaign, votes)):
        chosen = dict.fromkeys(range(n), "competent") | {0: "excellent", 1: "incompetent"}
        if i % 2:
            chosen[2] = "incompetent"
        cast(db.session, card.id, grades_of(campaign, chosen))
    make.close(campaign)
    return campaign


def _grade(db, campaign, row, grade, reason="支部委员会研究决定"):
    return run_in_transaction(
        db.session,
        lambda: service.record_final_grade(
            db.session, "web:secretary", campaign, row, grade, reason
        ),
    )


def test_final_grades_are_recorded_with_their_reason_in_the_audit_log(make, db):
    campaign = _closed(make, db)
    rows = service.results(db.session, campaign)
    assert [r.name for r in rows if r.calls_for_handling] == [rows[1].name]
    _grade(db, campaign, rows[1].id, "basically_competent", "本人已认识错误并整改")
    _grade(db, campaign, rows[3].id, "incompetent", "长期不参加组织生活")
    rows = service.results(db.session, campaign)
    assert [r.name for r in rows if r.calls_for_handling] == [rows[3].name]
    entries = db.session.query(AuditEntry).filter_by(action="appraisal.final_grade").all()
    assert [e.detail["grade"] for e in entries] == ["basically_competent", "incompetent"]
    assert entries[1].detail["reason"] == "长期不参加组织生活"


def test_the_vote_suggests_the_grade_given_most_often_and_none_on_a_tie_or_hidden_counts():
    counts = {"excellent": 1, "competent": 4, "basically_competent": 0, "incompetent": 1}
    assert service.suggested_grade(counts) == "competent"
    assert service.suggested_grade(dict(counts, excellent=4)) is None  # a tie: no suggestion
    assert service.suggested_grade(dict.fromkeys(counts, 0)) is None
    assert service.suggested_grade(None) is None  # small-group rule: counts withheld


def test_a_reason_is_needed_where_the_grade_departs_from_the_vote_or_calls_for_handling():
    assert not service.needs_reason("competent", "competent")
    assert not service.needs_reason("excellent", "excellent")
    assert service.needs_reason("excellent", "competent")
    assert service.needs_reason("competent", None)
    assert service.needs_reason("basically_competent", "basically_competent")
    assert service.needs_reason("incompetent", "incompetent")


def test_a_final_grade_needs_a_known_grade_and_a_reason_where_it_departs_from_the_vote(make, db):
    campaign = _closed(make, db)  # row 0 all 优秀, 1 mostly 不合格, 2 tied, 3 all 合格
    rows = [r.id for r in service.results(db.session, campaign)]
    with pytest.raises(Invalid):
        _grade(db, campaign, rows[0], "good")
    with pytest.raises(Invalid):
        _grade(db, campaign, rows[0], "competent", "  ")  # differs from the vote's 优秀
    with pytest.raises(Invalid):
        _grade(db, campaign, rows[1], "incompetent", "")  # as voted, but 不合格 always says why
    with pytest.raises(Invalid):
        _grade(db, campaign, rows[2], "competent", "")  # a tie suggests nothing
    assert _grade(db, campaign, rows[3], "competent", "").final_reason is None
    assert _grade(db, campaign, rows[0], "excellent", " ").final_grade == "excellent"


def test_final_grades_are_all_recorded_or_none_with_each_refused_row_named(make, db):
    campaign = _closed(make, db)
    rows = [r.id for r in service.results(db.session, campaign)]
    decisions = {
        rows[0]: ("excellent", ""),
        rows[1]: ("basically_competent", ""),
        rows[3]: ("excellent", ""),
    }
    with pytest.raises(Invalid) as refused:
        run_in_transaction(
            db.session,
            lambda: service.record_final_grades(db.session, "web:s", campaign, decisions),
        )
    assert refused.value.detail["rows"] == {rows[1]: "reason", rows[3]: "reason"}
    db.session.rollback()
    assert not any(r.final_grade for r in service.results(db.session, campaign))
    decisions[rows[1]] = ("basically_competent", "已整改")
    decisions[rows[3]] = ("excellent", "带头作用突出")
    run_in_transaction(
        db.session,
        lambda: service.record_final_grades(db.session, "web:s", campaign, decisions),
    )
    finals = {r.id: r.final_grade for r in service.results(db.session, campaign)}
    assert [finals[rows[i]] for i in (0, 1, 2, 3)] == [
        "excellent",
        "basically_competent",
        None,
        "excellent",
    ]


def test_the_cap_on_excellent_refuses_the_grade_that_exceeds_it(make, db):
    campaign = _closed(make, db, n=6, top_grade_cap_percent=34)  # 2 of 6 is 33.3 %: allowed
    rows = service.results(db.session, campaign)
    _grade(db, campaign, rows[0].id, "excellent")
    _grade(db, campaign, rows[0].id, "excellent")  # the same member again: still one
    _grade(db, campaign, rows[1].id, "excellent")
    with pytest.raises(Conflict, match="34%"):
        _grade(db, campaign, rows[2].id, "excellent")
    _grade(db, campaign, rows[2].id, "competent")


def test_results_sort_as_the_committee_chooses(make, db):
    campaign = _closed(make, db)
    by_excellent = service.results(db.session, campaign, "excellent")
    assert by_excellent[0].position == 0
    by_incompetent = service.results(db.session, campaign, "incompetent")
    assert [r.position for r in by_incompetent[:2]] == [1, 2]
    names = [r.name for r in service.results(db.session, campaign, "name")]
    assert names == sorted(names)


def test_a_200_member_ballot_seals_to_one_size_whatever_is_chosen(make, db):
    """The envelope's length says the campaign's row count and nothing else: all
    basically_competent (the longest word), all excellent, a single row, on 200 members."""
    from sqlalchemy import func

    from survey.models import Count, Envelope

    branch = make.organisation()
    campaign = appraisal(make, branch, 200, all_rows_required=False)
    longest, shortest, single = make.ballots(campaign, 3)
    cast(
        db.session,
        longest.id,
        grades_of(campaign, dict.fromkeys(range(200), "basically_competent")),
    )
    cast(db.session, shortest.id, grades_of(campaign, dict.fromkeys(range(200), "excellent")))
    cast(db.session, single.id, grades_of(campaign, {7: "competent"}))
    db.session.rollback()
    sizes = {len(e.sealed) for e in db.session.query(Envelope).filter_by(campaign_id=campaign.id)}
    assert len(sizes) == 1
    (size,) = sizes
    # four blocks, the nonce and the GCM tag (and version 3's version byte, in the sm suite)
    assert size == 4 * 4096 + 12 + 16 + (campaign.crypto == "sm")
    make.close(campaign)
    assert campaign.snapshot["responses"] == 3
    assert all(r["counts"] is None for r in campaign.snapshot["appraisees"])  # 3 < 5
    counted = db.session.query(func.sum(Count.n)).filter_by(campaign_id=campaign.id).scalar()
    assert counted == 401  # every grade opened into the counts, none lost


def test_members_graded_excellent_at_once_stay_within_the_cap(app, make, db):
    """Ten committee members each grade a different member 优秀 at the same moment under a
    10 % cap of 10 members: exactly one is recorded, the others are refused."""
    from test_race import race

    from survey.models import Campaign

    campaign = _closed(make, db, n=10, votes=5, top_grade_cap_percent=10)
    campaign_id = campaign.id
    rows = [r.id for r in service.results(db.session, campaign)]

    def grade(i):
        with app.app_context():
            session = db.session
            try:
                run_in_transaction(
                    session,
                    lambda: service.record_final_grade(
                        session,
                        f"web:r{i}",
                        session.get(Campaign, campaign_id),
                        rows[i],
                        "excellent",
                        "好",
                    ),
                )
                return "ok"
            except Conflict:
                return "409"
            except Exception as exc:  # noqa: BLE001  (the test reports any other outcome)
                return repr(exc)
            finally:
                session.remove()

    results = race(grade, 10)
    assert sorted(results) == ["409"] * 9 + ["ok"], results
    db.session.rollback()
    finals = [r.final_grade for r in service.appraisees(db.session, campaign)]
    assert finals.count("excellent") == 1
