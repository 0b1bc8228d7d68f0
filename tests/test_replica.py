"""The heavy reads from a real streaming replica (SURVEY_DATABASE_READ_URL).

A session fixture copies the test PostgreSQL with ``pg_basebackup -R`` into a temporary
folder and starts it as a hot standby on a free port (as the ``postgres`` user), streaming
from the primary; it is stopped and removed at the end. Each test starts its own gunicorn
with the replica as its read URL (an ``application_name`` of its own, so the replica's
``pg_stat_activity`` tells which server connected). Proven here: the committee summary
reads the replica (with its replay paused, a name changed on the primary does not show
until replay resumes); a cast and a poll answer never connect to it; a replica too far
behind, and a stopped one, make the pages read the primary and say so, never a 500.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import csrf_from
from poll_helpers import issued_from
from servers import (
    BACKEND,
    PASSWORD,
    POSTGRES_URL,
    ROOT,
    Gunicorn,
    Phone,
    api,
    dedicated_database,
    free_port,
    needed,
    seed,
    server_env,
    vote,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.gunicorn
COMMITTEE = """
import sys
from survey import create_app
from survey.core.extensions import db
from survey.models import Organisation
app = create_app()
with app.app_context():
    committee = Organisation(name="街道党工委", kind="committee")
    db.session.add(committee)
    db.session.flush()
    for branch in db.session.query(Organisation).filter_by(kind="branch"):
        branch.parent_id = committee.id
    db.session.commit()
    print(committee.id)
"""
SLOT_PREFIX = "survey_replica_"
REPLICA_SETTINGS = ("max_connections", "max_worker_processes", "max_wal_senders")
REPLICA_SETTINGS += ("max_prepared_transactions", "max_locks_per_transaction")


def as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's server programs refuse root: run them as the postgres user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + command, capture_output=True, text=True, **kwargs)


class Standby:
    """A hot standby of the test PostgreSQL in a folder of its own, on a free port."""

    def __init__(self, primary):
        with primary.connect() as conn:
            version = conn.execute(text("SHOW server_version_num")).scalar_one()
            settings = {s: conn.execute(text(f"SHOW {s}")).scalar_one() for s in REPLICA_SETTINGS}
        self.bin = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")
        if not (self.bin / "pg_basebackup").exists():
            needed(f"PostgreSQL's server programs are not in {self.bin}")
        self.folder = Path(tempfile.mkdtemp(prefix="survey-replica-"))
        owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if owner:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data, self.port = self.folder / "data", free_port()
        self.primary = primary
        drop_stale_slots(primary)
        # A slot of its own: the primary keeps the WAL the standby has not received, so the
        # standby stopped by a test catches up when started again (the shared PostgreSQL
        # checkpoints often: every CREATE DATABASE of a parallel test run forces one).
        self.slot = f"{SLOT_PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
        url = make_url(POSTGRES_URL)
        done = as_postgres(
            [str(self.bin / "pg_basebackup"), "-h", url.host, "-p", str(url.port or 5432)]
            + ["-U", url.username, "-D", str(self.data), "-R", "-X", "stream", "-c", "fast"]
            + ["-C", "-S", self.slot],
            timeout=120,
        )
        if done.returncode != 0:
            shutil.rmtree(self.folder, ignore_errors=True)
            drop_slot(primary, self.slot, timeout=0)
            needed(
                f"pg_basebackup failed ({done.stderr.strip()[:300]}): the primary needs "
                "'host replication all 127.0.0.1/32 trust' in pg_hba.conf (.ci/run adds it)"
            )
        lines = [f"{name} = {value}" for name, value in settings.items()]
        lines += [f"port = {self.port}", "listen_addresses = '127.0.0.1'", "hot_standby = on"]
        lines += [f"unix_socket_directories = '{self.folder}'", "shared_buffers = 16MB"]
        (self.data / "postgresql.conf").write_text("\n".join(lines) + "\n")
        hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        (self.data / "pg_hba.conf").write_text(hba)
        (self.data / "pg_ident.conf").write_text("")
        if owner:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                os.chown(self.data / name, owner.pw_uid, owner.pw_gid)
        self.start()

    def pg_ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log")]
        done = as_postgres(command + ["-w", "-t", "60", *args], timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr + self.log()

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def url(self, database: str, application: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}" + (
            f"?application_name={application}"
        )

    def remove(self) -> None:
        try:
            self.pg_ctl("-m", "immediate", "stop")
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
        drop_slot(self.primary, self.slot)


def drop_slot(primary, slot: str, timeout: float = 10) -> None:
    """Drop the standby's slot on the primary (it may stay active a moment after the stop)."""
    query = text(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
        "WHERE slot_name = :s AND NOT active"
    )
    exists = text("SELECT count(*) FROM pg_replication_slots WHERE slot_name = :s")
    deadline = time.monotonic() + timeout
    with primary.connect() as conn:
        while True:
            conn.execute(query, {"s": slot})
            if not conn.execute(exists, {"s": slot}).scalar_one() or time.monotonic() > deadline:
                return
            time.sleep(0.1)


