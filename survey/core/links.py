"""Absolute links to this site: on SURVEY_BASE_URL when it is set, else on the request's host.

QR codes, posters, API answers and the CLI carry links that leave the site (printed, shared in
WeChat), so they must name the public host, not whatever host the request came through. Every
absolute link is built here.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import current_app, request

from survey.core import qr
from survey.core.security import ballot_token, read_ballot_token

BALLOT_LINK_CACHE = 8192  # the links of a few full card sheets per worker


def path_for(endpoint: str, **values) -> str:
    """The path of ``endpoint``, with or without a request (the CLI prints links too)."""
    return current_app.url_map.bind("").build(endpoint, values)


def base_url() -> str:
    """SURVEY_BASE_URL, else the scheme and host the request came to."""
    return current_app.config.get("BASE_URL") or request.host_url.rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute link to ``endpoint`` (as ``url_for``)."""
    return base_url() + path_for(endpoint, **values)


def code_entry_url() -> str:
    """Where a card's codes are typed when its QR code cannot be scanned: printed on it."""
    return external_url("public.enter_code")


def absolute(path: str) -> str:
    """The absolute link to a path of this site."""
    return base_url() + path


def paired_ballot_url(first_id: str, second_id: str) -> str:
    """The link of a card carrying two ballots: the first, whose receipt offers the second."""
    return f"{ballot_url(first_id)}?then={ballot_token(second_id)}"


def ballot_url(ballot_id: str, base: str | None = None) -> str:
    """The link a card's QR code carries; ``base`` overrides the site's (the demo's links)."""
    return _ballot_url(base or base_url(), current_app.config["SECRET_KEYS"][0], ballot_id)


@lru_cache(maxsize=BALLOT_LINK_CACHE)
def _ballot_url(base: str, newest_key: str, ballot_id: str) -> str:
    # A token carries its signing time: the first one made for a ballot is kept, so that its
    # QR code stays cached (any key of SECRET_KEYS still verifies it); a new key makes anew.
    return base + path_for("public.ballot", token=_kept_token(newest_key, ballot_id))


def _kept_token(newest_key: str, ballot_id: str) -> str:
    """The first token made for a ballot, shared by every worker through a file beside the
    QR codes (which already carry it): each worker then prints the same link, and the shared
    QR cache hits (it missed in the other worker: 1 s a sheet of 500, bench/). A token older
    than half its validity is made anew, so that a reprinted card keeps most of it."""
    name = hashlib.sha256(f"token\x1f{newest_key}\x1f{ballot_id}".encode()).hexdigest()
    path = os.path.join(qr.shared_folder(), name + ".tok")
    try:
        with open(path, encoding="ascii") as kept:
            token = kept.read()
        max_age = current_app.config["BALLOT_MAX_AGE"] // 2
        if read_ballot_token(token, max_age) == (ballot_id, False):
            return token
    except (OSError, UnicodeDecodeError):
        pass
    token = ballot_token(ballot_id)
    qr.write_shared(path, token)
    return token
