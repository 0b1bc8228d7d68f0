"""A SQLite file the service cannot write, after a clean stop (no -wal, no -shm): pages that
read keep working and a vote is refused with 503 "tell the administrator"; a file that
belongs to another user refuses the start with one line naming it and the fix. The service
runs as ``nobody`` here (root may write anything), so these tests need root and setpriv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run the service as another user",
)
NOBODY = 65534

PROBE = r"""
import json, re, sys
from survey import create_app
app = create_app()
client = app.test_client()
token = sys.argv[1]
page = client.get(token)
found = {"page": page.status_code}
fields = dict(re.findall(r'name="(csrf_token|nonce)"[^>]*value="([^"]+)"', page.text))
vote = client.post(token, data=fields | {"choice": "excellent"}, headers={"Accept-Language": "en"})
found["vote"] = vote.status_code
found["vote_reason"] = re.search(r'data-reason="(\w+)"', vote.text).group(1)
found["says"] = "tell the administrator" in vote.text
found["code_page"] = client.get("/b").status_code
ready = client.get("/readyz")
found["ready"] = [ready.status_code, ready.json["checks"]]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def demo_database():
    """A demo database made by the service's own commands, stopped cleanly; the first link.
    In a folder of /tmp that ``nobody`` may enter (pytest's own is root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="survey-ro-"))
    try:
        yield _demo(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _demo(folder: Path):
    env = os.environ | {
        "SURVEY_DATABASE_URL": f"sqlite:///{folder}/db/survey.db",
        "SURVEY_INSTANCE_PATH": str(folder / "instance"),
        "SURVEY_SECRET_KEYS": "a-test-key-for-the-read-only-file",
    }
    env.pop("SURVEY_REDIS_URL", None)
    (folder / "db").mkdir()
    flask = [sys.executable, "-m", "flask", "--app", "survey"]
    subprocess.run([*flask, "init-db"], env=env, check=True, capture_output=True)
    out = subprocess.run([*flask, "demo"], env=env, check=True, capture_output=True, text=True)
    link = next(line.split()[0] for line in out.stdout.splitlines() if "/b/" in line)
    assert not os.path.exists(folder / "db" / "survey.db-wal")  # a clean stop
    os.chmod(folder, 0o755)
    return folder, env, link[link.index("/b/") :]


def as_nobody(args, env, **kwargs):
    command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, **kwargs)


def own(path, uid, mode):
    os.chown(path, uid, -1)
    os.chmod(path, mode)


def give_instance(folder: Path) -> None:
    """The instance folder (key, compiled catalogues) to the service user, as deploy does."""
    for root, dirs, files in os.walk(folder / "instance"):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.chown(name, NOBODY, -1)


def test_a_database_file_the_service_cannot_write_still_serves_reading_pages(demo_database):
    folder, env, link = demo_database
    give_instance(folder)
    own(folder / "db" / "survey.db", NOBODY, 0o400)  # the service's own, made read-only
    own(folder / "db", NOBODY, 0o500)  # and its folder: no -wal or -shm can be made
    try:
        answer = as_nobody([sys.executable, "-c", PROBE, link], env, cwd=folder)
    finally:
        own(folder / "db", 0, 0o755)
    assert answer.returncode == 0, answer.stderr[-2000:]
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found["page"] == 200 and found["code_page"] == 200  # reading keeps working
    assert (found["vote"], found["vote_reason"], found["says"]) == (503, "read_only", True)
    assert found["ready"][0] == 200
    assert found["ready"][1]["database_writes"].startswith("read_only")
    assert "serving reads only" in answer.stderr


def test_a_database_file_of_another_user_refuses_the_start_in_one_line(demo_database):
    folder, env, _link = demo_database
    give_instance(folder)
    own(folder / "db" / "survey.db", 0, 0o600)  # root's, as after a mistaken `sudo init-db`
    own(folder / "db", NOBODY, 0o700)
    try:
        answer = as_nobody(
            [sys.executable, "-c", "from survey import create_app; create_app()"], env
        )
    finally:
        own(folder / "db", 0, 0o755)
    assert answer.returncode == 3  # gunicorn's "worker failed to boot": the arbiter halts
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in answer.stderr, answer.stderr
    path = f"{folder}/db/survey.db"
    assert lines[0].startswith(f"survey: the database file {path} belongs to user root")
    assert "fix: chown nobody" in lines[0]
