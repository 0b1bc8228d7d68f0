"""Fixtures: one app per test session on the database chosen by SURVEY_TEST_DATABASE.

``make test`` runs the suite once on SQLite and once on PostgreSQL
(``SURVEY_TEST_DATABASE=postgres``, server at ``SURVEY_TEST_POSTGRES_URL``); ``make test-sm``
does the same with ``SURVEY_CRYPTO=sm``. On
PostgreSQL a fresh database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import contextvars
import os
import secrets

import pytest
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, sign_in
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.core.extensions import db as _db
from survey.core.extensions import limiter, one_hit
from survey.models.base import utcnow

POSTGRES_URL = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKEND = os.environ.get("SURVEY_TEST_DATABASE", "sqlite")


def _postgres_database():
    """Create a throw-away database beside the one in SURVEY_TEST_POSTGRES_URL."""
    url = make_url(POSTGRES_URL)
    name = f"survey_test_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _private_folders(tmp_path_factory):
    """Every app the suite makes keeps its instance folder and its development key in
    throw-away folders: never the checkout's instance/ (whose key a start would move) nor
    the developer's ~/.config/survey/secret_key."""
    saved = {
        name: os.environ.get(name) for name in ("SURVEY_INSTANCE_PATH", "SURVEY_SECRET_KEY_FILE")
    }
    os.environ["SURVEY_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance-default"))
    os.environ["SURVEY_SECRET_KEY_FILE"] = str(tmp_path_factory.mktemp("config") / "secret_key")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "postgres":
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture
def fresh_database_url(tmp_path):
    """A database of a test's own, empty: a throw-away PostgreSQL one or a SQLite file (the
    migration tests go up and down on it without touching the session's database)."""
    if BACKEND == "postgres":
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    os.environ.pop("SURVEY_REDIS_URL", None)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEYS": ["test-key-new", "test-key-old"],
            "BASE_URL": "https://survey.example.org",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt would slow the suite
            # the suite's accounts use passphrases of two kinds of character (helpers.PASSWORD);
            # tests/test_identity.py checks the default policy (three of four kinds)
            "PASSWORD_MIN_CLASSES": 2,
            # `make test-sm` runs the whole suite in the 国密 suite (SM2/SM3/SM4)
            "CRYPTO": os.environ.get("SURVEY_CRYPTO") or "international",
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        from survey.core.database import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app, with every table emptied after the test and config changes undone."""
    saved = dict(_app.config)
    with _app.app_context():
        yield _app
        _db.session.remove()
    _app.config.clear()
    _app.config.update(saved)
    _truncate(_app)
    with _app.app_context():
        limiter.reset()
        one_hit.reset()


def _truncate(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """Each request runs in an empty context, as in a server: it pushes its own app context
    instead of reusing the test's (whose ``g`` would otherwise leak between requests)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds the objects tests need, through the domain services where there is one."""

    def __init__(self, session):
        self.session = session
        self.cards: dict[int, list[str]] = {}  # campaign id -> its scrutineer cards' codes

    def _write(self):
        from survey.core.database import begin_write

        begin_write(self.session)

    def _commit(self, work):
        """One transaction, committed by its owner, as a request does."""
        from survey.core.transactions import run_in_transaction

        return run_in_transaction(self.session, work)

    def organisation(self, name="第一党支部", kind="branch", parent=None, **fields):
        """Through ``accounts.create_organisation``, as the pages, the API and the CLI."""
        from survey.staff import accounts

        if kind == "branch" and parent is None:
            parent = self.organisation("机关党委", "committee")  # a branch hangs under one

        def work():
            organisation = accounts.create_organisation(
                self.session, "test", name=name, kind=kind, parent=parent
            )
            for field, value in fields.items():
                setattr(organisation, field, value)
            return organisation

        return self._commit(work)

    def tree(self):
        """A committee with two branches, and a second committee with one."""
        committee = self.organisation("机关党委", "committee")
        first = self.organisation("第一党支部", parent=committee)
        second = self.organisation("第二党支部", parent=committee)
        other_committee = self.organisation("另一党委", "committee")
        foreign = self.organisation("外单位党支部", parent=other_committee)
        return committee, first, second, foreign

    def user(self, username, role, organisation=None):
        """Through ``accounts.create_user`` and ``tokens.create``; ``user.api_token`` is
        the token in clear."""
        from survey.staff import accounts, tokens

        def work():
            user = accounts.create_user(
                self.session,
                "test",
                username=username,
                role=role,
                organisation=organisation,
                password=PASSWORD,
            )
            user.api_token = tokens.create(self.session, "test", username=username)
            return user

        return self._commit(work)

    def campaign(self, organisation, status="open", kind="member_review", **fields):
        self._write()
        from survey import campaigns
        from survey.ballotbox import scrutineers
        from survey.campaigns import life

        fields.setdefault("year", 2026)
        fields.setdefault("title", "2026年度党员评议党支部工作")
        # The factory's campaigns stand for those of tests about other things: sealed by the
        # server unless a test asks for its scrutineers (tests/test_scrutineers.py), whose
        # cards are printed at opening and kept in ``self.cards`` for ``close``.
        fields.setdefault("sealing", "server")
        campaign = campaigns.create_campaign(
            self.session, "test", organisation, kind=kind, **fields
        )
        if status in ("open", "closed"):
            # Tests make their cards after opening, with the counts they assert on; the rule
            # that a meeting opens only with cards is the service's and is tested on its own
            # (tests/test_one_rule.py), so the factory takes the transition beneath it.
            life._transition(self.session, "test", campaign, life.CampaignStatus.OPEN)
            campaign.opened_at = utcnow()
            if campaign.sealing == "scrutineers":
                cards = scrutineers.print_cards(self.session, "test", campaign)
                self.cards[campaign.id] = [card.code for card in cards]
        self.session.commit()
        return campaign

    def ballots(self, campaign, count=1, ballot_class="full"):
        self._write()
        from survey.ballotbox import ballots

        issued = ballots.generate_ballots(self.session, "test", campaign, count, ballot_class)
        self.session.commit()
        return issued

    def close(self, campaign):
        self._write()
        from survey import campaigns

        codes = self.cards.get(campaign.id)
        campaigns.close_campaign(self.session, "test", campaign, scrutineer_codes=codes)
        self.session.commit()


