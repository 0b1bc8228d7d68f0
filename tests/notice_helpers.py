"""Shared pieces of the public-notice tests: an eligible branch, a notice, an objection."""

from __future__ import annotations

from datetime import timedelta

from helpers import GOOD_ASSESSMENT, csrf_from, held_review
from poll_helpers import issued_from

from survey.core.workdays import is_working_day
from survey.rating import assessments, notice

CONTACT = notice.Contact("王芳", "0477-8581234", "机关党委办公室（办公楼302室）")


def eligible(make, db, branch, year=2026):
    held_review(make, db, branch, 10, 0, year=year)
    assessments.save_assessment(db.session, "test", branch, year, GOOD_ASSESSMENT)
    db.session.commit()


def working_days_before(day, count):
    """The day ``count`` working days before ``day``: a notice of ``count`` + 1 working days
    opened then is on its last day today when today is a working day, and still running
    on a weekend; one of ``count`` working days is over."""
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def published(db, committee, branches, days=5, ago=0, year=2026):
    """A notice of ``days`` working days opened ``ago`` working days before today
    (Asia/Shanghai)."""
    item = notice.publish(
        db.session,
        "test",
        committee,
        year,
        [b.id for b in branches],
        CONTACT,
        days,
        on=working_days_before(notice.today(), ago),
    )
    db.session.commit()
    return item


def object_to(client, slug, branch_id, reason="该支部去年有违纪问题", **extra):
    page = client.get(f"/n/{slug}")
    assert page.status_code == 200, page.status_code
    data = {
        "csrf_token": csrf_from(page.text),
        "issued": issued_from(page.text),
        "branch": str(branch_id),
        "reason": reason,
        "website": "",
    } | extra
    return client.post(f"/n/{slug}", data=data)
