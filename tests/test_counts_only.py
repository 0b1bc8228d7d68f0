"""Attacks on a closed ballot box, run as an attacker would: SQL against the real database
(SQLite and PostgreSQL), the exports, the rating. A closed campaign keeps counts only
(survey/ballotbox/counting.py): no stored row, no file row, no figure is a ballot.

Each attack succeeded on the main branch before the counts: the appraisal rebuilt 20 of
20 ballots by physical order, a review's answer patterns were read from its responses
sheet, a scheme counting full members only gave the probationary votes by difference, and
a lone card's vote stood in its campaign's tally.
"""

from __future__ import annotations

import csv
import io
import os
import random
from collections import Counter

import pytest
from appraisal_helpers import appraisal, grades_of
from helpers import GOOD_ASSESSMENT, cast, csrf_from
from openpyxl import load_workbook
from sqlalchemy import inspect, text

from survey import campaigns, rating
from survey.core.errors import TooFewCards
from survey.models import Campaign, Tally
from survey.rating import assessments, schemes_store
from survey.rules.votes import UNSPLIT

BACKEND = os.environ.get("SURVEY_TEST_DATABASE", "sqlite")
PHYSICAL = "rowid" if BACKEND == "sqlite" else "ctid"
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
GRADE_WORDS = {"优秀", "合格", "基本合格", "不合格", "Excellent", "Competent", "Incompetent"}
GRADE_WORDS |= {"Basically competent"}
# what a table holding choices may say beside a choice: nothing that groups one ballot's rows
COUNT_COLUMNS = {"campaign_id", "question_id", "respondent_class", "geo", "choice", "n"}


def choice_tables(db) -> dict[str, set[str]]:
    """Every table with a question and a choice column, and its columns."""
    schema = inspect(db.engine)
    found = {}
    for table in schema.get_table_names():
        columns = {c["name"] for c in schema.get_columns(table)}
        if {"question_id", "choice"} <= columns:
            found[table] = columns
    return found


def rebuilt_by_physical_order(db, campaign) -> list[tuple[str, ...]]:
    """The attack of main: each question's answers in the order the rows sit in the file
    (rowid / ctid), a count row read as that many answers; the k-th of every question taken
    for one ballot."""
    db.session.rollback()
    questions = [q.id for q in campaign.questions]
    per_question: dict[int, list[str]] = {q: [] for q in questions}
    for table, columns in choice_tables(db).items():
        n = "n" if "n" in columns else "1"
        rows = db.session.execute(
            text(f"SELECT question_id, choice, {n} FROM {table} ORDER BY {PHYSICAL}")
        ).all()
        for question_id, choice, times in rows:
            if question_id in per_question:
                per_question[question_id] += [choice] * int(times)
    return list(zip(*(per_question[q] for q in questions), strict=False))


def matched(rebuilt: list[tuple], cast_ballots: list[tuple]) -> int:
    """How many cast ballots the attacker's rebuilt list holds (as multisets)."""
    return sum((Counter(rebuilt) & Counter(cast_ballots)).values())


def test_a_closed_appraisal_is_not_rebuilt_ballot_by_ballot_from_the_physical_order(make, db):
    """20 members grade 5 members in a Latin square (voter v gives member m the grade
    (v + m) mod 4): every ballot mixes grades, every member gets each grade 5 times. On main
    the k-th stored answer of every member was one voter's: 20 of 20 ballots rebuilt."""
    branch = make.organisation()
    campaign = appraisal(make, branch, 5)
    ballots = [tuple(GRADES[(v + m) % 4] for m in range(5)) for v in range(20)]
    for card, ballot in zip(make.ballots(campaign, 20), ballots, strict=True):
        cast(db.session, card.id, grades_of(campaign, dict(enumerate(ballot))))
    make.close(campaign)
    rebuilt = rebuilt_by_physical_order(db, campaign)
    found = matched(rebuilt, ballots)
    print(f'FIGURES physical_order_attack: {{"ballots": 20, "rebuilt": {found}}}')
    assert found == 0
    for table, columns in choice_tables(db).items():  # and nothing groups a ballot's rows
        assert columns <= COUNT_COLUMNS, (table, columns - COUNT_COLUMNS)
    # the counts themselves are exact
    assert campaign.snapshot["responses"] == 20
    assert all(row["answered"] == 20 for row in campaign.snapshot["appraisees"])


