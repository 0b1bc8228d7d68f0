"""The CLI of docs/design.md's contract."""

from survey.models import ApiToken, Ballot, Campaign, Organisation, User


def test_create_user_and_api_token_whose_last_line_authenticates(runner, client, make):
    branch = make.organisation()
    made = runner.invoke(
        args=[
            "create-user",
            "li",
            "--role",
            "secretary",
            "--org",
            str(branch.id),
            "--password",
            "a long password",
        ]
    )
    assert made.exit_code == 0, made.output
    token = runner.invoke(args=["create-api-token", "li"])
    assert token.exit_code == 0
    last = token.output.strip().splitlines()[-1]
    answer = client.get("/api/v1/campaigns/1/tally", headers={"Authorization": f"Bearer {last}"})
    assert answer.status_code == 404  # authenticated; no such campaign


def test_create_user_refuses_bad_input_without_a_traceback(runner, make):
    branch = make.organisation()
    for args in (
        ["create-user", "x", "--role", "secretary", "--password", "long enough!"],
        ["create-user", "x", "--role", "reviewer", "--org", "999", "--password", "long enough!"],
        ["create-user", "x", "--role", "admin", "--password", "short"],
        ["create-user", "x", "--role", "king", "--password", "long enough!"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "Traceback" not in result.output, args
    runner.invoke(
        args=[
            "create-user",
            "x",
            "--role",
            "secretary",
            "--org",
            str(branch.id),
            "--password",
            "long enough!",
        ]
    )
    again = runner.invoke(
        args=["create-user", "x", "--role", "admin", "--password", "long enough!"]
    )
    assert again.exit_code != 0 and "exists" in again.output


def test_create_api_token_for_unknown_user_fails(runner, app):
    assert runner.invoke(args=["create-api-token", "nobody"]).exit_code != 0


def test_password_is_stored_hashed(runner, make, db):
    runner.invoke(args=["create-user", "root", "--role", "admin", "--password", "a long password"])
    user = db.session.query(User).filter_by(username="root").one()
    assert "a long password" not in user.password_hash
    assert user.check_password("a long password") and not user.check_password("wrong")


def test_init_db_is_idempotent(runner, app):
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_demo_loads_once_and_prints_logins_and_working_links(runner, client, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "secretary / " in first.output and "API token" in first.output
    links = [w for w in first.output.split() if "/b/" in w]
    assert len(links) == 5
    path = "/b/" + links[0].split("/b/")[1]
    assert client.get(path).status_code == 200
    counts = (
        db.session.query(Organisation).count(),
        db.session.query(Campaign).count(),
        db.session.query(Ballot).count(),
        db.session.query(ApiToken).count(),
    )
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    db.session.rollback()
    assert counts == (
        db.session.query(Organisation).count(),
        db.session.query(Campaign).count(),
        db.session.query(Ballot).count(),
        db.session.query(ApiToken).count(),
    )
    closed = db.session.query(Campaign).filter_by(status="closed").all()
    assert closed and all(c.snapshot_sha256 for c in closed)
