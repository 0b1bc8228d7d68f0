"""One rule per verb: the pages refuse exactly what the role table refuses, for every role.

Each verb is tried by an admin, the branch's secretary and the committee's reviewer, all of
whom can see the branch: a refusal can only come from the role table (403), never from
scope (404). The API's doors are held to the same table in tests/test_api_roles.py.
"""

import pytest
from helpers import csrf_from

from survey.models import User
from survey.staff import access
from survey.staff.access import Action

ROLES = ("admin", "secretary", "reviewer")


@pytest.fixture
def world(make, db):
    committee, first, *_ = make.tree()
    review = make.campaign(first, status="draft")
    make.ballots(review, 2)
    open_review = make.campaign(first, status="open")
    make.ballots(open_review, 2)
    closed = make.campaign(first, status="open")
    make.close(closed)
    poll = make.campaign(first, status="draft", kind="public_satisfaction", title="群众满意度测评")
    make.user("admin", "admin")
    make.user("secretary", "secretary", first)
    make.user("reviewer", "reviewer", committee)
    return {
        "committee": committee.id,
        "branch": first.id,
        "review": review.id,
        "open_review": open_review.id,
        "closed": closed.id,
        "poll": poll.id,
    }


# verb: (action the table names, method, path, form data)
VERBS = {
    "create organisation": (
        Action.MANAGE_ORGANISATIONS,
        "POST",
        "/staff/admin/organisations",
        lambda w: {"org-name": "新支部", "org-kind": "branch", "org-parent_id": w["committee"]},
    ),
    "create user": (
        Action.MANAGE_USERS,
        "POST",
        "/staff/admin/users",
        lambda w: {
            "user-username": "new",
            "user-role": "secretary",
            "user-organisation_id": w["branch"],
            "user-password": "long enough secret",
        },
    ),
    "create member review": (
        Action.RUN_MEMBER_REVIEW,
        "POST",
        "/staff/campaigns/new",
        lambda w: {"organisation_id": w["branch"], "year": 2026, "title": "测评"},
    ),
    "generate member ballots": (
        Action.RUN_MEMBER_REVIEW,
        "POST",
        "/staff/campaigns/{review}/ballots",
        lambda w: {"count": 1, "ballot_class": "full"},
    ),
    "print member cards": (
        Action.RUN_MEMBER_REVIEW,
        "GET",
        "/staff/campaigns/{review}/cards",
        None,
    ),
    "open member review": (Action.RUN_MEMBER_REVIEW, "POST", "/staff/campaigns/{review}/open", {}),
    "close member review": (
        Action.RUN_MEMBER_REVIEW,
        "POST",
        "/staff/campaigns/{open_review}/close",
        {},
    ),
    "read results": (Action.READ_RESULTS, "GET", "/staff/campaigns/{closed}/results", None),
    "generate resident codes": (
        Action.RUN_PUBLIC_POLL,
        "POST",
        "/staff/polls/{poll}/codes",
        lambda w: {"count": 1},
    ),
    "save assessment": (
        Action.ASSESS,
        "POST",
        "/ratings/branches/{branch}/assessment/2026",
        lambda w: {"organisation_grade": "excellent"},
    ),
    "grant title": (Action.MANAGE_TITLES, "POST", "/ratings/branches/{branch}/titles/2026", {}),
    "read committee summary": (
        Action.READ_SUMMARIES,
        "GET",
        "/ratings/committees/{committee}",
        None,
    ),
}


def _try(client, world, method, path, data):
    url = path.format(**world)
    if method == "GET":
        return client.get(url)
    token = csrf_from(client.get("/staff/").text)
    form = data(world) if callable(data) else dict(data)
    return client.post(url, data={"csrf_token": token, **form})


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_refuses_exactly_what_the_role_table_refuses(auth, client, db, world, role, verb):
    action, method, path, data = VERBS[verb]
    auth.login(role)
    answer = _try(client, world, method, path, data)
    user = db.session.query(User).filter_by(username=role).one()
    if access.may(user, action):
        assert answer.status_code not in (403, 404, 500), (role, verb, answer.status_code)
    else:
        assert answer.status_code == 403, (role, verb, answer.status_code)


def test_the_reviewer_may_not_run_a_member_review_by_the_table():
    reviewer = User(username="r", role="reviewer")
    assert not access.may(reviewer, Action.RUN_MEMBER_REVIEW)
    assert access.may(reviewer, Action.RUN_PUBLIC_POLL)
    assert access.may(User(username="a", role="admin"), Action.RUN_MEMBER_REVIEW)


BAD_ACCOUNTS = [
    ("secretary", "committee", "long enough secret"),  # a secretary belongs to a branch
    ("reviewer", "branch", "long enough secret"),  # a reviewer belongs to a committee
    ("secretary", "branch", "short"),  # the password is too short
]


@pytest.mark.parametrize(("role", "where", "password"), BAD_ACCOUNTS)
def test_the_page_and_the_cli_refuse_the_same_accounts(
    auth, client, runner, db, world, role, where, password
):
    org_id = world["committee"] if where == "committee" else world["branch"]
    auth.login("admin")
    page = _try(
        client,
        world,
        "POST",
        "/staff/admin/users",
        {
            "user-username": "page",
            "user-role": role,
            "user-organisation_id": org_id,
            "user-password": password,
        },
    )
    cli = runner.invoke(
        args=["create-user", "cli", "--role", role, "--org", str(org_id), "--password", password]
    )
    assert page.status_code == 400 and cli.exit_code != 0
    assert "Traceback" not in cli.output
    db.session.rollback()
    assert db.session.query(User).filter(User.username.in_(["page", "cli"])).count() == 0
