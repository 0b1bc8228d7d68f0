"""The key is never beside the data: the development key lives outside the instance folder
that holds the database, and production refuses weak keys with one clear line at start."""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from survey import create_app
from survey.core.config import KeyBesideData, ProductionError

ROOT = Path(__file__).resolve().parent.parent
STRONG = secrets.token_urlsafe(48)


def start(monkeypatch, instance: Path, **env: str):
    """create_app with only the given key settings (no SURVEY_SECRET_KEYS unless given)."""
    for name in ("SURVEY_SECRET_KEYS", "SURVEY_SECRET_KEY_FILE", "XDG_CONFIG_HOME", "SURVEY_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(instance))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_development_key_is_made_once_outside_the_instance_folder_owner_only(
    monkeypatch, tmp_path
):
    instance, config = tmp_path / "instance", tmp_path / "config"
    app = start(monkeypatch, instance, XDG_CONFIG_HOME=str(config))
    key_file = config / "survey" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 64
    assert mode(key_file) == 0o600 and mode(key_file.parent) == 0o700
    # nothing that opens the votes is left in the folder that holds the database
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(str(instance / "survey.sqlite"))
    assert not [p for p in instance.rglob("*") if app.config["SECRET_KEY"] in _text(p)]
    again = start(monkeypatch, instance, XDG_CONFIG_HOME=str(config))
    assert again.config["SECRET_KEYS"] == app.config["SECRET_KEYS"]  # made once


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.is_file() else ""