def drop_stale_slots(primary) -> None:
    """A run killed before its teardown leaves its slot holding WAL on the shared server:
    drop the inactive slots of test processes that are gone."""
    with primary.connect() as conn:
        rows = conn.execute(
            text("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE :p"),
            {"p": f"{SLOT_PREFIX}%"},
        ).scalars()
        names = list(rows)
    for name in names:
        pid = name.removeprefix(SLOT_PREFIX).split("_")[0]
        if not Path(f"/proc/{pid}").exists():
            drop_slot(primary, name, timeout=0)


@pytest.fixture(scope="session")
def standby():
    if BACKEND != "postgres":
        pytest.skip("a streaming replica of PostgreSQL (SURVEY_TEST_DATABASE=postgres)")
    primary = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    replica = Standby(primary)
    try:
        yield replica
    finally:
        replica.remove()
        primary.dispose()


@pytest.fixture(scope="module")
def stack(standby, tmp_path_factory):
    """A seeded database on the primary (streamed to the standby), a committee over its
    branch, and a way to start a gunicorn reading from the standby."""
    directory = tmp_path_factory.mktemp("replica")
    with dedicated_database(directory) as url:
        env = server_env(url, secrets.token_urlsafe(32), SURVEY_POLL_MIN_FILL_SECONDS="0.2")
        data = seed(env, {"meeting": 6}, ["replica-poll"])
        done = subprocess.run(
            [sys.executable, "-c", COMMITTEE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        primary = create_engine(url, isolation_level="AUTOCOMMIT")
        database = make_url(url).database
        with primary.connect() as conn:
            branch = conn.execute(text("SELECT id FROM organisations WHERE kind='branch'"))
            branch = branch.scalar_one()
        servers: list[Gunicorn] = []

        @contextmanager
        def server(name: str, **extra: str):
            read = standby.url(database, f"survey-{name}")
            host_env = env | {"SURVEY_DATABASE_READ_URL": read} | extra
            host = Gunicorn(host_env, directory / f"{name}.log", workers=2)
            servers.append(host)
            try:
                host.wait_ready("/healthz", timeout=90)  # a shared, loaded machine
                yield host
            finally:
                host.stop()

        try:
            yield SimpleNamespace(
                primary=primary,
                database=database,
                data=data,
                committee=int(done.stdout.strip().splitlines()[-1]),
                branch=branch,
                server=server,
                standby=standby,
            )
        finally:
            primary.dispose()


def replica_engine(stack):
    url = stack.standby.url(stack.database, "survey-test")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def caught_up(stack, timeout: float = 30) -> None:
    """Wait until the standby has replayed everything the primary wrote so far."""
    with stack.primary.connect() as conn:
        lsn = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    engine = replica_engine(stack)
    query = text("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), CAST(:lsn AS pg_lsn)) >= 0")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    if conn.execute(query, {"lsn": lsn}).scalar_one():
                        return
            except Exception:  # noqa: BLE001 -- the standby still starting, or its database
                pass
            assert time.monotonic() < deadline, f"standby not caught up: {stack.standby.log()}"
            time.sleep(0.1)
    finally:
        engine.dispose()


def rename(stack, name: str) -> None:
    with stack.primary.connect() as conn:
        conn.execute(
            text("UPDATE organisations SET name = :n WHERE id = :b"), {"n": name, "b": stack.branch}
        )


def replica_sessions(stack, application: str) -> int:
    engine = replica_engine(stack)
    try:
        with engine.connect() as conn:
            query = text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND application_name = :a"
            )
            return conn.execute(query, {"d": stack.database, "a": application}).scalar_one()
    finally:
        engine.dispose()


def signed_in(base: str) -> Phone:
    phone = Phone(base)
    form = {"csrf_token": csrf_from(phone.request("/login")[1])}
    status = phone.request("/login", form | {"username": "admin", "password": PASSWORD})[0]
    assert status in (302, 303), status
    return phone


def summary_page(phone: Phone, stack) -> str:
    status, html, _ = phone.request(f"/ratings/committees/{stack.committee}?year=2026")
    assert status == 200, html[-1000:]
    return html


def test_the_committee_summary_reads_the_replica_and_says_how_fresh(stack):
    with stack.server("reader") as host:
        before, during = f"甲{secrets.token_hex(3)}支部", f"乙{secrets.token_hex(3)}支部"
        rename(stack, before)
        caught_up(stack)
        phone = signed_in(host.base)
        html = summary_page(phone, stack)
        assert before in html and re.search(r"数据截至\d\d:\d\d（北京时间）", html), html
        assert "主数据库" not in html
        replica = replica_engine(stack)
        try:
            with replica.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
            try:
                rename(stack, during)  # on the primary only, while the replica stands still
                html = summary_page(phone, stack)
                assert before in html and during not in html, "the summary read the primary"
                assert "主数据库" not in html
                branch_page = phone.request(f"/ratings/branches/{stack.branch}?year=2026")[1]
                assert "数据截至" in branch_page and "主数据库" not in branch_page
                status, summary = api(
                    host.base,
                    stack.data["api_token"],
                    "GET",
                    f"/ratings?committee_id={stack.committee}&year=2026",
                )
                assert status == 200 and before in str(summary), summary
            finally:
                with replica.connect() as conn:
                    conn.execute(text("SELECT pg_wal_replay_resume()"))
        finally:
            replica.dispose()
        caught_up(stack)
        assert during in summary_page(phone, stack)
        assert replica_sessions(stack, "survey-reader") >= 1
        assert "Traceback" not in host.log()


def test_a_cast_and_a_poll_answer_never_connect_to_the_replica(stack):
    with stack.server("voter") as host:
        tokens = list(stack.data["ballots"]["meeting"])[:3]
        assert [vote(host.base, token) for token in tokens] == [303] * 3
        slug = stack.data["polls"]["replica-poll"]
        phone = Phone(host.base)
        html = phone.request(f"/p/{slug}")[1]
        form = {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}
        time.sleep(0.3)
        assert phone.request(f"/p/{slug}", form | {"choice": "satisfied"})[0] == 303
        assert replica_sessions(stack, "survey-voter") == 0
        summary_page(signed_in(host.base), stack)  # the same server's summary does connect
        assert replica_sessions(stack, "survey-voter") >= 1


def test_a_replica_behind_the_allowed_lag_gives_way_to_the_primary(stack):
    with stack.server("strict", SURVEY_DATABASE_READ_MAX_LAG_SECONDS="1") as host:
        phone = signed_in(host.base)
        replica = replica_engine(stack)
        newer = f"丙{secrets.token_hex(3)}支部"
        try:
            with replica.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
            try:
                rename(stack, newer)
                time.sleep(2.5)  # more than the 1 s allowed since the last replayed commit
                html = summary_page(phone, stack)
                assert newer in html, "the page read the lagging replica"
                assert "报表副本数据滞后，已改读主数据库" in html
            finally:
                with replica.connect() as conn:
                    conn.execute(text("SELECT pg_wal_replay_resume()"))
        finally:
            replica.dispose()
        assert "read replica" in host.log() and "Traceback" not in host.log()


def test_a_stopped_replica_makes_the_pages_read_the_primary_without_an_error(stack):
    with stack.server("fallback") as host:
        phone = signed_in(host.base)
        summary_page(phone, stack)
        stack.standby.stop()
        try:
            html = summary_page(phone, stack)
            assert "报表副本未响应，已改读主数据库" in html
            assert re.search(r"数据截至\d\d:\d\d（北京时间）", html)
            branch_page = phone.request(f"/ratings/branches/{stack.branch}?year=2026")
            assert branch_page[0] == 200 and "报表副本未响应" in branch_page[1]
            files = f"/staff/files/committees/{stack.committee}/ratings"
            with phone.opener.open(f"{host.base}{files}.xlsx?year=2026", timeout=30) as answer:
                assert answer.status == 200 and answer.read(2) == b"PK"  # a zip: the workbook
            assert phone.request(f"{files}.csv?year=2026")[0] == 200
            query = f"/ratings?committee_id={stack.committee}&year=2026"
            status, summary = api(host.base, stack.data["api_token"], "GET", query)
            assert status == 200 and summary.get("branches"), summary
        finally:
            stack.standby.start()
        log = host.log()
        assert "read replica unusable" in log and "Traceback" not in log
        caught_up(stack)
