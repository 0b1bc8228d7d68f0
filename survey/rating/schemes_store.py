"""Committees' own rating schemes: TOML files like the presets, stored by version.

A committee uploads a file or copies a preset and edits it; `load_scheme` validates it (a
mistake names the file, key and reason). An own scheme's key is unique across committees
and never a preset's, so ``key@version`` names one version anywhere (what a title and a
rating record). A version a live or revoked title was granted on is frozen: a change makes
the next version; an unused version is changed in place.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from importlib.resources import files

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey import rules
from survey.core.errors import Invalid, NotFound
from survey.models import CommitteeScheme, Organisation, Title
from survey.staff import audit

KEY = re.compile(r"[a-z0-9][a-z0-9-]{1,23}")
MAX_TEXT = 100_000


@lru_cache(maxsize=256)
def _parsed(ref: str, text: str, file: str) -> rules.Scheme:
    """Parsed once per version and text: a 10,000-branch summary reads the scheme once."""
    return replace(rules.load_scheme(text, file), key=ref)


def parse(text: str, file: str) -> rules.Scheme:
    """The scheme of ``text``; Invalid naming the file, key and reason when it is wrong."""
    if len(text) > MAX_TEXT:
        raise Invalid(f"{file}: (file): longer than {MAX_TEXT} characters", field="text")
    try:
        scheme = rules.load_scheme(text, file)
    except rules.SchemeError as exc:
        raise Invalid(str(exc), field="text") from None
    if not KEY.fullmatch(scheme.key):
        raise Invalid(f"{file}: key: 2 to 24 lower-case letters, digits or hyphens", field="text")
    if scheme.key in rules.SCHEMES:
        raise Invalid(f"{file}: key: {scheme.key!r} is a preset's; choose another", field="text")
    return scheme


def preset_text(preset: str, key: str) -> str:
    """A preset's file with its key changed to ``key`` (the start of a committee's own)."""
    if preset not in rules.SCHEMES:
        raise Invalid(f"unknown scheme {preset!r}", field="preset")
    text = files("survey.rules").joinpath("schemes", f"{preset}.toml").read_text("utf-8")
    return re.sub(r'(?m)^key = ".*"$', f'key = "{key}"', text, count=1)


def latest(session: Session, committee_id: int, key: str) -> CommitteeScheme | None:
    return session.scalar(
        select(CommitteeScheme)
        .where(CommitteeScheme.committee_id == committee_id, CommitteeScheme.key == key)
        .order_by(CommitteeScheme.version.desc())
        .limit(1)
    )


def frozen(session: Session, row: CommitteeScheme) -> bool:
    return session.scalar(select(Title.id).where(Title.scheme == row.ref).limit(1)) is not None


def save(
    session: Session, actor: str, committee: Organisation, text: str, file: str
) -> CommitteeScheme:
    """Store ``text`` as the committee's scheme of its key: in place, or as a new version
    when the latest is frozen."""
    if committee.kind != "committee":
        raise Invalid("a scheme belongs to a committee", field="committee_id")
    scheme = parse(text, file)
    other = session.scalar(
        select(CommitteeScheme.committee_id).where(
            CommitteeScheme.key == scheme.key, CommitteeScheme.committee_id != committee.id
        )
    )
    if other is not None:
        raise Invalid(f"{file}: key: {scheme.key!r} is another committee's", field="text")
    row = latest(session, committee.id, scheme.key)
    if row is not None and row.text == text:
        return row
    if row is None or frozen(session, row):
        version = 1 if row is None else row.version + 1
        row = CommitteeScheme(
            committee_id=committee.id, key=scheme.key, version=version, created_by=actor
        )
        session.add(row)
    row.text = text
    session.flush()
    audit.record(session, actor, "scheme.save", row, key=row.key, version=row.version)
    return row


def own_keys(session: Session, committee_id: int) -> list[CommitteeScheme]:
    """The latest version of each of the committee's own schemes."""
    newest = (
        select(CommitteeScheme.key, func.max(CommitteeScheme.version).label("v"))
        .where(CommitteeScheme.committee_id == committee_id)
        .group_by(CommitteeScheme.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(CommitteeScheme)
            .join(
                newest,
                (newest.c.key == CommitteeScheme.key) & (newest.c.v == CommitteeScheme.version),
            )
            .where(CommitteeScheme.committee_id == committee_id)
            .order_by(CommitteeScheme.key)
        )
    )


def choose(session: Session, actor: str, committee: Organisation, key: str | None) -> None:
    """The committee rates under a preset, its own scheme of ``key``, or (None) its parent's."""
    if key and key not in rules.SCHEMES and latest(session, committee.id, key) is None:
        raise Invalid(f"unknown scheme {key!r}", field="scheme")
    committee.scheme = key or None
    audit.record(session, actor, "scheme.choose", committee, scheme=committee.scheme)


def resolve(session: Session, ref: str, committee_ids: list[int] | None = None):
    """The own scheme ``key`` (latest) or ``key@version``, among ``committee_ids`` when given;
    None when there is none. Its key is the version's ref."""
    key, _, version = ref.partition("@")
    query = select(CommitteeScheme).where(CommitteeScheme.key == key)
    if committee_ids is not None:
        query = query.where(CommitteeScheme.committee_id.in_(committee_ids))
    if version:
        if not version.isdigit():
            return None
        query = query.where(CommitteeScheme.version == int(version))
    row = session.scalar(query.order_by(CommitteeScheme.version.desc()).limit(1))
    if row is None:
        return None
    return _parsed(row.ref, row.text, f"{row.key}.toml")


def row_of(session: Session, committee_id: int, key: str) -> CommitteeScheme:
    row = latest(session, committee_id, key)
    if row is None:
        raise NotFound("no such scheme")
    return row