def _review_with_patterns(make, db, branch, voters=40, seed=7):
    """A member review of three questions; each voter's pattern drawn at random (about half
    of 40 patterns are given by nobody else: a signature a member could be told to vote)."""
    extra = [("political", "政治功能强"), ("masses", "服务群众强")]
    campaign = make.campaign(branch, extra_questions=extra)
    rng = random.Random(seed)
    ballots = [tuple(rng.choice(GRADES) for _ in campaign.questions) for _ in range(voters)]
    for card, ballot in zip(make.ballots(campaign, voters), ballots, strict=True):
        answers = {q.id: grade for q, grade in zip(campaign.questions, ballot, strict=True)}
        cast(db.session, card.id, answers)
    make.close(campaign)
    return campaign, ballots


def _rows_with_two_choices(rows) -> list:
    return [row for row in rows if sum(1 for cell in row if str(cell) in GRADE_WORDS) > 1]


def test_no_stored_row_or_file_row_holds_two_answers_of_one_ballot(auth, client, make, db, org):
    """The pattern attack: a ballot's answers side by side are a signature (on main, 22 of
    40 rows of the responses CSV carried a pattern nobody else gave)."""
    campaign, ballots = _review_with_patterns(make, db, org["first"])
    unique = sum(1 for n in Counter(ballots).values() if n == 1)
    assert unique >= 10  # the attack has signatures to look for
    for table, columns in choice_tables(db).items():
        assert columns <= COUNT_COLUMNS, (table, columns - COUNT_COLUMNS)
    auth.login("secretary")
    files = f"/staff/files/campaigns/{campaign.id}"
    seen = 0
    for name in ("tally.csv", "responses.csv"):
        answer = client.get(f"{files}/{name}?lang=zh")
        if answer.status_code != 200:
            assert answer.status_code == 410 and name == "responses.csv"
            continue
        rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"), newline="")))
        assert _rows_with_two_choices(rows) == [], name
        seen += 1
    book = load_workbook(io.BytesIO(client.get(f"{files}/summary.xlsx").data))
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert _rows_with_two_choices(rows) == [], sheet.title
    assert seen == 1  # the tally was read, and it holds every count
    print(f'FIGURES pattern_attack: {{"ballots": 40, "unique_patterns": {unique}, "rows": 0}}')


def _full_members_only_scheme(db, committee) -> None:
    """nmg-2020 copied by the committee with its members' share over full members only."""
    text_ = schemes_store.preset_text("nmg-2020", "full-only-2026")
    text_ = text_.replace("count_probationary = true", "count_probationary = false", 1)
    schemes_store.save(db.session, "t", committee, text_, "full-only.toml")
    schemes_store.choose(db.session, "t", committee, "full-only-2026")
    db.session.commit()


def _review_by_class(make, db, branch, full: int, probationary: int):
    """Full members all 优秀; probationary members all 合格."""
    campaign = make.campaign(branch)
    cards = make.ballots(campaign, full) + make.ballots(campaign, probationary, "probationary")
    for i, card in enumerate(cards):
        cast(db.session, card.id, {campaign.headline.id: "excellent" if i < full else "competent"})
    make.close(campaign)
    assessments.save_assessment(db.session, "t", branch, 2026, GOOD_ASSESSMENT)
    db.session.commit()
    return campaign