def test_workers_starting_together_make_one_key(tmp_path):
    """gunicorn's workers start at once on a fresh machine: every one ends with the same key
    (each signs links the others must verify)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    env |= {
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEY_SECRET_KEY_FILE": str(tmp_path / "config" / "secret_key"),
    }
    code = "from survey import create_app; print(create_app().config['SECRET_KEY'])"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert keys == {(tmp_path / "config" / "secret_key").read_text().strip()}


def test_an_emptied_key_file_gets_a_new_key(monkeypatch, tmp_path):
    key_file = tmp_path / "config" / "secret_key"
    key_file.parent.mkdir()
    key_file.write_text("\n")
    app = start(monkeypatch, tmp_path / "instance", SURVEY_SECRET_KEY_FILE=str(key_file))
    assert len(app.config["SECRET_KEY"]) >= 64
    assert key_file.read_text().strip() == app.config["SECRET_KEY"] and mode(key_file) == 0o600


def test_without_xdg_config_home_the_key_is_in_the_home_config_folder(monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    app = start(monkeypatch, tmp_path / "instance")
    key_file = home / ".config" / "survey" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]


def test_a_setting_names_the_key_file(monkeypatch, tmp_path):
    chosen = tmp_path / "keys" / "dev.key"
    app = start(monkeypatch, tmp_path / "instance", SURVEY_SECRET_KEY_FILE=str(chosen))
    assert chosen.read_text().strip() == app.config["SECRET_KEY"] and mode(chosen) == 0o600


def test_a_key_file_inside_the_instance_folder_is_refused(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    with pytest.raises(KeyBesideData, match="inside the instance folder"):
        start(monkeypatch, instance, SURVEY_SECRET_KEY_FILE=str(instance / "keys" / "k"))
    assert not (instance / "keys").exists()


def test_an_old_key_beside_the_database_is_moved_once_with_a_warning(monkeypatch, tmp_path, caplog):
    instance, key_file = tmp_path / "instance", tmp_path / "config" / "secret_key"
    instance.mkdir()
    legacy = secrets.token_urlsafe(48)
    (instance / "secret_key").write_text(legacy)
    with caplog.at_level(logging.WARNING):
        app = start(monkeypatch, instance, SURVEY_SECRET_KEY_FILE=str(key_file))
    # the developer's open campaigns still open: the same key signs and unseals
    assert app.config["SECRET_KEYS"] == [legacy]
    assert not (instance / "secret_key").exists() and mode(key_file) == 0o600
    moved = [r.getMessage() for r in caplog.records if "moved to" in r.getMessage()]
    assert len(moved) == 1 and str(key_file) in moved[0] and legacy not in moved[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = start(monkeypatch, instance, SURVEY_SECRET_KEY_FILE=str(key_file))
    assert again.config["SECRET_KEYS"] == [legacy]
    assert not [r for r in caplog.records if "moved to" in r.getMessage()]  # once


def test_an_old_key_beside_the_database_joins_an_existing_key_file_as_the_older(
    monkeypatch, tmp_path
):
    instance, key_file = tmp_path / "instance", tmp_path / "config" / "secret_key"
    instance.mkdir()
    key_file.parent.mkdir()
    newer, legacy = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    key_file.write_text(newer + "\n")
    (instance / "secret_key").write_text(legacy)
    app = start(monkeypatch, instance, SURVEY_SECRET_KEY_FILE=str(key_file))
    assert app.config["SECRET_KEYS"] == [newer, legacy]  # new links signed by the newer
    assert not (instance / "secret_key").exists()


def _example_key() -> str:
    text = (ROOT / "deploy" / "survey.env.example").read_text()
    return re.search(r"^SURVEY_SECRET_KEYS=(.*)$", text, re.M).group(1).strip()


WEAK = [
    pytest.param("CHANGE-ME", "is a placeholder", id="CHANGE-ME"),
    pytest.param("changeme", "is a placeholder", id="changeme"),
    pytest.param("secret", "is a placeholder", id="secret"),
    pytest.param(
        "change-me-" + secrets.token_urlsafe(40), "is a placeholder", id="changeme-prefix"
    ),
    pytest.param(_example_key(), "is a placeholder", id="deploy-example"),
    pytest.param(secrets.token_urlsafe(24), "fewer than 32 random bytes", id="24-bytes-base64"),
    pytest.param(secrets.token_urlsafe(32)[:42], "has 42 characters", id="42-chars"),
    pytest.param(secrets.token_hex(31), "has 62 hex characters", id="31-bytes-hex"),
    pytest.param("k" * 64, "a word or a pattern", id="one-letter"),
    pytest.param("Tr0ub4dor&3" * 5, "a word or a pattern", id="repeated"),
    pytest.param("".join(c * 10 for c in "ghijkl"), "a pattern", id="low-entropy"),
    pytest.param(f"{STRONG},,{STRONG[::-1]}", "entry 2 of 3 is empty", id="doubled-comma"),
    pytest.param(f"{STRONG},", "entry 2 of 2 is empty", id="trailing-comma"),
    pytest.param(f",{STRONG}", "entry 1 of 2 is empty", id="leading-comma"),
    pytest.param(f"{STRONG}, ,{STRONG[::-1]}", "entry 2 of 3 is empty", id="blank-entry"),
    pytest.param(f"{STRONG},{secrets.token_hex(16)}", "entry 2 of 2 has 32 hex", id="weak-older"),
]


@pytest.mark.parametrize(("keys", "why"), WEAK)
def test_production_refuses_a_weak_key_list_with_one_line_that_never_quotes_it(
    monkeypatch, tmp_path, keys, why
):
    with pytest.raises(ProductionError) as refused:
        start(
            monkeypatch,
            tmp_path / "instance",
            SURVEY_ENV="production",
            SURVEY_SECRET_KEYS=keys,
            SURVEY_DATABASE_URL="postgresql+psycopg://db/survey",
        )
    message = str(refused.value)
    assert why in message and "\n" not in message
    assert "token_urlsafe(48)" in message  # how to make a good one
    for key in keys.split(","):
        if len(key.strip()) > 12:
            assert key.strip() not in message


@pytest.mark.parametrize(
    "keys",
    [
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(48),
        secrets.token_hex(32),
        f"{secrets.token_urlsafe(48)},{secrets.token_urlsafe(32)}",
        f" {secrets.token_urlsafe(48)} , {secrets.token_hex(32)} ",
    ],
    ids=["32-bytes-base64", "48-bytes-base64", "32-bytes-hex", "two-keys", "spaces-around"],
)
def test_production_starts_with_good_keys(monkeypatch, tmp_path, keys):
    app = start(
        monkeypatch,
        tmp_path / "instance",
        SURVEY_ENV="production",
        SURVEY_SECRET_KEYS=keys,
        SURVEY_DATABASE_URL="postgresql+psycopg://db/survey",
    )
    assert app.config["SECRET_KEYS"] == [k.strip() for k in keys.split(",")]


def test_a_production_start_with_the_shipped_example_key_stops_with_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    env |= {
        "SURVEY_ENV": "production",
        "SURVEY_SECRET_KEYS": _example_key(),
        "SURVEY_DATABASE_URL": "postgresql+psycopg://db/survey",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    started = subprocess.run(
        [sys.executable, "-c", "from survey import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    lines = [line for line in started.stderr.splitlines() if "SURVEY_SECRET_KEYS" in line]
    assert len(lines) == 1, started.stderr[-2000:]
    assert lines[0].startswith("survey.core.config.ProductionError: SURVEY_ENV=production refuses")
    assert "entry 1 of 1 is a placeholder" in lines[0]
