"""The processes a bench run starts: a throw-away database, gunicorn on a free port, wrk.

Every server binds 127.0.0.1 on a port the OS hands out, readiness is polled (bounded), and
everything started is stopped through its own handle.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from gunicorn import version_info as gunicorn_version
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("SURVEY_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKERS = 2  # the same for the product, L1 and L2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(kind: str):
    """A SQLAlchemy URL of a database made for this run, dropped (or deleted) after."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="survey-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"survey_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means: the poll figure cannot be made
        return False


def postgres_reachable() -> bool:
    try:
        create_engine(POSTGRES).connect().close()
        return True
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL, and say so
        return False


@contextmanager
def gunicorn(module: str, env: dict, log: Path, ready: str = "/"):
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--graceful-timeout", "3"]
    if gunicorn_version >= (25,):  # its control socket is one path in $HOME for every run
        command.append("--no-control-socket")
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), module]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=clean | env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"gunicorn {module} exited: see {log}"
            assert time.monotonic() < deadline, f"gunicorn {module} not ready in 30 s"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master: subprocess.Popen) -> list[int]:
    path = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(p) for p in path.read_text().split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def private_mb(pid: int) -> float:
    """The worker's own memory (private pages, not the libraries' pages every process of
    the machine shares), beside its RSS."""
    total = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total / 1024


def wrk(port: int, paths: list[str], seconds: int, connections: int = 32) -> dict:
    """wrk from Debian; requests per second and p99 over ``seconds``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(ROOT / "bench" / "get.lua"), f"http://127.0.0.1:{port}"]
    run = subprocess.run(
        command,
        env=os.environ | {"BENCH_PATHS": ",".join(paths)},
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    found = re.search(
        r"BENCH requests=(\d+) errors=(\d+) non2xx=(\d+) seconds=([\d.]+) p99_ms=([\d.]+)",
        run.stdout,
    )
    assert found, f"wrk said:\n{run.stdout}\n{run.stderr}"
    requests, errors, non2xx, secs, p99 = found.groups()
    return {
        "requests": int(requests),
        "errors": int(errors),
        "non2xx": int(non2xx),
        "per_s": round(int(requests) / float(secs), 1),
        "p99_ms": float(p99),
    }


def load(
    port: int,
    tokens: list[str],
    clients: int,
    seconds: int,
    prefix: str = "/b/",
    fields: dict | None = None,
) -> dict:
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(tokens))
    try:
        command = [sys.executable, str(ROOT / "bench" / "load.py"), "--port", str(port)]
        command += ["--tokens", f.name, "--clients", str(clients), "--seconds", str(seconds)]
        command += ["--prefix", prefix]
        for name, value in (fields or {}).items():
            command += ["--field", f"{name}={value}"]
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)
    finally:
        os.unlink(f.name)


def combined_wrk(runs: list[dict]) -> dict:
    """Slices of one GET load as one: rates over the summed time, the worst p99."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["requests"] / r["per_s"] for r in runs if r["per_s"])
    return {
        "requests": requests,
        "errors": sum(r["errors"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "per_s": round(requests / seconds, 1) if seconds else 0.0,
        "p99_ms": max(r["p99_ms"] for r in runs),
        "slices_per_s": [r["per_s"] for r in runs],
    }


def combined_load(runs: list[dict]) -> dict:
    """Slices of one cast load as one: casts over the summed time, percentiles of all."""
    latencies = sorted(x for r in runs for x in r["latencies_ms"])
    seconds = sum(r["seconds"] for r in runs)
    statuses: dict[str, int] = {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None

    return {
        "casts": len(latencies),
        "casts_per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "post_p50_ms": pct(0.50),
        "post_p99_ms": pct(0.99),
        "statuses": statuses,
        "seconds": round(seconds, 1),
        "slices_per_s": [r["casts_per_s"] for r in runs],
    }
