"""nginx for the tests: Debian's package (installed when missing), a config generated from
deploy/nginx-survey.conf listening on a free loopback port in plain HTTP, in front of the
given gunicorn ports. Started in the foreground and stopped by its own handle."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from servers import free_port, needed, wait_listening

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx-survey.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    for package in ("nginx-light", "nginx"):
        try:
            done = subprocess.run(
                ["apt-get", "install", "-y", "-qq", package], capture_output=True, timeout=300
            )
        except (OSError, subprocess.TimeoutExpired):
            break
        if done.returncode == 0:
            return shutil.which("nginx", path="/usr/sbin:/usr/bin")
    needed("nginx is not installed and apt-get could not install it (apt-get install nginx)")


def site(port: int, upstreams: list[int], static_dir: Path, error_log: Path) -> str:
    """The shipped site, with TLS swapped for plain HTTP on the test port."""
    text = TEMPLATE.read_text()
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", text, flags=re.S)  # the redirect
    text = re.sub(r"    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port};\n", text)
    text = re.sub(r"    (listen \[::\]:443|ssl_|add_header Strict).*\n", "", text)
    servers = "".join(
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams
    )
    text = re.sub(r"    server 127\.0\.0\.1:8000 .*;\n", servers, text)
    text = text.replace("/var/log/nginx/survey-error.log", str(error_log))
    return text.replace("STATIC_DIR", str(static_dir))


class Nginx:
    def __init__(self, directory: Path, upstreams: list[int], static_dir: Path = ROOT / "static"):
        binary = nginx_binary()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.error_log = directory / "nginx-error.log"
        self.site_log = directory / "nginx-site-error.log"
        temp = "".join(
            f"{kind}_temp_path {directory / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's tmp dirs
        conf = directory / "nginx.conf"
        conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
            f"error_log {self.error_log} warn;\nevents {{ worker_connections 512; }}\n"
            f"http {{\ninclude /etc/nginx/mime.types;\n{temp}"
            f"{site(self.port, upstreams, static_dir, self.site_log)}\n}}\n"
        )
        self.process = subprocess.Popen(
            [binary, "-p", str(directory), "-c", str(conf), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_listening(self.process, self.port, "nginx", self.logs)

    def logs(self) -> str:
        return "".join(p.read_text() for p in (self.error_log, self.site_log) if p.exists())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
