"""Public notice (公示) before a title is granted, and objections (异议) to it.

000 §四(三), 001: "在服务半径内通过公示…扩大群众评价参与范围". A committee publishes the year's
proposed list on a public page for a period it sets (5 working days by default, dates in
Asia/Shanghai) with a contact for objections (联系人, 电话, 地址);
anyone may object to a listed branch with a reason; a reviewer checks each objection
(verified / unfounded with a note). A listed branch's title is granted only after the period
ends with every objection about it checked and none verified (docs/rules.md §notice).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.core.converters import check_year
from survey.core.errors import AlreadyAnswered, Conflict, Invalid, NotFound, NotOpen
from survey.core.timezone import local_today
from survey.core.workdays import last_working_day
from survey.models import Notice, NoticeDevice, NoticeEntry, Objection, Organisation
from survey.models.notice import OBJECTION_RESULTS
from survey.rating import ratings
from survey.staff import audit

# The seeds name 公示 (000 §四(三), 001 §三(一)3) but no period: the committee sets it, in
# working days (Monday to Friday less public holidays, survey.core.workdays). Five working
# days is the product's default (docs/rules.md), within thirty at most.
DEFAULT_DAYS = 5
MIN_DAYS, MAX_DAYS = 1, 30
MAX_PERSON, MAX_PHONE, MAX_ADDRESS = 40, 40, 200
# A telephone as people write one: 0477-8581234, 138 0013 8000, (0477)8581234, +86 …,
# 0477-8581234转8001 (an extension).
PHONE = re.compile(r"^\+?[\d\s()（）\-－]{5,40}(?:转\d{1,6})?$")
MAX_REASON = 1000
MAX_NOTE = 1000
# Objections from one address to one notice, shared across workers (Redis): a person objects
# once or twice; a fresh cookie jar per request filed 60 of 70 a minute under the poll's limit.
OBJECTION_RATE_LIMIT = "3 per minute;10 per hour;20 per day"


class NoticeBlocks(Conflict):
    """The notice stands in the way of a grant: ``detail['kind']`` is running (until a
    date), unchecked, or verified (with the objection's reason and the reviewer's note)."""

    reason = "notice_blocks"


@dataclass(frozen=True)
class Contact:
    """Who takes objections in person (联系人, 电话, 地址), printed on the notice."""

    person: str
    phone: str
    address: str

    def checked(self) -> Contact:
        person, phone = (self.person or "").strip(), (self.phone or "").strip()
        address = (self.address or "").strip()
        if not person or len(person) > MAX_PERSON:
            raise Invalid(f"a contact of 1 to {MAX_PERSON} characters", field="contact_person")
        digits = sum(c.isdigit() for c in phone)
        if not PHONE.fullmatch(phone) or not 5 <= digits <= 20:
            raise Invalid("a telephone number", field="contact_phone")
        if not address or len(address) > MAX_ADDRESS:
            raise Invalid(f"an address of 1 to {MAX_ADDRESS} characters", field="contact_address")
        return Contact(person, phone, address)


def today() -> date:
    """The date where the notice is read: the organisation's time zone (SURVEY_TIMEZONE)."""
    return local_today()


def publish(
    session: Session,
    actor: str,
    committee: Organisation,
    year: int,
    branch_ids: list[int],
    contact: Contact,
    days: int = DEFAULT_DAYS,
    on: date | None = None,
) -> Notice:
    """A notice of ``branch_ids`` (branches under ``committee``) open from ``on`` for
    ``days`` working days, the last of them included: from a Thursday, 5 working days end
    on the next Wednesday."""
    check_year(year)
    if committee.kind != "committee":
        raise Invalid("a notice is published by a committee", field="committee_id")
    if not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise Invalid(f"the notice period is {MIN_DAYS} to {MAX_DAYS} working days", field="days")
    contact = contact.checked()
    wanted = sorted(set(branch_ids))
    if not wanted:
        raise Invalid("the notice lists no branch", field="branches")
    under = set(session.scalars(ratings.branch_selector(session, committee)))
    if not set(wanted) <= under:
        raise Invalid("a listed branch is not under this committee", field="branches")
    opens = on or today()
    notice = Notice(
        committee_id=committee.id,
        year=year,
        slug=secrets.token_urlsafe(9),
        opens_on=opens,
        closes_on=last_working_day(opens, days),
        contact_person=contact.person,
        contact_phone=contact.phone,
        contact_address=contact.address,
        created_by=actor,
    )
    session.add(notice)
    session.flush()
    session.add_all(NoticeEntry(notice_id=notice.id, organisation_id=i) for i in wanted)
    session.flush()
    audit.record(session, actor, "notice.publish", notice, year=year, branches=wanted, days=days)
    return notice


def find_notice(session: Session, slug: str) -> Notice:
    notice = session.scalar(select(Notice).where(Notice.slug == slug))
    if notice is None:
        raise NotFound("no such notice")
    return notice


def is_open(notice: Notice, on: date | None = None) -> bool:
    return notice.opens_on <= (on or today()) <= notice.closes_on


