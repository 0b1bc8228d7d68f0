"""The upload form of the imports (organisations, a branch's member roll)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class UploadForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx) or CSV"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Only check the file, import nothing"))
