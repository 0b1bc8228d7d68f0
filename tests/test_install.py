"""An install that works anywhere: the wheel built from this checkout, installed into a fresh
venv outside it, upgrades its schema, makes its first admin and serves Chinese pages under
gunicorn from an unrelated folder (templates, static files, compiled catalogues and migrations
all come from inside the installed package)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from servers import BACKEND, PASSWORD, Phone, dedicated_database, free_port

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "survey" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
MAKE_BALLOT = """
from survey import campaigns, create_app
from survey.ballotbox import ballots
from survey.core.extensions import db
from survey.models import Organisation
from survey.core.security import ballot_token

app = create_app()
with app.app_context():
    branch = Organisation(name="社区党支部", kind="branch")
    db.session.add(branch)
    campaign = campaigns.create_campaign(
        db.session, "test", branch, kind="member_review", year=2026, title="安装测试"
    )
    card = ballots.generate_ballots(db.session, "test", campaign, 3)[0]  # a meeting needs 3
    campaigns.open_campaign(db.session, "test", campaign)
    db.session.commit()
    print(ballot_token(card.id))
"""


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command}:\n{done.stdout[-1500:]}\n{done.stderr[-2500:]}"
    return done.stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built as an administrator would (``make wheel``)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)])
    return next(out.glob("survey-*.whl"))


def test_the_wheel_carries_templates_static_migrations_and_compiled_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "survey/templates/base.html",
        "survey/static/style.css",
        "survey/migrations/env.py",
        "survey/migrations/alembic.ini",
        "survey/translations/zh/LC_MESSAGES/messages.mo",
        "survey/rules/facts.toml",
    ):
        assert needed in names, needed
    assert any(n.startswith("survey/migrations/versions/") for n in names)
    assert any(n.startswith("survey/rules/seeds/") and n.endswith(".txt") for n in names)
    assert any(n.startswith("survey/rules/schemes/") and n.endswith(".toml") for n in names)


def test_the_compiled_catalogue_in_the_wheel_is_the_current_po(wheel):
    with zipfile.ZipFile(wheel) as archive:
        mo = read_mo(BytesIO(archive.read("survey/translations/zh/LC_MESSAGES/messages.mo")))
    with PO.open("rb") as fh:
        po = read_po(fh)
    wanted = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in po if m.id}
    shipped = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in mo if m.id}
    translated = {k: v for k, v in wanted.items() if v and (isinstance(v, str) or all(v))}
    assert {k: shipped.get(k) for k in translated} == translated


@pytest.mark.gunicorn
def test_an_installed_wheel_serves_from_any_folder(wheel, tmp_path):
    started = time.monotonic()
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    run(pip + [f"{wheel}[postgres]"])
    installed = time.monotonic() - started
    elsewhere = tmp_path / "srv"  # not the checkout: nothing may be read from it
    elsewhere.mkdir()
    with dedicated_database(tmp_path) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SURVEY_", "PYTHON"))}
        env |= {
            "SURVEY_ENV": "production",
            "SURVEY_DATABASE_URL": url,
            "SURVEY_SECRET_KEYS": secrets.token_urlsafe(32),
            "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        }
        if BACKEND != "postgres":
            env["SURVEY_SINGLE_HOST"] = "1"
        bin_ = venv / "bin"
        where = run(
            [str(bin_ / "python"), "-c", "import survey; print(survey.__file__)"],
            cwd=elsewhere,
            env=env,
        )
        assert where.startswith(str(venv)), where
        run([str(bin_ / "flask"), "--app", "survey", "init-db"], cwd=elsewhere, env=env)
        run(
            [
                str(bin_ / "flask"),
                "--app",
                "survey",
                "create-user",
                "admin",
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ],
            cwd=elsewhere,
            env=env,
        )
        token = run([str(bin_ / "python"), "-c", MAKE_BALLOT], cwd=elsewhere, env=env).split()[-1]
        port = free_port()
        log = (tmp_path / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [
                str(bin_ / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "survey:create_app()",
            ],
            cwd=elsewhere,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            phone = Phone(f"http://127.0.0.1:{port}", {"Accept-Language": "zh-CN,zh;q=0.9"})
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "gunicorn not ready in 30 s"
                try:
                    if phone.request("/readyz", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            status, html, _ = phone.request("/login")
            assert status == 200 and "登录" in html
            status, html, _ = phone.request(f"/b/{token}")
            assert status == 200 and "安装测试" in html and 'name="nonce"' in html
            assert phone.request("/static/style.css")[0] == 200
            assert phone.request("/login", {"username": "admin", "password": "x"})[0] == 400
        finally:
            server.terminate()
            server.wait(timeout=15)
            log.close()
    log_text = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log_text and token not in log_text
    assert "GET /b/<token> 200" in log_text  # the app's own request line, by route pattern
    assert not (tmp_path / "instance" / "translations").exists()  # catalogues came compiled
    print(
        f"\nFIGURES install: venv+pip {installed:.1f} s, total {time.monotonic() - started:.1f} s"
    )