@pytest.mark.parametrize("probationary", [1, 4])
def test_a_full_members_only_scheme_is_pending_not_a_difference_over_few_probationary(
    make, db, org, probationary
):
    """Full members only over a review with 1-4 probationary votes: on main the split at rest
    gave the probationary votes as (all - full); now the classes are merged at close and the
    criterion says it cannot rate on it, in words."""
    _full_members_only_scheme(db, org["committee"])
    campaign = _review_by_class(make, db, org["first"], 36, probationary)
    members = rating.rate_branch(db.session, org["first"], 2026).criterion("members")
    assert members.outcome == "pending" and members.value is None
    assert members.evidence["reason"] == UNSPLIT
    classes = {
        t.respondent_class for t in db.session.query(Tally).filter_by(campaign_id=campaign.id)
    }
    assert classes == {"all"}  # nothing at rest to subtract from
    assert campaign.snapshot.get("by_class") is None


def test_a_scheme_counting_every_member_rates_merged_counts_on_all_the_votes(make, db, org):
    """nmg-2020 counts probationary members too: the merged 36 + 4 read as 36 of 40 (90 %)."""
    _review_by_class(make, db, org["first"], 36, 4)
    members = rating.rate_branch(db.session, org["first"], 2026).criterion("members")
    assert members.outcome == "pass"
    assert (members.value["excellent"], members.value["participants"]) == (36, 40)


def test_five_probationary_votes_keep_the_split_and_the_full_members_share(make, db, org):
    """At the threshold the split is kept: full members only reads 36 of 36."""
    _full_members_only_scheme(db, org["committee"])
    _review_by_class(make, db, org["first"], 36, 5)
    members = rating.rate_branch(db.session, org["first"], 2026).criterion("members")
    assert members.outcome == "pass"
    assert (members.value["excellent"], members.value["participants"]) == (36, 36)


@pytest.mark.parametrize("cards", [1, 2])
def test_fewer_than_three_cards_cannot_open_a_meeting(make, db, org, cards):
    campaign = make.campaign(org["first"], status="draft")
    make.ballots(campaign, cards)
    with pytest.raises(TooFewCards, match="at least 3 cards"):
        campaigns.open_campaign(db.session, "t", campaign)
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_the_secretarys_page_refuses_to_open_two_cards_with_409_and_says_why(
    auth, client, make, db, org
):
    campaign = make.campaign(org["first"], status="draft")
    make.ballots(campaign, 2)
    auth.login("secretary")
    url = f"/staff/campaigns/{campaign.id}"
    token = csrf_from(client.get(url).text)
    answer = client.post(f"{url}/open?lang=en", data={"csrf_token": token, "printed": "y"})
    assert answer.status_code == 409
    assert "fewer than 3 cards" in answer.text
    make.ballots(campaign, 1)
    assert client.post(f"{url}/open", data={"csrf_token": token, "printed": "y"}).status_code == 303


def test_under_five_responses_the_secretary_sees_the_verdict_not_the_counts(
    auth, client, make, db, org
):
    campaign = make.campaign(org["first"])
    choices = ["excellent", "excellent", "competent"]
    for card, choice in zip(make.ballots(campaign, 3), choices, strict=True):
        cast(db.session, card.id, {campaign.headline.id: choice})
    make.close(campaign)
    auth.login("secretary")
    results = client.get(f"/staff/campaigns/{campaign.id}/results?lang=en")
    assert results.status_code == 200
    assert 'data-verdict="below_threshold"' in results.text
    assert "2 (67%)" not in results.text and "1 (33%)" not in results.text
    minutes = client.get(f"/staff/campaigns/{campaign.id}/minutes?lang=en")
    assert 'data-verdict="below_threshold"' in minutes.text and "2 (67%)" not in minutes.text
    tally = client.get(f"/staff/files/campaigns/{campaign.id}/tally.csv?lang=en")
    rows = list(csv.reader(io.StringIO(tally.data.decode("utf-8-sig"), newline="")))
    assert not [row for row in rows if row[1:2] and row[1] in GRADE_WORDS]
