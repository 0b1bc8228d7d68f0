"""The hot public views that Flask-Limiter has nothing to do for (``unlimited``,
survey/core/extensions.py) skip its hooks; a view that a limit is ever added to must lose
the mark, or its limit would silently not apply."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_limiter.util import get_qualified_name

from survey.core.extensions import UNLIMITED, limiter, skip_limiter_where_unlimited

HOT = {"public.ballot", "public.cast", "poll.poll", "poll.answer"}


def marked(app) -> set[str]:
    return {name for name, view in app.view_functions.items() if getattr(view, UNLIMITED, False)}


def test_the_members_and_residents_hot_views_are_marked(app):
    assert marked(app) == HOT


def test_no_marked_view_resolves_a_limit(app):
    for endpoint in marked(app):
        view = app.view_functions[endpoint]
        blueprint = endpoint.rsplit(".", 1)[0]
        defaults, decorated = limiter.limit_manager.resolve_limits(
            app, endpoint, blueprint, get_qualified_name(view), in_middleware=True
        )
        assert list(defaults) == [] and list(decorated) == [], endpoint
        assert not limiter.limit_manager.decorated_limits(get_qualified_name(view)), endpoint


def test_the_limiters_hooks_skip_marked_views_and_still_run_for_the_rest(app, make, monkeypatch):
    from survey.core.security import ballot_token

    ran = []
    original = limiter._Limiter__evaluate_limits

    def seen(endpoint, limits):
        ran.append(endpoint)
        return original(endpoint, limits)

    monkeypatch.setattr(limiter, "_Limiter__evaluate_limits", seen)
    campaign = make.campaign(make.organisation())
    token = ballot_token(make.ballots(campaign)[0].id)
    client = app.test_client()
    assert client.get(f"/b/{token}").status_code == 200
    assert ran == []
    assert client.get("/b").status_code == 200  # the short-code page: limited, checked
    assert set(ran) == {"public.enter_code"}


def test_the_app_refuses_to_start_when_the_limiters_hooks_are_not_found():
    """A Flask-Limiter release that renames the hooks stops the app, never skips a limit."""
    bare = Flask(__name__)  # no limiter hooks registered on it at all
    with pytest.raises(RuntimeError, match="hooks were not found"):
        skip_limiter_where_unlimited(bare)
