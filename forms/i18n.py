"""WTForms' own messages ("Not a valid choice", …), translated once per locale per worker.

Flask-WTF loads WTForms' catalogue from disk on every request that builds a form (it caches
it on the request only): parsing that ``.mo`` file was ~8 % of the member's ballot page
(bench/hotspots.py page). The catalogue is read-only, so one per locale serves every request.
"""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=8)
def _catalogue(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """A FlaskForm whose WTForms messages come from the per-locale catalogue above."""

    class Meta:
        def get_translations(self, form):
            if not has_request_context() or not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _catalogue(str(get_locale()))
