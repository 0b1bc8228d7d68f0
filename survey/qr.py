"""QR codes as inline SVG, for cards that must scan from paper in a dim room.

Error correction M and the full four-module quiet zone (ISO/IEC 18004); the page prints
them at least 25 mm wide. The path is written from the module matrix, one rectangle per
horizontal run: ``qrcode``'s own SVG factory writes one per module, three times slower.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

import qrcode
from flask import current_app, has_app_context, has_request_context
from flask_babel import gettext
from markupsafe import Markup, escape
from qrcode.constants import ERROR_CORRECT_M

BORDER = 4
# A fixed mask: choosing the best of eight builds the matrix eight times (8.6 ms instead of
# 1.4 ms a code), too slow for a 500-card sheet. Every decoder reads the mask from the format
# bits, and the payload is a random token whose modules are already well mixed.
MASK_PATTERN = 2
CACHE_SIZE = 2048  # about 7 kB an entry: a few full sheets per worker


def svg(data: str, label: str | None = None) -> Markup:
    """The QR code of ``data`` as an ``<svg>`` element sized by its viewBox (style it in CSS):
    markup we generate from the module matrix, never from user text. ``label`` is what a screen
    reader says of the image (by default "QR code" in the reader's language)."""
    if label is None:
        label = gettext("QR code") if has_request_context() else "QR code"
    return _svg(data, label, _shared_folder())


def _shared_folder() -> str | None:
    """The cache every worker shares: files in the instance folder (0700, beside the
    database that already holds the ballots). Per worker only, a sheet printed again was
    rendered afresh by whichever worker had not seen it (1 s instead of 0.1 s, bench/)."""
    if not has_app_context():
        return None
    return os.path.join(current_app.instance_path, "qr-cache")


@lru_cache(maxsize=CACHE_SIZE)
def _svg(data: str, label: str, folder: str | None = None) -> Markup:
    if folder is None:
        return _render(data, label)
    name = hashlib.sha256(f"{label}\x1f{data}".encode()).hexdigest()
    path = os.path.join(folder, name + ".svg")
    try:
        with open(path, encoding="utf-8") as cached:
            return Markup(cached.read())
    except OSError:
        pass
    markup = _render(data, label)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as out:
            out.write(str(markup))
        os.replace(partial, path)  # atomic: another worker reads all of it or nothing
    except OSError:
        pass  # a full or read-only disk costs speed, never the sheet
    return markup


def _render(data: str, label: str) -> Markup:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    modules = code.modules
    size = len(modules) + 2 * BORDER
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" class="qr" role="img" aria-label="{escape(label)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{_path(modules)}"/></svg>'
    )


def _path(modules: list[list[bool]]) -> str:
    parts = []
    for y, row in enumerate(modules):
        x, width = 0, len(row)
        while x < width:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < width and row[x]:
                x += 1
            parts.append(f"M{start + BORDER} {y + BORDER}h{x - start}v1h{start - x}z")
    return "".join(parts)


def cache_clear() -> None:
    """Forget the codes this worker holds (the shared files stay: they never go stale)."""
    _svg.cache_clear()
