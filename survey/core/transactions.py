"""The one owner of the commit: only the doors (views, API, CLI, demo) import this module.

Services flush; they never commit. The request that writes -- a view, an API handler, a CLI
command -- is wrapped in ``transactional`` (or calls ``run_in_transaction``): it opens one write
transaction, runs the work, commits once, and on a PostgreSQL serialization failure or deadlock
rolls back and runs the whole work again from its first read. Any other exception rolls back,
so a refusal never leaves half a change behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import has_request_context, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey.core.database import SAFE_METHODS, begin_write
from survey.core.extensions import db

T = TypeVar("T")
P = ParamSpec("P")
RETRY_SQLSTATES = {"40001", "40P01"}
ATTEMPTS = 5


def run_in_transaction(session: Session, work: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``work`` (which only flushes) in one write transaction and commit it once.

    A PostgreSQL serialization failure or deadlock runs ``work`` again from the start, a
    bounded number of times; anything else rolls back and propagates.
    """
    for attempt in range(attempts):
        begin_write(session)
        try:
            result = work()
            session.commit()
            return result
        except OperationalError as exc:
            session.rollback()
            code = getattr(exc.orig, "sqlstate", None)
            if code not in RETRY_SQLSTATES or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def transactional(handler: Callable[P, T]) -> Callable[P, T]:
    """Decorate a view, API handler or CLI command that writes: ``run_in_transaction``."""

    @wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        if has_request_context() and request.method in SAFE_METHODS:
            return handler(*args, **kwargs)  # a page that shows a form writes nothing
        return run_in_transaction(db.session, lambda: handler(*args, **kwargs))

    return wrapper
