"""QR codes as inline SVG, for cards that must scan from paper in a dim room.

Error correction M and the full four-module quiet zone (ISO/IEC 18004); the page prints
them at least 25 mm wide. The path is written from the module matrix, one rectangle per
horizontal run: ``qrcode``'s own SVG factory writes one per module, three times slower.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
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
# The shared disk cache is bounded: at most DISK_FILES codes (about 7 kB each: 70 MB), pruned
# on write, once every PRUNE_EVERY writes of a worker, down to 80 % of the bound, the least
# recently used first (a disk hit touches its file); and none unused for MAX_AGE_S. A scan
# of 10,000 entries takes ~10 ms. A campaign's cards are kept in a folder of their own,
# removed when it closes (forget_group). A card carrying two ballots is never cached: its
# link names both, and a file of it would pair them on disk.
DISK_FILES = 10_000
PRUNE_EVERY = 256
MAX_AGE_S = 7 * 86400  # a sheet is printed again within days of its meeting, if at all
STALE_PARTIAL_S = 60  # a .tmp older than this was left by a worker killed mid-write
KEPT = (".svg", ".tok")  # codes, and the ballot tokens survey/core/links.py shares
_writes = 0
_writes_lock = threading.Lock()


def svg(
    data: str, label: str | None = None, *, group: int | None = None, cache: bool = True
) -> Markup:
    """The QR code of ``data`` as an ``<svg>`` element sized by its viewBox (style it in CSS):
    markup we generate from the module matrix, never from user text. ``label`` is what a screen
    reader says of the image (by default "QR code" in the reader's language). ``group`` (a
    campaign's id) files it with the campaign's other codes, removed at its close; with
    ``cache=False`` it is drawn afresh and kept nowhere, neither in memory nor on disk."""
    if label is None:
        label = gettext("QR code") if has_request_context() else "QR code"
    if not cache:
        return _render(data, label)
    return _svg(data, label, _shared_folder(group))


def secret_svg(data: str, label: str | None = None) -> Markup:
    """The QR code of a secret (a scrutineer card's share): rendered afresh, kept in no
    cache, neither this worker's memory nor the shared folder on disk."""
    if label is None:
        label = gettext("QR code") if has_request_context() else "QR code"
    return _render(data, label)


def _shared_folder(group: int | None = None) -> str | None:
    """The cache every worker shares: files in the instance folder (0700, beside the
    database that already holds the ballots). Per worker only, a sheet printed again was
    rendered afresh by whichever worker had not seen it (1 s instead of 0.1 s, bench/)."""
    if not has_app_context():
        return None
    folder = shared_folder()
    return folder if group is None else os.path.join(folder, _group_name(group))


def _group_name(group: int) -> str:
    return f"c{int(group)}"


def forget_group(group: int) -> None:
    """Remove a campaign's codes from the shared folder (at its close) and from this
    worker's memory; another worker's memory holds them until it is recycled or pruned."""
    if has_app_context():
        shutil.rmtree(os.path.join(shared_folder(), _group_name(group)), ignore_errors=True)
    _svg.cache_clear()


@lru_cache(maxsize=CACHE_SIZE)
def _svg(data: str, label: str, folder: str | None = None) -> Markup:
    if folder is None:
        return _render(data, label)
    name = hashlib.sha256(f"{label}\x1f{data}".encode()).hexdigest()
    path = os.path.join(folder, name + ".svg")
    try:
        with open(path, encoding="utf-8") as cached:
            markup = Markup(cached.read())
        os.utime(path)  # recently used: pruned last
        return markup
    except OSError:
        pass
    markup = _render(data, label)
    write_shared(path, str(markup))
    return markup


def shared_folder() -> str:
    """The folder every worker shares (in an app context)."""
    return os.path.join(current_app.instance_path, "qr-cache")


def write_shared(path: str, text: str) -> None:
    """Write a file of the shared folder atomically (another worker reads all of it or
    nothing), counted for the prune; a full or read-only disk costs speed, never the page."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
        _count_write(shared_folder() if has_app_context() else folder)
    except OSError:
        pass


def _count_write(folder: str) -> None:
    global _writes
    with _writes_lock:
        _writes += 1
        due = _writes % PRUNE_EVERY == 0
    if due:
        prune(folder)


def prune(folder: str, limit: int | None = None, max_age_s: float = MAX_AGE_S) -> int:
    """Keep at most 80 % of ``limit`` (DISK_FILES) codes in ``folder`` and its campaigns'
    folders, the most recently used, none unused for ``max_age_s``; drop partial files left
    by a killed worker and emptied campaign folders. Returns how many files were removed.
    Safe beside other workers: a file removed under a reader is only rendered again."""
    limit = DISK_FILES if limit is None else limit
    codes, removed, now = [], 0, time.time()
    for path, mtime in _files(folder):
        if path.endswith(KEPT):
            if now - mtime > max_age_s:
                removed += _remove(path)
            else:
                codes.append((mtime, path))
        elif path.endswith(".tmp") and now - mtime > STALE_PARTIAL_S:
            removed += _remove(path)
    if len(codes) > limit:
        codes.sort()
        for _mtime, path in codes[: len(codes) - int(limit * 0.8)]:
            removed += _remove(path)
    _drop_empty_groups(folder)
    return removed


def _files(folder: str, depth: int = 0):
    """(path, mtime) of every file in ``folder`` and, one level down, its campaigns'."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth == 0:
                            yield from _files(entry.path, 1)
                        continue
                    yield entry.path, entry.stat().st_mtime
                except OSError:
                    continue
    except OSError:
        return


def _drop_empty_groups(folder: str) -> None:
    try:
        with os.scandir(folder) as entries:
            groups = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for group in groups:
        try:
            os.rmdir(group)  # only when empty
        except OSError:
            pass


def _remove(path: str) -> int:
    try:
        os.remove(path)
        return 1
    except OSError:
        return 0


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
    """Forget the codes this worker holds (the shared files stay: ``prune`` bounds their
    number and age, ``forget_group`` removes a closed campaign's)."""
    _svg.cache_clear()
