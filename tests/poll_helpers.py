"""Helpers the public-poll tests share: a poll fixture's pieces, answering, signing in."""

from __future__ import annotations

import re

from helpers import csrf_from

CENTRE = (39.9042, 116.4074)  # a branch's service centre (Beijing)
RADIUS_M = 1500


def issued_from(html: str) -> str:
    found = re.search(r'<input[^>]*name="issued"[^>]*>', html)
    assert found, "the poll page has no issue stamp"
    return re.search(r'value="([^"]+)"', found.group(0)).group(1)


def poll_form(client, slug: str) -> dict:
    """GET the poll and return the hidden inputs a browser would send back."""
    page = client.get(f"/p/{slug}")
    assert page.status_code == 200, page.status_code
    return {"csrf_token": csrf_from(page.text), "issued": issued_from(page.text)}


def answer(client, slug: str, choice: str = "satisfied", **extra):
    data = poll_form(client, slug) | {"choice": choice, "website": ""} | extra
    return client.post(f"/p/{slug}", data=data)


def poll_campaign(make, branch, **fields):
    fields.setdefault("title", "2026年度群众满意度测评")
    return make.campaign(branch, kind="public_satisfaction", **fields)