class AuthActions:
    """Sign in and out through the pages, as flaskr's tests do."""

    def __init__(self, client):
        self._client = client

    def login(self, username, password=PASSWORD):
        answer = sign_in(self._client, username, password)
        assert answer.status_code == 303, f"{username} could not sign in"
        return answer

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": self._csrf()})

    def _csrf(self):
        return csrf_from(self._client.get("/staff/").text)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make(db):
    return Factory(db.session)


@pytest.fixture
def org(make):
    """A committee's branches rated without a poll (not public-facing), and its staff."""
    from datetime import date

    committee, first, second, foreign = make.tree()
    for branch in (first, second, foreign):
        branch.founded_on = date(2015, 7, 1)
        branch.public_facing = False  # no poll needed: public and social are exempt
        branch.domain = "enterprise"
    make.session.commit()
    return {
        "committee": committee,
        "first": first,
        "second": second,
        "foreign": foreign,
        "reviewer": make.user("reviewer", "reviewer", committee),
        "secretary": make.user("secretary", "secretary", first),
    }


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A database seeded for the tests that start real servers (tests/servers.py)."""
    from servers import shared_seed

    yield from shared_seed(tmp_path_factory)


@pytest.fixture(scope="session")
def server(seeded):
    """gunicorn, 2 sync workers, memory rate limits, on the seeded database: one for the
    whole run, shared by the fault and the limit tests."""
    from servers import shared_server

    yield from shared_server(seeded)
