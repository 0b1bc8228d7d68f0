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


WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; M2102J2SC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 "
    "XWEB/5023 MMWEBSDK/20230701 MMWEBID/1234 MicroMessenger/8.0.40.2420(0x28002837) "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
PHONE_360 = {"width": 360, "height": 640}
DESK = {"width": 1280, "height": 860}
LOCALES = {"zh": "zh-CN", "en": "en-GB"}  # the browser's language picks the page's


@pytest.fixture
def wechat_phone(browser):
    """A factory of phones as a member or resident holds them: 360 px, WeChat's browser, in
    ``lang``; extra keyword arguments go to the context (geolocation, permissions...)."""
    made = []

    def phone(lang: str = "zh", javascript: bool = True, **options):
        context = browser.new_context(
            viewport=PHONE_360,
            user_agent=WECHAT,
            locale=LOCALES[lang],
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
            **options,
        )
        made.append(context)
        return context

    yield phone
    for context in made:
        context.close()


@pytest.fixture
def signed_in(browser, live_server):
    """A factory of desks: ``signed_in(username, lang)`` signs a Factory user in at a 1280 px
    desk in ``lang`` and returns (context, page) on the staff home; extra keyword arguments
    go to the context."""
    from helpers import PASSWORD

    made = []

    def desk(username: str, lang: str = "zh", password: str = PASSWORD, **options):
        options = {"viewport": DESK, "accept_downloads": True} | options
        context = browser.new_context(locale=LOCALES[lang], **options)
        made.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{live_server}/staff/")
        page.goto(f"{live_server}/staff/?lang={lang}")  # the cookie: a copied context keeps it
        return context, page

    yield desk
    for context in made:
        context.close()
