"""Small helpers the web tests share."""

import re

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {user.api_token}"}