def has_objected(session: Session, notice: Notice, devices: list[str]) -> bool:
    found = session.scalar(
        select(NoticeDevice.notice_id).where(
            NoticeDevice.notice_id == notice.id, NoticeDevice.device_hmac.in_(devices)
        )
    )
    return found is not None


def lodge(
    session: Session,
    notice: Notice,
    organisation_id: int,
    reason: str,
    device: str,
    on: date | None = None,
) -> str:
    """An objection to a listed branch; returns its receipt. ``device`` is an HMAC of the
    signed device id, kept apart from the objection (no link between the two rows)."""
    day = on or today()
    if not is_open(notice, day):
        raise NotOpen("the notice period is over")
    if organisation_id not in {e.organisation_id for e in notice.entries}:
        raise Invalid("the branch is not on this notice", field="branch")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise Invalid(f"a reason of 1 to {MAX_REASON} characters is required", field="reason")
    if has_objected(session, notice, [device]):
        raise AlreadyAnswered()
    session.add(NoticeDevice(notice_id=notice.id, device_hmac=device))
    try:
        session.flush()
    except IntegrityError:  # the same device at the same moment: the other one was taken
        raise AlreadyAnswered() from None
    receipt = secrets.token_urlsafe(12)
    session.add(
        Objection(
            notice_id=notice.id,
            organisation_id=organisation_id,
            reason=reason,
            lodged_on=day,
            receipt=receipt,
        )
    )
    session.flush()
    return receipt


def find_objection(session: Session, notice: Notice, receipt: str) -> Objection:
    found = session.scalar(
        select(Objection).where(Objection.notice_id == notice.id, Objection.receipt == receipt)
    )
    if found is None:
        raise NotFound("no such objection")
    return found


def check_objection(
    session: Session, actor: str, objection: Objection, result: str, note: str
) -> None:
    """A reviewer's finding (查证), as for a public complaint; marking again updates it."""
    if result not in OBJECTION_RESULTS:
        raise Invalid("the finding is verified or unfounded", field="result")
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise Invalid(f"a note of 1 to {MAX_NOTE} characters is required", field="note")
    objection.result, objection.note = result, note
    objection.checked_by, objection.checked_on = actor, today()
    session.flush()
    audit.record(session, actor, "objection.check", objection, result=result)


def dismiss_flood(
    session: Session, actor: str, notice: Notice, objection_ids: list[int], note: str
) -> int:
    """The chosen unchecked objections of ``notice`` found unfounded at once, with one note,
    and recorded in the audit log as a flood (one entry naming them all); how many."""
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise Invalid(f"a note of 1 to {MAX_NOTE} characters is required", field="note")
    rows = list(
        session.scalars(
            select(Objection).where(
                Objection.notice_id == notice.id,
                Objection.id.in_(objection_ids),
                Objection.result.is_(None),
            )
        )
    )
    if not rows:
        raise Invalid("choose at least one objection not checked yet", field="objection")
    for objection in rows:
        objection.result, objection.note = "unfounded", note
        objection.checked_by, objection.checked_on = actor, today()
    session.flush()
    ids = sorted(o.id for o in rows)
    audit.record(session, actor, "objection.dismiss_flood", notice, count=len(ids), objections=ids)
    return len(ids)


def objections_of(session: Session, notice: Notice) -> list[Objection]:
    return list(
        session.scalars(
            select(Objection).where(Objection.notice_id == notice.id).order_by(Objection.id)
        )
    )


def notices_of(session: Session, committee_ids) -> list[Notice]:
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.committee_id.in_(committee_ids))
            .order_by(Notice.year.desc(), Notice.id.desc())
        )
    )


def branch_objections(session: Session, branch_id: int, year: int) -> list[Objection]:
    """Objections about the branch on the year's notices (shown on the branch's record)."""
    return list(
        session.scalars(
            select(Objection)
            .join(Notice, Notice.id == Objection.notice_id)
            .where(Objection.organisation_id == branch_id, Notice.year == year)
            .order_by(Objection.id)
        )
    )


def check_grant(session: Session, branch_id: int, year: int, on: date | None = None) -> None:
    """Refuse (409) a title to a branch on a notice of ``year`` before its period ends, with
    an objection unchecked, or with one verified (its reason given)."""
    day = on or today()
    listed = session.scalars(
        select(Notice)
        .join(NoticeEntry, NoticeEntry.notice_id == Notice.id)
        .where(NoticeEntry.organisation_id == branch_id, Notice.year == year)
    ).all()
    for notice in listed:
        if day <= notice.closes_on:
            raise NoticeBlocks(
                f"the public notice runs until {notice.closes_on.isoformat()}: "
                "the title is granted after it ends",
                kind="running",
                until=notice.closes_on,
            )
    for objection in branch_objections(session, branch_id, year):
        if objection.result is None:
            raise NoticeBlocks(
                "an objection from the public notice is not checked yet", kind="unchecked"
            )
        if objection.result == "verified":
            raise NoticeBlocks(
                f"an objection was verified: {objection.reason} ({objection.note})",
                kind="verified",
                objection=objection,
            )
