"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against a real
server on a free port and the test database. Never a browser download: there is no network.

Without Chromium or zbarimg these tests are skipped, except under CI=true where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ZBARIMG = "/usr/bin/zbarimg"  # Debian zbar-tools: reads the QR codes of the printed sheet
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TESTS = Path(__file__).resolve().parent.parent
ARTEFACTS = TESTS / "artefacts"
DOCS_SCREENSHOTS = TESTS.parent / "docs" / "screenshots"


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: under CI the browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not os.path.exists(ZBARIMG):
        _unavailable(f"no zbarimg at {ZBARIMG} (apt-get install zbar-tools)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The app served by Werkzeug in a thread; card links point at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def artefact():
    """A path under tests/artefacts/; with SURVEY_UPDATE_SCREENSHOTS=1 the key ones are also
    copied to docs/screenshots/ for the README."""
    ARTEFACTS.mkdir(exist_ok=True)
    kept = []

    def path(name: str, keep: bool = False) -> Path:
        if keep:
            kept.append(name)
        return ARTEFACTS / name

    yield path
    if os.environ.get("SURVEY_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in kept:
            if (ARTEFACTS / name).exists():
                shutil.copy(ARTEFACTS / name, DOCS_SCREENSHOTS / name)
