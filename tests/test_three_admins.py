"""三员分立: the system, security and audit administrators are each refused what the others may
do, on the pages and the API, as the one role table (access.PERMISSIONS) says; no account holds
two of them; the first one founds the others and is told to; a legacy ``admin`` keeps working
as sysadmin + secadmin with a 请分设三员 warning until it is split; role changes are audited."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, bearer, csrf_from
from sqlalchemy import select

from survey.core.errors import Invalid
from survey.models import AuditEntry, User
from survey.staff import access, accounts
from survey.staff.access import ADMIN_ROLES, AUDITOR, SECADMIN, SYSADMIN, Action


@pytest.fixture
def world(make):
    committee, first, *_ = make.tree()
    closed = make.campaign(first, status="open")
    make.close(closed)
    users = {role: make.user(role, role) for role in ADMIN_ROLES}
    target = make.user("secretary", "secretary", first)
    legacy = make.user("old", "admin")
    return {
        "committee": committee.id,
        "branch": first.id,
        "closed": closed.id,
        "target": target.id,
        "legacy": legacy.id,
        "target_token": target.api_token,
        "users": users,
    }


def _token_id(db, world) -> int:
    from survey.models import ApiToken

    return db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == world["target"]))


# verb: (action, method, path, form data); every administrator's row of the table has one
PAGE_VERBS = {
    "create organisation": (
        Action.MANAGE_ORGANISATIONS,
        "POST",
        "/staff/admin/organisations",
        lambda w: {"org-name": "新支部", "org-kind": "branch", "org-parent_id": w["committee"]},
    ),
    "create a secretary's account": (
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
    "read results": (Action.READ_RESULTS, "GET", "/staff/campaigns/{closed}/results", None),
    "reset a password": (
        Action.RESET_PASSWORDS,
        "GET",
        "/staff/admin/users/{target}/password",
        None,
    ),
    "deactivate an account": (
        Action.ACTIVATE_USERS,
        "POST",
        "/staff/admin/users/{target}/active",
        {},
    ),
    "split a legacy admin": (
        Action.MANAGE_ROLES,
        "POST",
        "/staff/admin/users/{legacy}/role",
        {"role": "sysadmin"},
    ),
    "read the audit log": (Action.READ_AUDIT, "GET", "/staff/audit", None),
    "export the whole audit log": (Action.READ_WHOLE_AUDIT, "GET", "/staff/audit.csv", None),
}


def _page(client, world, method, path, data):
    url = path.format(**world)
    if method == "GET":
        return client.get(url)
    token = csrf_from(client.get("/staff/").text)
    form = data(world) if callable(data) else dict(data)
    return client.post(url, data={"csrf_token": token, **form})


@pytest.mark.parametrize("verb", sorted(PAGE_VERBS))
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_each_administrator_is_refused_on_the_pages_what_the_table_refuses(
    auth, client, world, role, verb
):
    action, method, path, data = PAGE_VERBS[verb]
    auth.login(role)
    answer = _page(client, world, method, path, data)
    if access.role_may(role, action):
        assert answer.status_code not in (403, 404, 500), (role, verb, answer.status_code)
    else:
        assert answer.status_code == 403, (role, verb, answer.status_code)


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_only_the_secadmin_revokes_another_accounts_token(auth, client, db, world, role):
    auth.login(role)
    token = csrf_from(client.get("/staff/").text)
    url = f"/staff/tokens/{_token_id(db, world)}/revoke"
    answer = client.post(url, data={"csrf_token": token})
    allowed = access.role_may(role, Action.MANAGE_TOKENS)
    assert answer.status_code == (303 if allowed else 404)  # someone else's token: absent


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_the_api_refuses_each_administrator_as_the_table_does(client, world, role):
    user = world["users"][role]
    body = {"name": "新支部", "kind": "branch", "parent_id": world["committee"]}
    created = client.post("/api/v1/organisations", json=body, headers=bearer(user))
    expected = 201 if access.role_may(role, Action.MANAGE_ORGANISATIONS) else 403
    assert created.status_code == expected  # the role (403) before the body is read
    tally = client.get(f"/api/v1/campaigns/{world['closed']}/tally", headers=bearer(user))
    # the campaign is outside the secadmin's and the auditor's scope: absent (404)
    assert tally.status_code == (200 if access.role_may(role, Action.READ_RESULTS) else 404)


def test_every_administrators_row_of_the_table_is_tried_at_a_door():
    tried = {action for action, *_ in PAGE_VERBS.values()} | {Action.MANAGE_TOKENS}
    theirs = {
        action
        for action, roles in access.PERMISSIONS.items()
        if roles & {SECADMIN, AUDITOR} and action != Action.FOUND_ADMINS
    }
    assert theirs <= tried


@pytest.mark.parametrize("action", list(access.PERMISSIONS))
def test_no_action_of_the_table_is_held_by_two_of_the_three(action):
    holders = access.PERMISSIONS[action] & set(ADMIN_ROLES)
    if action == Action.FOUND_ADMINS:
        assert holders == set(ADMIN_ROLES)  # the first one founds the others
    else:
        assert len(holders) <= 1, (action, holders)


def test_the_auditor_sees_no_organisation_and_the_secadmin_none_either(db, world):
    for role in (SECADMIN, AUDITOR):
        assert access.visible_organisation_ids(db.session, world["users"][role]) == set()
    assert access.visible_organisation_ids(db.session, world["users"][SYSADMIN]) is None


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("other", [*ADMIN_ROLES, "secretary"])
def test_no_account_can_be_given_a_second_administrator_role(db, world, role, other):
    user = world["users"][role]
    with pytest.raises(Invalid) as refused:
        accounts.change_role(db.session, "test", user, other)
    assert refused.value.detail["reason"] in ("second_admin_role", "role")
    db.session.rollback()
    assert db.session.get(User, user.id).role == role


def test_a_second_administrator_role_is_refused_on_the_page_in_words(auth, client, db, make):
    make.user("sec", SECADMIN)
    sys_ = make.user("sys", SYSADMIN)
    auth.login("sec")
    token = csrf_from(client.get("/staff/admin/").text)
    url = f"/staff/admin/users/{sys_.id}/role?lang=zh"
    answer = client.post(url, data={"csrf_token": token, "role": AUDITOR})
    assert answer.status_code == 400
    assert "一个账号只能担任一种管理员" in answer.text
    db.session.rollback()
    assert db.session.get(User, sys_.id).role == SYSADMIN


def test_the_secadmin_splits_a_legacy_admin_and_the_change_is_audited(auth, client, db, world):
    auth.login(SECADMIN)
    page = client.get("/staff/admin/?lang=zh").text
    assert "请分设三员" in page and 'data-split="sysadmin"' in page
    token = csrf_from(page)
    url = f"/staff/admin/users/{world['legacy']}/role"
    assert client.post(url, data={"csrf_token": token, "role": SYSADMIN}).status_code == 303
    db.session.rollback()
    assert db.session.get(User, world["legacy"]).role == SYSADMIN
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.role_change"))
    assert entry.actor == "web:secadmin" and entry.object_id == str(world["legacy"])
    assert entry.detail == {"role": SYSADMIN, "previous": "admin"}
    assert "请分设三员" not in client.get("/staff/admin/?lang=zh").text


def test_a_legacy_admin_works_as_sysadmin_and_secadmin_and_is_warned(auth, client, make):
    committee = make.organisation("机关党委", "committee")
    make.user("old", "admin")
    auth.login("old")
    home = client.get("/staff/?lang=zh").text
    assert "请分设三员" in home
    assert client.get("/staff/admin/").status_code == 200
    assert client.get(f"/staff/admin/organisations/{committee.id}").status_code == 200
    assert client.get("/staff/audit").status_code == 403  # the audit log is the auditor's


def test_the_first_administrator_founds_the_other_two_and_no_more(auth, client, db, make):
    make.user("first", AUDITOR)
    auth.login("first")
    assert 'href="/staff/admin/"' in client.get("/staff/").text  # the Accounts link
    page = client.get("/staff/admin/?lang=zh").text
    assert "系统管理员" in page and "安全管理员" in page and 'id="missing-admins"' in page
    token = csrf_from(page)

    def create(name, role):
        data = {
            "csrf_token": token,
            "user-username": name,
            "user-role": role,
            "user-organisation_id": 0,
            "user-password": "long enough secret",
        }
        return client.post("/staff/admin/users", data=data)

    assert create("second", AUDITOR).status_code == 403  # one auditor is there already
    assert create("sys", SYSADMIN).status_code == 303
    assert create("sec", SECADMIN).status_code == 303
    db.session.rollback()
    assert access.missing_admin_roles(db.session) == frozenset()
    assert create("more", SYSADMIN).status_code == 403  # the three exist: only the secadmin
    assert client.get("/staff/admin/").status_code == 403  # nothing else here for an auditor
    assert 'href="/staff/admin/"' not in client.get("/staff/").text


def test_the_cli_tells_the_first_administrator_to_create_the_others(runner):
    made = runner.invoke(
        args=["create-user", "first", "--role", "sysadmin", "--password", PASSWORD]
    )
    assert made.exit_code == 0, made.output
    assert "Next: create the other administrators (secadmin, auditor)" in made.output
    legacy = runner.invoke(args=["create-user", "old", "--role", "admin", "--password", PASSWORD])
    assert legacy.exit_code == 0 and "请分设三员" in legacy.output
    assert "auditor" in legacy.output


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh", ("系统管理员", "安全管理员", "审计管理员")), ("en", ("System administrator",))],
)
def test_the_roles_are_named_in_the_readers_language(auth, client, world, lang, words):
    auth.login(SECADMIN)
    page = client.get(f"/staff/admin/?lang={lang}").text
    assert all(word in page for word in words)
