"""Organisations and staff accounts, created by an admin (the CLI keeps its own commands)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.errors import Conflict, Invalid
from survey.models import Organisation, User
from survey.models.base import utcnow
from survey.models.organisation import ORGANISATION_KINDS
from survey.rules import DOMAINS, SCHEMES
from survey.staff import audit, tokens
from survey.staff.access import ADMIN, ADMIN_ROLES, HOLDS, REVIEWER, ROLES, SECRETARY
from survey.staff.passwords import check_password

MAX_RADIUS_M = 1_000_000


def create_organisation(
    session: Session,
    actor: str,
    *,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    domain: str | None = None,
    founded_on: date | None = None,
    public_facing: bool = True,
    weak: bool = False,
    service_area: tuple[float, float, int] | None = None,
) -> Organisation:
    """A committee or a branch; a branch hangs under a committee. ``service_area`` is
    (lat, lon, radius_m), the centre and radius a public poll's geofence measures from."""
    name = name.strip()
    if not name:
        raise Invalid("a name is needed", field="name", reason="name_needed")
    if kind not in ORGANISATION_KINDS:
        raise Invalid("kind must be committee or branch", field="kind", reason="kind")
    if kind == "branch" and parent is None:
        raise Invalid("a branch belongs to a committee", field="parent_id", reason="branch_parent")
    if parent is not None and parent.kind != "committee":
        raise Invalid(
            "only a committee has organisations below it", field="parent_id", reason="parent_kind"
        )
    if domain is not None and domain not in DOMAINS:
        raise Invalid(f"domain is one of: {', '.join(DOMAINS)}", field="domain")
    organisation = Organisation(
        name=name,
        kind=kind,
        parent=parent,
        domain=domain,
        founded_on=founded_on,
        public_facing=public_facing,
        weak=weak,
    )
    if service_area is not None:
        _check_service_area(*service_area)
        lat, lon, radius_m = service_area
        organisation.service_lat, organisation.service_lon = lat, lon
        organisation.service_radius_m = radius_m
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "organisation.create", organisation, name=name, kind=kind)
    return organisation


def update_organisation(
    session: Session,
    actor: str,
    organisation: Organisation,
    *,
    name: str,
    parent: Organisation | None,
    domain: str | None,
    founded_on: date | None,
    public_facing: bool,
    weak: bool,
    service_area: tuple[float, float, int] | None,
    scheme: str | None,
    active: bool,
) -> None:
    """Every field an admin may change; the kind stays (a branch's campaigns hang on it).
    ``service_area`` is WGS-84 (lat, lon, radius_m) or None to remove it."""
    name = name.strip()
    if not name:
        raise Invalid("a name is needed", field="name")
    if organisation.kind == "branch" and parent is None:
        raise Invalid("a branch belongs to a committee", field="parent_id")
    if parent is not None:
        if parent.kind != "committee":
            raise Invalid("only a committee has organisations below it", field="parent_id")
        if organisation.id in _ancestors(session, parent):
            raise Invalid("an organisation cannot sit below itself", field="parent_id")
    if domain is not None and domain not in DOMAINS:
        raise Invalid(f"domain is one of: {', '.join(DOMAINS)}", field="domain")
    if scheme is not None and scheme not in SCHEMES:
        raise Invalid("unknown scheme", field="scheme")
    if service_area is not None:
        _check_service_area(*service_area)
    organisation.name, organisation.parent = name, parent
    organisation.domain, organisation.founded_on = domain, founded_on
    organisation.public_facing, organisation.weak = public_facing, weak
    organisation.scheme, organisation.active = scheme, active
    lat, lon, radius_m = service_area or (None, None, None)
    organisation.service_lat, organisation.service_lon = lat, lon
    organisation.service_radius_m = radius_m
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.update",
        organisation,
        name=name,
        parent_id=organisation.parent_id,
        domain=domain,
        founded_on=founded_on and founded_on.isoformat(),
        public_facing=public_facing,
        weak=weak,
        service_area=list(service_area) if service_area else None,
        scheme=scheme,
        active=active,
    )


def _ancestors(session: Session, organisation: Organisation) -> list[int]:
    from survey.staff.access import ancestors_and_self

    return ancestors_and_self(session, organisation.id)


def set_user_active(session: Session, actor: str, user: User, active: bool) -> None:
    """Deactivated: cannot sign in, and every session of the account ends now."""
    user.active = active
    if not active:
        user.session_version = (user.session_version or 0) + 1
    session.flush()
    audit.record(session, actor, "user.activate" if active else "user.deactivate", user)


