"""PgBouncer for the tests: Debian's package (installed when missing), transaction pooling on a
free loopback port in front of the test PostgreSQL, a small server pool. Started in the
foreground as the postgres user (PgBouncer refuses root) and stopped by its own handle."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from servers import POSTGRES_URL, free_port, needed, wait_listening
from sqlalchemy.engine import make_url

# What docs/deploy.md shows: the [databases] line and the pool, for one PostgreSQL.
INI = """[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {pool}
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits
admin_users = postgres
logfile = {folder}/pgbouncer.log
"""


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if found:
        return found
    try:
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", "pgbouncer"], capture_output=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        return shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    needed("pgbouncer is not installed and apt-get could not install it: apt-get install pgbouncer")


class PgBouncer:
    """Transaction pooling with ``pool`` server connections per database and user."""

    def __init__(self, pool: int = 2):
        binary = pgbouncer_binary()
        self.folder = Path(tempfile.mkdtemp(prefix="survey-pgbouncer-"))
        self.port = free_port()
        target = make_url(POSTGRES_URL)
        self.ini = INI.format(
            host=target.host,
            port=target.port or 5432,
            listen=self.port,
            folder=self.folder,
            pool=pool,
        )
        (self.folder / "pgbouncer.ini").write_text(self.ini)
        (self.folder / "userlist.txt").write_text(f'"{target.username}" ""\n')
        as_user = {}
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.folder, *self.folder.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        self.process = subprocess.Popen(
            [binary, str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            **as_user,
        )
        wait_listening(self.process, self.port, "pgbouncer", self.log)

    def url(self, database: str) -> str:
        """The database URL of ``database`` through the pool."""
        return (
            make_url(POSTGRES_URL)
            .set(port=self.port, database=database)
            .render_as_string(hide_password=False)
        )

    def log(self) -> str:
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
