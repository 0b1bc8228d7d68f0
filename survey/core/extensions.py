"""Extensions, created unbound and bound in the factory."""

import logging
import time
from functools import partial, wraps

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage is memory (counters per worker) unless SURVEY_REDIS_URL makes it shared.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=True)

log = logging.getLogger("flask-limiter")
STORAGE_RETRY_S = 10


class OneHit:
    """A limit taken by the view itself, at the point it decides (e.g. only for an answer that
    is about to be stored): ONE storage call (a moving-window ``hit``), where a decorated limit
    with ``deduct_when`` makes three (a test before the view, the hit after it, the window for
    the headers). While the storage fails (Redis down) it counts in this worker's memory, as
    the limiter's own in-memory fallback does, and tries the storage again after
    ``STORAGE_RETRY_S``."""

    def __init__(self) -> None:
        self.memory: MovingWindowRateLimiter | None = None  # made on the first failure
        self.dead_until = 0.0

    def hit(self, limit: str, *key: str) -> bool:
        """True if one more is allowed now under ``limit`` (e.g. "10 per minute") for ``key``
        (and it is counted); False if the limit is reached (nothing counted)."""
        item = parse(limit)
        return self._call(lambda strategy: strategy.hit(item, *key))

    def hit_within(self, ceiling: int, limit: str, *key: str) -> bool:
        """Like ``hit``, but allowed while fewer than ``ceiling`` were counted in ``limit``'s
        window, ``limit``'s amount being the highest ceiling there can be: the count is kept
        under one key whatever the ceiling, so raising it lets in only the difference (a
        limit of the ceiling's own amount would start a new count). Two storage calls."""
        item = parse(limit)
        headroom = item.amount - min(ceiling, item.amount) + 1
        return self._call(
            lambda strategy: strategy.test(item, *key, cost=headroom) and strategy.hit(item, *key)
        )

    def _call(self, use):
        if time.monotonic() >= self.dead_until:
            try:
                return use(limiter.limiter)
            except Exception as exc:  # noqa: BLE001 -- any storage failure: count in memory
                log.warning("rate limit storage unreachable, counting in memory: %r", exc)
                self.dead_until = time.monotonic() + STORAGE_RETRY_S
        if self.memory is None:
            self.memory = MovingWindowRateLimiter(MemoryStorage())
        return use(self.memory)

    def reset(self) -> None:
        """Forget the in-memory counts and try the storage again (with ``limiter.reset``)."""
        self.memory, self.dead_until = None, 0.0


one_hit = OneHit()


class OneLine(logging.Filter):
    """The limiter's storage errors as one line, without the traceback: the request is served
    anyway (memory fallback, errors swallowed), and a traceback for every request while Redis
    is down would bury the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first = (str(exc).splitlines() or [""])[0][:200]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {first}"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


log.addFilter(OneLine())

UNLIMITED = "_survey_unlimited"


def unlimited(view):
    """Mark a hot public view that Flask-Limiter has nothing to do for: it carries no decorated
    limit (a limit it has, it takes itself through ``one_hit``). The limiter's two hooks then
    skip it: resolving "no limit" cost 0.1 ms a request, a seventh of a ballot page
    (bench/hotspots.py). tests/test_limits.py checks that no marked view resolves a limit."""
    setattr(view, UNLIMITED, True)
    return view


def skip_limiter_where_unlimited(app: Flask) -> None:
    """Wrap the limiter's before- and after-request hooks (call after ``limiter.init_app``)."""

    def marked() -> bool:
        view = current_app.view_functions.get(request.endpoint or "")
        return getattr(view, UNLIMITED, False)

    def around(hook):
        @wraps(hook)
        def hook_unless_unlimited(*args):
            if marked():
                return args[0] if args else None  # after: the response; before: go on
            return hook(*args)

        return hook_unless_unlimited

    def checks(f) -> bool:
        return f == limiter._check_request_limit

    def injects(f) -> bool:
        return isinstance(f, partial) and f.args[:1] == (limiter,)

    before = app.before_request_funcs.setdefault(None, [])
    after = app.after_request_funcs.setdefault(None, [])
    if sum(map(checks, before)) != 1 or sum(map(injects, after)) != 1:
        # The hooks are found by Flask-Limiter's own names (pyproject.toml pins its major
        # version): a release that renames them stops the app here, never skips a limit.
        raise RuntimeError("Flask-Limiter's request hooks were not found: cannot skip them")
    before[:] = [around(f) if checks(f) else f for f in before]
    after[:] = [around(f) if injects(f) else f for f in after]
