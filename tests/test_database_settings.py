"""SURVEY_DATABASE_POOLER and SURVEY_DATABASE_READ_URL as settings, in process (the real
PgBouncer and replica: tests/test_pgbouncer.py and tests/test_replica.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from survey.core import config, replica
from survey.core.config import ProductionError
from survey.core.database import engine_options

POSTGRES = "postgresql+psycopg://survey@127.0.0.1:6432/survey"


def settings(env: dict) -> dict:
    values = dict(config.DEFAULTS)
    config._database_settings(values, env)
    return values


def test_transaction_pooling_turns_psycopg_preparation_off():
    pooled = engine_options(settings({"SURVEY_DATABASE_POOLER": "transaction"}), POSTGRES)
    assert pooled["connect_args"]["prepare_threshold"] is None
    direct = engine_options(settings({}), POSTGRES)
    assert "prepare_threshold" not in direct["connect_args"]  # psycopg's default: prepare


def test_an_unknown_pooler_refuses_the_start_rather_than_keep_preparing():
    with pytest.raises(ProductionError, match="SURVEY_DATABASE_POOLER is one of: transaction"):
        settings({"SURVEY_DATABASE_POOLER": "transactoin"})


def test_the_read_url_and_its_allowed_lag_are_read_from_the_environment():
    values = settings(
        {"SURVEY_DATABASE_READ_URL": POSTGRES, "SURVEY_DATABASE_READ_MAX_LAG_SECONDS": "5"}
    )
    assert values["DATABASE_READ_URL"] == POSTGRES
    assert values["DATABASE_READ_MAX_LAG_SECONDS"] == 5.0
    assert settings({})["DATABASE_READ_URL"] is None
    assert settings({})["DATABASE_READ_MAX_LAG_SECONDS"] == 30


def test_a_read_url_that_is_no_postgresql_replica_refuses_the_start():
    with pytest.raises(ProductionError, match="streaming replica"):
        settings({"SURVEY_DATABASE_READ_URL": "sqlite:///copy.sqlite"})
    with pytest.raises(ProductionError, match="streaming replica"):
        values = dict(config.DEFAULTS, SQLALCHEMY_DATABASE_URI="sqlite:///survey.sqlite")
        config._database_settings(values, {"SURVEY_DATABASE_READ_URL": POSTGRES})


def test_without_a_replica_the_heavy_reads_use_the_primary_and_the_page_says_nothing(app):
    result, fresh = replica.read(lambda session: session.get_bind().dialect.name)
    assert result == app.extensions["sqlalchemy"].engine.dialect.name
    assert fresh.source == replica.PRIMARY and not fresh.configured
    assert replica.note(fresh) == ""


@pytest.mark.parametrize(
    ("lang", "fell_back", "expected"),
    [
        ("zh", None, "数据截至14:05（北京时间）"),
        ("zh", replica.DOWN, "数据截至14:05（北京时间）；报表副本未响应，已改读主数据库"),
        ("zh", replica.LAGGING, "数据截至14:05（北京时间）；报表副本数据滞后，已改读主数据库"),
        ("en", None, "Figures as of 14:05 (Beijing time)"),
    ],
)
def test_the_note_gives_the_time_in_the_organisations_zone_and_why_the_primary_answered(
    app: Flask, lang, fell_back, expected
):
    at = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=14, minute=5).astimezone(UTC)
    fresh = replica.Freshness(replica.PRIMARY, at, fell_back, True)
    with app.test_request_context(f"/?lang={lang}"):
        assert replica.note(fresh) == expected


def test_figures_of_an_earlier_day_give_the_date_too(app: Flask):
    yesterday = datetime.now(UTC) - timedelta(days=1, hours=1)
    with app.test_request_context("/?lang=zh"):
        note = replica.note(replica.Freshness(replica.REPLICA, yesterday, None, True))
    assert note.startswith("数据截至") and "年" in note and "月" in note
