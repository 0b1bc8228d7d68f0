"""The member's ballot page, rendered once per campaign version and language per worker.

Rendering the page (the form's fields, the labels, the layout) was most of a GET's Python
(bench/hotspots.py page). Everything in it but three values is the same for every card of a
campaign in one language, so a worker keeps the rendered page (a bounded LRU) with those
three values cut out, and puts them in at serve time:

- the CSRF token (generated per request as the form would: same session, same signature),
- the signed one-time nonce (random per page),
- the form's ``action`` (the card's token, and ``?then=`` for a card carrying two ballots).

The key is everything else the page reads: the campaign's id, title, organisation, year,
its questions (position, key, prompt, scale) and the language. An edited campaign is another
key, never a stale page; whether the ballot may be shown at all (open campaign, unused card,
not expired) is checked per request before this is reached. Only a fresh page is served from
here; a page sent back with errors is rendered in full. tests/test_ballot_page_speed.py
compares cached and uncached pages byte for byte.

The public poll's page is kept the same way (``kept``), with its CSRF token and its signed
issue stamp cut out (survey/views/poll.py, tests/test_poll_statements.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from survey.core.i18n import select_locale

MAX_PAGES = 256
_MARKS = ("\x00csrf\x00", "\x00nonce\x00", "\x00action\x00")
_lock = threading.Lock()


def _pages() -> OrderedDict[tuple, str]:
    """This app's pages (one app per worker; tests make many, with their own settings)."""
    return current_app.extensions.setdefault("ballot_pages", OrderedDict())


def page_key(campaign) -> tuple:
    questions = tuple((q.position, q.key, q.prompt, q.scale) for q in campaign.questions)
    organisation = campaign.organisation.name
    place = request.script_root  # the stylesheet's and the form's paths start with it
    return (
        campaign.id,
        campaign.title,
        organisation,
        campaign.year,
        questions,
        select_locale(),
        place,
    )


def serve(campaign, token: str, then: str | None, nonce: str, render: Callable[[], str]) -> str:
    """The page for this request: from the worker's cache, or ``render()`` (which must use
    this request's CSRF token, ``nonce`` and action) kept for the next card."""
    values = (generate_csrf(), nonce, url_for("public.cast", token=token, then=then))
    return kept(page_key(campaign), values, render)


def kept(key: tuple, values: tuple[str, ...], render: Callable[[], str]) -> str:
    """The page under ``key`` with this request's ``values`` (at most three, each appearing
    once in a rendered page) put in; on a miss ``render()`` (which must use ``values``) is
    served, and kept with them cut out."""
    values = [str(escape(v)) for v in values]
    pages = _pages()
    with _lock:
        template = pages.get(key)
        if template is not None:
            pages.move_to_end(key)
    if template is None:
        html = render()
        if all(html.count(v) == 1 for v in values):  # else not cut: served, not kept
            _keep(pages, key, _cut(html, values))
        return html
    for mark, value in zip(_MARKS, values, strict=False):
        template = template.replace(mark, value)
    return template


def _cut(html: str, values: list[str]) -> str:
    for mark, value in zip(_MARKS, values, strict=False):
        html = html.replace(value, mark)
    return html


def _keep(pages: OrderedDict, key: tuple, template: str) -> None:
    with _lock:
        pages[key] = template
        pages.move_to_end(key)
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)
