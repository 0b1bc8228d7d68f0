"""The admin creates organisations and accounts from the browser; both are audited."""

import re

import pytest
from helpers import csrf_from
from sqlalchemy import select

from survey.models import AuditEntry, Organisation, User


@pytest.fixture
def admin(client, make):
    make.tree()
    make.user("admin", "admin")
    page = client.get("/login")
    data = {"csrf_token": csrf_from(page.text), "username": "admin"}
    client.post("/login", data={**data, "password": "correct horse battery"})
    return client


def post(client, url, **data):
    token = csrf_from(client.get("/staff/admin/").text)
    return client.post(url, data={"csrf_token": token, **data})


def test_an_admin_creates_a_branch_under_a_committee(admin, db):
    committee = db.session.scalar(select(Organisation).where(Organisation.name == "机关党委"))
    answer = post(
        admin,
        "/staff/admin/organisations",
        **{"org-name": "新党支部", "org-kind": "branch", "org-parent_id": committee.id},
    )
    assert answer.status_code == 303
    db.session.rollback()
    branch = db.session.scalar(select(Organisation).where(Organisation.name == "新党支部"))
    assert branch.parent_id == committee.id
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "organisation.create", AuditEntry.object_id == str(branch.id)
        )
    )
    assert entry.actor == "web:admin"


def test_a_branch_without_a_committee_is_refused(admin, db):
    answer = post(
        admin,
        "/staff/admin/organisations",
        **{"org-name": "孤支部", "org-kind": "branch", "org-parent_id": 0},
    )
    assert answer.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(Organisation).where(Organisation.name == "孤支部")) is None


def test_an_admin_creates_a_secretary_whose_password_is_hashed(admin, db, client):
    branch = db.session.scalar(select(Organisation).where(Organisation.name == "第二党支部"))
    data = {
        "user-username": "li",
        "user-role": "secretary",
        "user-organisation_id": branch.id,
        "user-password": "a long enough secret",
    }
    assert post(admin, "/staff/admin/users", **data).status_code == 303
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.username == "li"))
    assert user.organisation_id == branch.id
    assert "a long enough secret" not in user.password_hash and user.check_password(
        "a long enough secret"
    )
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.create", AuditEntry.object_id == str(user.id)
        )
    )
    assert entry.actor == "web:admin" and entry.detail["role"] == "secretary"


def test_a_secretary_of_a_committee_or_a_taken_name_is_refused(admin, db):
    committee = db.session.scalar(select(Organisation).where(Organisation.name == "机关党委"))
    data = {
        "user-username": "wang",
        "user-role": "secretary",
        "user-organisation_id": committee.id,
        "user-password": "a long enough secret",
    }
    assert post(admin, "/staff/admin/users", **data).status_code == 400
    data["user-username"] = "admin"
    data["user-role"] = "auditor"  # the legacy admin is the CLI's alone
    assert post(admin, "/staff/admin/users", **data).status_code == 409
    data["user-username"], data["user-password"] = "zhao", "short"
    assert post(admin, "/staff/admin/users", **data).status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username.in_(["wang", "zhao"]))) is None


def _error_beside(html: str, field_id: str) -> str:
    """The reason shown right after the field (templates/_form.html), before the next label."""
    start = html.index(f'id="{field_id}"')
    end = html.find("<label", start)
    found = re.search(r'<p class="error">([^<]+)</p>', html[start : end if end > 0 else None])
    assert found, f"no reason beside {field_id}"
    return found.group(1)


def test_a_taken_user_name_is_named_beside_the_field_on_the_admin_page(admin):
    data = {
        "user-username": "admin",
        "user-role": "auditor",
        "user-organisation_id": 0,
        "user-password": "a long enough secret",
    }
    answer = post(admin, "/staff/admin/users?lang=zh", **data)
    assert answer.status_code == 409
    assert "已被占用" in _error_beside(answer.text, "user-username")
    assert "已经提交过了" not in answer.text and 'class="staff-nav"' in answer.text


def test_a_secretary_given_a_committee_is_told_to_choose_a_branch_beside_the_field(admin, db):
    committee = db.session.scalar(select(Organisation).where(Organisation.name == "机关党委"))
    data = {
        "user-username": "wang",
        "user-role": "secretary",
        "user-organisation_id": committee.id,
        "user-password": "a long enough secret",
    }
    answer = post(admin, "/staff/admin/users?lang=zh", **data)
    assert answer.status_code == 400
    assert "党支部书记应属于党支部" in _error_beside(answer.text, "user-organisation_id")
    assert "无法读取提交的内容" not in answer.text and 'class="staff-nav"' in answer.text
    english = post(admin, "/staff/admin/users?lang=en", **data)
    assert "belongs to a branch" in _error_beside(english.text, "user-organisation_id")


def test_a_branch_without_a_committee_is_told_so_beside_the_field(admin):
    answer = post(
        admin,
        "/staff/admin/organisations?lang=zh",
        **{"org-name": "孤支部", "org-kind": "branch", "org-parent_id": 0},
    )
    assert answer.status_code == 400 and 'class="staff-nav"' in answer.text
    assert "党支部应隶属于一个党委" in _error_beside(answer.text, "org-parent_id")
