"""The audit log reads as sentences: who by name, what in words, which campaign by its title
and which organisation by its name, values in words, times in local time; every action kind
the code records has its sentence in Chinese and in English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from survey.core.transactions import run_in_transaction
from survey.models import CampaignStatus
from survey.staff.audit_words import SENTENCES

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "survey" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def _constants(tree: ast.AST, name: str) -> set[str]:
    """Every string a name is given anywhere in the module (``a, b = "x", "y"`` too)."""
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            for left, right in pairs:
                if isinstance(left, ast.Name) and left.id == name:
                    found |= {
                        n.value
                        for n in ast.walk(right)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    }
    return found


def _action_of(tree, node: ast.expr) -> set[str]:
    if isinstance(node, ast.Constant):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _action_of(tree, node.body) | _action_of(tree, node.orelse)
    if isinstance(node, ast.Name):
        return _constants(tree, node.id)
    if isinstance(node, ast.JoinedStr):  # f"campaign.{target}": every state a campaign enters
        prefix = node.values[0].value
        return {f"{prefix}{state}" for state in CampaignStatus if state != CampaignStatus.DRAFT}
    raise AssertionError(f"an action this test cannot read: {ast.dump(node)}")


def recorded_actions() -> set[str]:
    """Every action kind passed to audit.record / record_event anywhere in the code."""
    actions = set()
    for path in (ROOT / "survey").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in ("record", "record_event") and len(node.args) >= 3:
                if path.name == "audit.py" and name == "record":
                    continue  # record() hands its own argument on to record_event()
                actions |= _action_of(tree, node.args[2])
    return actions


def test_the_enumeration_finds_the_kinds_recorded_in_three_ways():
    actions = recorded_actions()
    assert {"ballots.generate", "campaign.open", "campaign.closed"} <= actions
    assert {"user.sign_in_failed", "rating.weak_override_withdrawn", "audit.prune"} <= actions
    assert len(actions) >= 30


def test_every_recorded_action_has_a_sentence_in_chinese_and_english():
    with CATALOGUE.open("rb") as handle:
        chinese = {m.id: m.string for m in read_po(handle, locale="zh") if m.id}
    missing = sorted(recorded_actions() - set(SENTENCES))
    assert not missing, f"no sentence for {missing}"
    untranslated = [a for a, s in SENTENCES.items() if not chinese.get(s._args[0])]
    assert not untranslated
    for action, sentence in SENTENCES.items():
        assert "%(who)s" in sentence._args[0] or action == "user.sign_in_failed"


@pytest.fixture
def logged(app, db, make):
    """A reviewer's committee, a branch's review with 12 ballots issued by 王芳, its opening,
    an assessment graded excellent and a failed sign-in."""
    from survey import campaigns
    from survey.ballotbox import ballots
    from survey.rating import assessments
    from survey.staff import sign_in

    committee, first, *_ = make.tree()
    make.user("王芳", "secretary", first)
    make.user("reviewer", "reviewer", committee)
    review = make.campaign(first, status="draft", title="2026年度第一支部评议")

    def work():
        ballots.generate_ballots(db.session, "web:王芳", review, 12)
        campaigns.open_campaign(db.session, "web:王芳", review)
        assessments.save_assessment(
            db.session, "api:reviewer", first, 2026, {"organisation_grade": "excellent"}
        )
        sign_in.record_failed_sign_in(db.session, "nobody", "10.0.0.9")

    run_in_transaction(db.session, work)
    return {"review": review, "first": first}


def _entries(html: str) -> str:
    return html.split('<ol class="audit"')[1].split("</ol>")[0]


def test_the_log_says_who_did_what_to_which_campaign_in_chinese(client, auth, logged):
    auth.login("reviewer")
    page = client.get("/staff/audit?lang=zh").text
    entries = _entries(page)
    assert "王芳为《2026年度第一支部评议》生成了12张评议票（正式党员）" in entries
    assert "王芳开始了《2026年度第一支部评议》" in entries
    assert "reviewer（通过接口）保存了第一党支部2026年度的组织评定" in entries
    assert "组织评定：优秀" in entries
    for key in ("web:", "campaign ", "organisation_grade", "excellent", "ballots.generate"):
        assert key not in entries
    assert "以上为北京时间" in page and "年" in entries


def test_the_log_speaks_english_on_an_english_page(client, auth, logged):
    auth.login("reviewer")
    entries = _entries(client.get("/staff/audit?lang=en").text)
    assert "王芳 issued 12 ballots (Full member) for “2026年度第一支部评议”" in entries
    assert "Committee grade (组织评定): Excellent" in entries


def test_the_filter_offers_organisations_and_campaigns_by_name(client, auth, logged, make):
    make.campaign(logged["first"], status="draft", title="另一次评议")
    auth.login("reviewer")
    page = client.get(f"/staff/audit?lang=zh&campaign={logged['review'].id}").text
    assert 'name="campaign" inputmode' not in page  # no number to type
    assert f'<option value="{logged["review"].id}" selected>2026年度第一支部评议</option>' in page
    assert '<optgroup label="第一党支部">' in page
    entries = _entries(page)
    assert "生成了12张评议票" in entries and "组织评定" not in entries


def test_a_failed_sign_in_is_said_without_a_key(client, auth, logged):
    auth.login("王芳")
    auth.logout()
    from survey.core.extensions import db
    from survey.models import AuditEntry, User
    from survey.staff import audit

    admin = User(username="管理员甲", role="auditor")
    admin.set_password("x" * 12)
    db.session.add(admin)
    db.session.flush()
    audit.record(db.session, "cli", "user.create", admin, role="auditor", organisation_id=None)
    db.session.commit()
    assert db.session.query(AuditEntry).count() > 3
    from survey.staff.audit_words import say_all

    with client.application.test_request_context("/?lang=zh"):
        entries = db.session.query(AuditEntry).all()
        said = [s.sentence for s in say_all(db.session, entries).values()]
    assert "以nobody登录未成功（用户名或密码不对）" in said
    assert "服务器管理命令新建了账号管理员甲（审计管理员）" in said
    assert "王芳退出登录" in said


def test_the_csv_export_adds_the_sentence_column(client, auth, logged, make):
    make.user("auditor", "auditor")
    auth.login("auditor")
    text = client.get("/staff/audit.csv?lang=zh").text
    header, *rows = text.splitlines()
    assert header.endswith(",entry_hash,sentence")
    assert any("王芳为《2026年度第一支部评议》生成了12张评议票" in row for row in rows)


def test_a_verification_is_said_with_its_polls_title_and_never_the_answer(client, make, db):
    from survey.models import AuditEntry, Complaint
    from survey.staff import audit
    from survey.staff.audit_words import say_all

    committee, first, *_ = make.tree()
    poll = make.campaign(first, kind="public_satisfaction", title="2026年度群众满意度测评")
    complaint = Complaint(id="a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", campaign_id=poll.id, reason="路灯")
    db.session.add(complaint)
    db.session.flush()
    audit.record(db.session, "web:审核甲", "response.verify", complaint, result="verified")
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="response.verify").one()
    with client.application.test_request_context("/?lang=zh"):
        said = say_all(db.session, [entry])[entry.id]
    assert said.sentence == "审核甲核查了《2026年度群众满意度测评》的一条不满意意见：查证属实"
    assert complaint.id not in said.sentence and "路灯" not in said.sentence
