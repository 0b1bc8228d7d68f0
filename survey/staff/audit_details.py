"""An audit entry's values in words: 组织评定：优秀, not ``organisation_grade: excellent``.

Each value the log records has its label and its words here; a value without them (a hash,
an internal id) is left to the CSV export, never shown as a key on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.core import labels
from survey.core.timezone import localdate

if TYPE_CHECKING:
    from survey.staff.audit_words import Names


def _yes(value) -> str:
    return _("yes") if value else _("no")


def _listed(values) -> str:
    return "、".join(str(v) for v in values) if values else _("none")


def _social(value, names) -> str:
    return _listed(
        _("%(department)s (says the branch falls short)", department=item.get("department"))
        if item.get("negative")
        else item.get("department")
        for item in value or []
    )


def _exclusions(value, names) -> str:
    return _listed(
        item.get("note") or labels.EXCLUSIONS.get(item.get("key"), "")
        if item.get("key") == "other"
        else labels.EXCLUSIONS.get(item.get("key"), "")
        for item in value or []
    )


def _area(value, names) -> str:
    if not value:
        return _("none")
    lat, lon, radius = value
    return _("%(lat)s, %(lon)s, within %(radius)s metres", lat=lat, lon=lon, radius=radius)


def _date(value, names) -> str:
    from datetime import date

    try:
        return localdate(date.fromisoformat(value)) if value else _("none")
    except (TypeError, ValueError):
        return str(value)


def _plain(value, names) -> str:
    return _("none") if value is None or value == "" else str(value)


def _organisation(value, names: Names) -> str:
    return names.organisations.get(value, _("none")) if value else _("none")


def _from(table: dict) -> Callable:
    return lambda value, names: str(table.get(value, value)) if value else _("none")


def _each(table: dict) -> Callable:
    return lambda value, names: _listed(str(table.get(v, v)) for v in value or [])


def _percent(value, names) -> str:
    return _("none") if value is None else f"{value}%"


def _count_of(value, names) -> str:
    return str(len(value or []))


# key -> (its label, its value in words); keys not here are not shown on the page
SHOWN: dict[str, tuple] = {
    "organisation_grade": (_l("Committee grade (组织评定)"), _from(labels.GRADES)),
    "score": (_l("Score (where a score is kept)"), _plain),
    "social": (_l("Social evaluation (社会评价)"), _social),
    "exclusions": (_l("Negative list (负面清单)"), _exclusions),
    "stars": (_l("Stars in the ten-star rating"), _plain),
    "named_stars": (_l("Named stars held"), _each(labels.STARS)),
    "volunteers": (_l("Members registered as volunteers"), _plain),
    "serving_members": (_l("Serving members"), _plain),
    "volunteer_activities": (_l("Volunteer activities this year"), _plain),
    "title": (_l("Title"), _plain),
    "year": (_l("Year"), _plain),
    "eligible_full": (_l("Full members expected (应到正式党员)"), _plain),
    "eligible_probationary": (_l("Probationary members expected (应到预备党员)"), _plain),
    "appraisees": (_l("Number of members appraised"), _plain),
    "questions": (_l("Questions"), _count_of),
    "all_rows_required": (_l("Every member must be graded"), lambda v, n: _yes(v)),
    "top_grade_cap_percent": (
        _l("Highest share of Excellent in the final grades"),
        _percent,
    ),
    "parent_id": (_l("Above it"), _organisation),
    "organisation_id": (_l("Organisation"), _organisation),
    "domain": (_l("Domain"), _from(labels.DOMAINS)),
    "founded_on": (_l("Founded on"), _date),
    "public_facing": (_l("Has public-facing functions"), lambda v, n: _yes(v)),
    "weak": (_l("Weak and lax (软弱涣散)"), lambda v, n: _yes(v)),
    "service_area": (_l("Service area"), _area),
    "active": (_l("Active"), lambda v, n: _yes(v)),
    "read_only": (_l("Read only"), lambda v, n: _yes(v)),
    "branches": (_l("Branches"), lambda v, n: _listed(n.organisations.get(b, "") for b in v)),
    "reason": (_l("Reason"), _plain),
    "note": (_l("Note"), _plain),
    "address": (_l("Network address"), _plain),
}

# what each action shows beside its sentence (the rest is in the sentence or only in the CSV)
BY_ACTION = {
    "assessment.save": (
        "organisation_grade",
        "score",
        "social",
        "exclusions",
        "stars",
        "named_stars",
        "volunteers",
        "serving_members",
        "volunteer_activities",
    ),
    "campaign.create": ("year", "appraisees", "all_rows_required", "top_grade_cap_percent"),
    "campaign.update": (
        "title",
        "eligible_full",
        "eligible_probationary",
        "questions",
        "appraisees",
        "all_rows_required",
        "top_grade_cap_percent",
    ),
    "organisation.update": (
        "parent_id",
        "domain",
        "founded_on",
        "public_facing",
        "weak",
        "service_area",
        "active",
    ),
    "user.create": ("organisation_id",),
    "api_token.create": ("read_only",),
    "notice.publish": ("branches",),
    "appraisal.final_grade": ("reason",),
    "title.revoke": ("reason",),
    "rating.weak_override": ("reason",),
    "response.verify": ("note",),
    "user.sign_in": ("address",),
    "user.sign_in_failed": ("address",),
}


def details(action: str, detail: dict, names: Names) -> list[str]:
    """Each shown value as 名称：值, in the order the action lists them."""
    said = []
    for key in BY_ACTION.get(action, ()):
        if key not in detail:
            continue
        label, words = SHOWN[key]
        said.append(_("%(label)s: %(value)s", label=label, value=words(detail[key], names)))
    return said
