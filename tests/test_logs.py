"""The logs of a real gunicorn hold no ballot token, receipt code or poll slug.

One server with JSON lines at DEBUG (the most it ever writes) serves ballot pages, casts,
receipts, a public poll, refusals and unknown paths; then every token, receipt code and slug
it served is looked for in everything it wrote, and none is found. Each request is there,
once, by its route pattern.
"""

from __future__ import annotations

import json
import secrets
import time

import pytest
from helpers import ballot_form, csrf_from
from poll_helpers import issued_from
from servers import Phone, dedicated_database, gunicorn, seed, server_env

pytestmark = pytest.mark.gunicorn
CARDS = 5
RESIDENTS = 3


def test_the_logs_name_routes_never_tokens_receipts_or_slugs(tmp_path):
    with dedicated_database(tmp_path) as url:
        env = server_env(
            url,
            secrets.token_urlsafe(32),
            SURVEY_LOG_JSON="1",
            SURVEY_LOG_LEVEL="DEBUG",
            SURVEY_POLL_MIN_FILL_SECONDS="0.2",
        )
        data = seed(env, {"logs": CARDS}, ["logs-poll"])
        tokens = list(data["ballots"]["logs"])
        slug = data["polls"]["logs-poll"]
        receipts = []
        with gunicorn(env, tmp_path / "server.log", ready_path="/healthz") as server:
            for token in tokens:
                phone = Phone(server.base)
                html = phone.request(f"/b/{token}")[1]
                status, _, headers = phone.request(
                    f"/b/{token}", ballot_form(html) | {"choice": "competent"}
                )
                assert status == 303
                receipts.append(headers["Location"].rsplit("/", 1)[1])
                assert phone.request(f"/receipt/{receipts[-1]}")[0] == 200
                assert phone.request(f"/b/{token}")[0] == 409  # used: a refusal, logged too
            for _ in range(RESIDENTS):
                phone = Phone(server.base)
                html = phone.request(f"/p/{slug}")[1]
                form = {"csrf_token": csrf_from(html), "issued": issued_from(html), "website": ""}
                time.sleep(0.25)
                assert phone.request(f"/p/{slug}", form | {"choice": "satisfied"})[0] == 303
            assert Phone(server.base).request(f"/b/{tokens[0]}x")[0] == 404
            assert Phone(server.base).request(f"/nowhere/{slug}")[0] == 404
            log = server.log()
    secrets_served = tokens + receipts + [slug, tokens[0] + "x"]
    assert [s for s in secrets_served if s in log] == []
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    routes = [(r["method"], r["route"], r["status"]) for r in lines if "route" in r]
    assert routes.count(("POST", "/b/<token>", 303)) == CARDS
    assert routes.count(("GET", "/receipt/<code>", 200)) == CARDS
    assert routes.count(("POST", "/p/<slug>", 303)) == RESIDENTS
    assert ("GET", "<unmatched>", 404) in routes
    assert all(isinstance(r["ms"], float) for r in lines if "route" in r)
