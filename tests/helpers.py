"""Small helpers the web tests share."""

import re

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def csrf_from(html: str) -> str:
    field = CSRF_INPUT.search(html)
    assert field, "the page has no CSRF token"
    return VALUE.search(field.group(0)).group(1)


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {user.api_token}"}
