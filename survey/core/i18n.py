"""Chinese first, English as a full second language (Flask-Babel).

An installed wheel carries its compiled ``messages.mo`` beside each ``messages.po`` (setup.py
compiles them at build time): the server reads them there and writes nothing. A checkout has
no ``.mo`` (never committed): the catalogues are compiled into the instance folder when they
are missing or older than their source, so a fresh clone needs no build step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel, refresh

LANGUAGES = ("zh", "en")
SOURCE = Path(__file__).parent.parent / "translations"
babel = Babel()


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get("lang")
    if wanted in LANGUAGES:
        return wanted
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def compile_catalogues(target: Path) -> None:
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalogue = read_po(fh)
        # Several workers may start at once: write aside, then swap in atomically.
        fd, tmp = tempfile.mkstemp(dir=mo.parent)
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalogue)
        os.replace(tmp, mo)


def shipped() -> bool:
    """Every catalogue compiled by the build (an installed wheel), none to compile here."""
    sources = list(SOURCE.glob("*/LC_MESSAGES/messages.po"))
    return bool(sources) and all(po.with_suffix(".mo").exists() for po in sources)


def init_app(app: Flask) -> None:
    if shipped():
        target = SOURCE
    else:
        target = Path(app.instance_path) / "translations"
        compile_catalogues(target)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(target))

    @app.before_request
    def remember_choice():
        refresh()  # the locale is per request, even where an app context outlives one
        g.lang_choice = request.args.get("lang") if request.args.get("lang") in LANGUAGES else None

    @app.after_request
    def set_cookie(response):
        if getattr(g, "lang_choice", None):
            response.set_cookie("lang", g.lang_choice, max_age=365 * 86400, samesite="Lax")
        response.headers.setdefault("Content-Language", select_locale())
        return response

    @app.context_processor
    def languages():
        lang = select_locale()
        # a label's colon: full-width in Chinese (评定方案：…), ": " in English
        colon = "：" if lang == "zh" else ": "
        return {"current_lang": lang, "LANGUAGES": LANGUAGES, "colon": colon}
