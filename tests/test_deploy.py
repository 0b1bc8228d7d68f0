"""Behind a real nginx: the shipped site (deploy/nginx-survey.conf, TLS swapped for a loopback
port) in front of two gunicorn instances -- two app hosts -- sharing one PostgreSQL database
and one private redis-server, with SURVEY_TRUSTED_PROXIES=1 as the systemd unit sets it.

A meeting of 200 members casts through nginx, spread over both hosts; one host is stopped
halfway and the other serves on; exactly 200 are counted at close. The wrong-code limit of /b
(30 a minute from one address) holds across both hosts, keyed on the address nginx forwarded,
and a forged X-Forwarded-For sent by the client does not get around it.
"""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from types import SimpleNamespace

import pytest
from helpers import ballot_form, csrf_from
from nginx import Nginx
from poll_helpers import issued_from
from servers import (
    BACKEND,
    BROKEN,
    ROOT,
    Gunicorn,
    Phone,
    close_and_count,
    dedicated_database,
    needed,
    redis_server,
    report,
    seed,
    server_env,
)

pytestmark = pytest.mark.gunicorn
MEETING = 200
STOP_AFTER = 80  # casts done before one host is stopped
CODE_MISSES = 30  # README: wrong short codes a minute from one address
PHONES = 4
RESIDENTS = 10
SPOOFED = {"X-Forwarded-For": "203.0.113.7"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if BACKEND != "postgres":
        pytest.skip("two app hosts share one PostgreSQL database; SQLite serves a single host")
    directory = tmp_path_factory.mktemp("deploy")
    with dedicated_database(directory) as url, redis_server() as redis:
        env = server_env(
            url,
            secrets.token_urlsafe(32),
            SURVEY_ENV="production",
            SURVEY_REDIS_URL=redis.url,
            SURVEY_TRUSTED_PROXIES="1",
            SURVEY_LOG_LEVEL="INFO",
            SURVEY_POLL_MIN_FILL_SECONDS="0.2",
            SURVEY_RATELIMIT_KEY_PREFIX=f"deploy-{secrets.token_hex(4)}",
        )
        data = seed(env, {"meeting": MEETING}, ["deploy-poll"])
        hosts = [Gunicorn(env, directory / f"host{n}.log") for n in (1, 2)]
        try:
            for host in hosts:
                host.wait_ready("/healthz")
            proxy = Nginx(directory, [host.port for host in hosts])
            try:
                yield SimpleNamespace(
                    hosts=hosts, proxy=proxy, data=data, redis=redis, url=url, dir=directory
                )
            finally:
                proxy.stop()
        finally:
            for host in hosts:
                host.stop()


def request_lines(host: Gunicorn, method: str, route: str, status: int) -> int:
    return len(re.findall(rf"survey\.request {method} {re.escape(route)} {status} ", host.log()))


def test_nginx_serves_static_files_itself_and_forwards_the_rest(stack):
    phone = Phone(stack.proxy.base)
    status, css, headers = phone.request("/static/style.css")
    assert status == 200 and css and "Content-Security-Policy" not in headers  # not the app
    assert phone.request("/readyz")[0] == 200
    assert all(request_lines(h, "GET", "/static/<path:filename>", 200) == 0 for h in stack.hosts)


def test_the_wrong_code_limit_holds_across_both_hosts_and_ignores_a_forged_address(stack):
    statuses = Counter()
    for attempt in range(CODE_MISSES + 10):
        # every other miss claims another client address: nginx appends the real one, and
        # the app (one trusted proxy) reads only that last hop
        phone = Phone(stack.proxy.base, SPOOFED if attempt % 2 else {})
        statuses[phone.request("/b", {"code": "WRONGCOD"})[0]] += 1
    assert statuses == {404: CODE_MISSES, 429: 10}, statuses
    served = [request_lines(h, "POST", "/b", 404) for h in stack.hosts]
    assert all(served), f"both hosts counted misses on the shared Redis: {served}"
    report_figures = {"misses_per_host": served, "answers": dict(statuses)}
    print(f"\nFIGURES deploy_limit: {report_figures}")


def redis_commands(port: int) -> int:
    """Commands the private redis-server has processed so far (INFO stats)."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"INFO stats\r\n")
        reply = b""
        while b"total_commands_processed" not in reply or not reply.endswith(b"\r\n"):
            reply += conn.recv(65536)
    return int(re.search(rb"total_commands_processed:(\d+)", reply).group(1))


def test_redis_operations_per_poll_answer(stack, tmp_path_factory):
    """The figure of docs/deploy.md: Redis commands per resident (page and answer)."""
    slug = stack.data["polls"]["deploy-poll"]
    before = redis_commands(stack.redis.port)
    for _ in range(RESIDENTS):
        phone = Phone(stack.proxy.base)
        html = phone.request(f"/p/{slug}")[1]
        form = {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}
        time.sleep(0.25)
        assert phone.request(f"/p/{slug}", form | {"choice": "satisfied"})[0] == 303
    per_answer = (redis_commands(stack.redis.port) - before - 1) / RESIDENTS
    report(tmp_path_factory, "deploy_redis_per_poll_answer", commands=per_answer)
    assert 0 < per_answer <= 30  # first answers on a worker also load its Lua scripts


def cast(base: str, token: str, retries: Counter) -> str:
    """A member's phone through nginx: the ballot page, then the form. A connection cut by
    a host going down is retried with the same form, as a phone's resend would be."""
    phone = Phone(base)
    for _ in range(10):
        try:
            status, html, _ = phone.request(f"/b/{token}", timeout=20)
        except BROKEN:
            status = None
        if status == 200:
            break
        retries["page"] += 1
        time.sleep(0.2)
    form = ballot_form(html) | {"choice": "excellent"}
    for _ in range(10):
        try:
            status, _, headers = phone.request(f"/b/{token}", form, timeout=20)
        except BROKEN:
            status = None
        if status == 303:
            return headers["Location"].rsplit("/", 1)[1]
        assert status in (None, 502, 503, 504), status
        retries["post"] += 1
        time.sleep(0.2)
    raise AssertionError(f"no receipt after retries ({status})")


def test_a_meeting_through_nginx_survives_one_host_stopping(stack, tmp_path_factory):
    base, data = stack.proxy.base, stack.data
    tokens = list(data["ballots"]["meeting"])
    retries, receipts, done = Counter(), [], threading.Event()
    redis_before = redis_commands(stack.redis.port)
    started = time.monotonic()
    with ThreadPoolExecutor(PHONES) as pool:
        futures = [pool.submit(cast, base, token, retries) for token in tokens]
        for future in as_completed(futures):
            receipts.append(future.result())
            if len(receipts) == STOP_AFTER and not done.is_set():
                done.set()
                stack.hosts[0].process.terminate()  # systemctl stop: graceful, in-flight served
    seconds = time.monotonic() - started
    redis_per_cast = (redis_commands(stack.redis.port) - redis_before - 1) / MEETING
    assert stack.hosts[0].process.wait(timeout=15) is not None
    per_host = [request_lines(h, "POST", "/b/<token>", 303) for h in stack.hosts]
    assert per_host[0] >= STOP_AFTER // 4 and per_host[1] >= MEETING - STOP_AFTER, per_host
    for code in receipts[:10]:
        assert Phone(base).request(f"/receipt/{code}")[0] == 200
    tally = close_and_count(base, data["api_token"], data["campaigns"]["meeting"])
    assert tally["cast"] == MEETING == tally["responses"] == len(set(receipts)), tally
    logs = "".join(h.log() for h in stack.hosts) + stack.proxy.logs()
    assert "Traceback" not in logs
    assert not [t for t in tokens + receipts if t in logs], "a token or receipt code was logged"
    report(
        tmp_path_factory,
        "deploy_meeting",
        casts=MEETING,
        seconds=round(seconds, 1),
        casts_per_host=per_host,
        retried=dict(retries),
        redis_commands_per_cast=redis_per_cast,
    )


def test_a_backup_restores_to_the_same_tallies(stack):
    """deploy/backup-check.sh after the meeting: pg_dump, restore into a new database,
    compare the tallies (the 200 answers of the closed meeting among them)."""
    if not shutil.which("pg_dump"):
        needed("pg_dump is not installed (apt-get install postgresql-client)")
    done = subprocess.run(
        [str(ROOT / "deploy" / "backup-check.sh"), stack.url, str(stack.dir / "backups")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: ") and "rows compared" in done.stdout
    (dump,) = (stack.dir / "backups").glob("survey-*.dump")
    assert dump.stat().st_size > 0 and (stack.dir / "backups").stat().st_mode & 0o077 == 0


def test_the_shipped_site_with_tls_and_http2_passes_nginx_t(tmp_path):
    """The file an administrator copies, as it is (HTTPS, HTTP/2, redirect), with only the
    placeholders filled: a self-signed certificate and the installed static folder."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from nginx import TEMPLATE, nginx_binary

    binary = nginx_binary()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "survey.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    text = TEMPLATE.read_text()
    for placeholder, value in {
        "/etc/letsencrypt/live/survey.example.org/fullchain.pem": tmp_path / "cert.pem",
        "/etc/letsencrypt/live/survey.example.org/privkey.pem": tmp_path / "key.pem",
        "/var/log/nginx/survey-error.log": tmp_path / "site-error.log",
        "STATIC_DIR": ROOT / "static",
    }.items():
        assert placeholder in text
        text = text.replace(placeholder, str(value))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{\ninclude /etc/nginx/mime.types;\n{text}\n}}\n"
    )
    done = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    from survey.core.config import DEFAULTS

    limit = DEFAULTS["MAX_CONTENT_LENGTH"] // 1024
    assert f"client_max_body_size {limit}k;" in text  # nginx refuses what the app would