def reset_password(session: Session, actor: str, user: User, password: str) -> None:
    """An admin sets a new password (told to the user in person); other sessions end."""
    check_password(password, user.username)
    user.set_password(password)
    session.flush()
    audit.record(session, actor, "user.password_reset", user)
    tokens.revoke_all(session, actor, user)


def change_password(session: Session, user: User, old: str, new: str) -> None:
    """The user's own change: the old password is required; every other session ends."""
    if not user.check_password(old):
        raise Invalid("the current password is wrong", field="old_password")
    check_password(new, user.username)
    user.set_password(new)
    session.flush()
    audit.record(session, f"web:{user.username}", "user.password_change", user)
    tokens.revoke_all(session, f"web:{user.username}", user)


def _check_service_area(lat: float, lon: float, radius_m: int) -> None:
    if not -90 <= lat <= 90:
        raise Invalid("lat must be between -90 and 90", field="lat")
    if not -180 <= lon <= 180:
        raise Invalid("lon must be between -180 and 180", field="lon")
    if not 1 <= radius_m <= MAX_RADIUS_M:
        raise Invalid(f"radius_m must be between 1 and {MAX_RADIUS_M}", field="radius_m")


def create_user(
    session: Session,
    actor: str,
    *,
    username: str,
    role: str,
    organisation: Organisation | None,
    password: str,
) -> User:
    """A staff account; its password is hashed by Werkzeug, never stored."""
    username = username.strip()
    if not username:
        raise Invalid("a user name is needed", field="username", reason="username_needed")
    if role not in ROLES:
        raise Invalid(f"role must be one of: {', '.join(ROLES)}", field="role", reason="role")
    _check_organisation(role, organisation)
    check_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(
            f"a user named {username!r} exists already", field="username", reason="username_taken"
        )
    staff = role in (SECRETARY, REVIEWER)
    user = User(username=username, role=role, organisation=organisation if staff else None)
    user.set_password(password)
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", user, role=role, organisation_id=user.organisation_id
    )
    return user


def _check_organisation(role: str, organisation: Organisation | None) -> None:
    """A secretary belongs to a branch, a reviewer to a committee; an administrator to none."""
    if role not in (SECRETARY, REVIEWER):
        return
    if organisation is None:
        raise Invalid(
            f"a {role} needs an organisation", field="organisation_id", reason=f"{role}_needs_org"
        )
    if role == SECRETARY and organisation.kind != "branch":
        raise Invalid(
            "a secretary belongs to a branch", field="organisation_id", reason="secretary_branch"
        )
    if role == REVIEWER and organisation.kind != "committee":
        raise Invalid(
            "a reviewer belongs to a committee",
            field="organisation_id",
            reason="reviewer_committee",
        )


def change_role(session: Session, actor: str, user: User, role: str) -> None:
    """A new role for ``user`` (the secadmin's act), recorded in the audit log.

    三员分立: an administrator's role is fixed when the account is made, so no account ever
    holds a second one; the one change allowed to an administrator is splitting a legacy
    ``admin`` into the sysadmin or the secadmin it already was. A secretary may become a
    reviewer of a committee and back, with the organisation that role needs.
    """
    if role not in ROLES or role == ADMIN or role == user.role:
        raise Invalid("choose another role", field="role", reason="role")
    if user.role in ADMIN_ROLES or role in ADMIN_ROLES:
        if role not in HOLDS.get(user.role, ()):
            raise Invalid(
                "an account holds at most one administrator role, given when it is made",
                field="role",
                reason="second_admin_role",
            )
    else:
        _check_organisation(role, user.organisation)
    before = user.role
    user.role = role
    user.session_version = (user.session_version or 0) + 1  # its sessions end: new powers
    session.flush()
    audit.record(session, actor, "user.role_change", user, role=role, previous=before)


def password_expired(user: User, max_age_days: int, now=None) -> bool:
    """Whether ``user``'s password is older than ``max_age_days`` (0: passwords never
    expire, the default, as NIST SP 800-63B advises). A password set before its date was
    kept counts from the account's creation."""
    if max_age_days <= 0:
        return False
    set_at = user.password_set_at or user.created_at
    return set_at is None or (now or utcnow()) - set_at > timedelta(days=max_age_days)
