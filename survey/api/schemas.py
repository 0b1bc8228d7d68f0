"""What each request may carry: the marshmallow schemas that validate and document it.

Every enum is the code's own constant, so the document cannot list a value the server
refuses. JSON types are strict (``"2026"`` is not a year, ``"no"`` is not false); the
domain services keep their own rules (a branch under a committee, an exclusion's reason…).
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range, Regexp

from survey import appraisal, campaigns, rules
from survey.ballotbox import ballots
from survey.core.converters import FIRST_YEAR, LAST_YEAR, MAX_ID
from survey.core.scales import CAMPAIGN_KINDS, REPRESENTATIVE_CLASS, REPRESENTATIVES
from survey.models.organisation import ORGANISATION_KINDS
from survey.models.poll import VERIFICATION_RESULTS
from survey.polls import complaints
from survey.rating import assessments
from survey.staff import accounts

MAX_QUESTIONS = 12
MAX_TEXT = 200
BALLOT_CLASSES = (*ballots.MEMBER_CLASSES, "resident", REPRESENTATIVE_CLASS)


class Int(fields.Integer):
    """A JSON integer: not a string of digits, not a boolean, not 2026.0."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Number(fields.Float):
    """A JSON number: not a string, not a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Bool(fields.Boolean):
    """true or false, not "yes", 1 or "no"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


CONTROLS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
# Not blank, and no control character but tab and line breaks: they mean nothing in a title
# or a note, and a spreadsheet export cannot hold them. One pattern, checked here with
# re.fullmatch and published in the document, so that both read the same rule.
TEXT_PATTERN = f"^[^{CONTROLS}]*[^\\s{CONTROLS}][^{CONTROLS}]*$"


class FullMatch(Regexp):
    """Regexp on the whole value (``match`` would let "key\\n" through a ``$``)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A string of at most ``max_length`` characters, not blank, no control character;
    stripped."""

    def __init__(self, max_length: int = MAX_TEXT, **kwargs):
        validate = [
            Length(1, max_length),
            FullMatch(TEXT_PATTERN, error="must be text, not blank, without control characters"),
        ]
        super().__init__(validate=validate, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Note(fields.String):
    """Free text that may be empty: at most ``max_length`` characters, no control character."""

    def __init__(self, max_length: int, **kwargs):
        validate = [
            Length(max=max_length),
            FullMatch(f"^[^{CONTROLS}]*$", error="must be text without control characters"),
        ]
        super().__init__(validate=validate, **kwargs)


def enum(values, **kwargs) -> fields.String:
    return fields.String(validate=OneOf(list(values)), **kwargs)


def identifier(**kwargs) -> Int:
    return Int(validate=Range(1, MAX_ID), **kwargs)


def year_field(**kwargs) -> Int:
    return Int(validate=Range(FIRST_YEAR, LAST_YEAR), **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE  # a field the API does not know is a 400 naming it, never ignored


class ServiceArea(Strict):
    lat = Number(required=True, validate=Range(-90, 90))
    lon = Number(required=True, validate=Range(-180, 180))
    radius_m = Int(required=True, validate=Range(1, accounts.MAX_RADIUS_M))


class OrganisationBody(Strict):
    name = Text(required=True)
    kind = enum(ORGANISATION_KINDS, required=True)
    parent_id = identifier(allow_none=True, metadata={"description": "a committee"})
    domain = enum(rules.DOMAINS, allow_none=True)
    founded_on = fields.Date(allow_none=True)
    public_facing = Bool(load_default=True)
    weak = Bool(load_default=False)
    service_area = fields.Nested(ServiceArea, allow_none=True)


class QuestionBody(Strict):
    key = fields.String(required=True, validate=FullMatch(r"^[A-Za-z0-9_]{1,40}$"))
    prompt = Text(500, required=True)


class ScrutineersBody(Strict):
    k = Int(load_default=2, validate=Range(1, 9))
    n = Int(load_default=3, validate=Range(1, 9))


class CampaignBody(Strict):
    organisation_id = identifier(required=True, metadata={"description": "a branch"})
    year = year_field(required=True)
    kind = enum(CAMPAIGN_KINDS, required=True)
    title = Text(required=True)
    geofence = enum(campaigns.GEOFENCES, load_default="off")
    eligible_full = Int(allow_none=True, validate=Range(0, 100_000))
    eligible_probationary = Int(allow_none=True, validate=Range(0, 100_000))
    questions = fields.List(
        fields.Nested(QuestionBody), load_default=list, validate=Length(max=MAX_QUESTIONS)
    )
    # member_appraisal only: must every member be graded; the highest share of 优秀 the
    # committee's final grades may give, in percent (none by default)
    all_rows_required = Bool(load_default=True)
    excellent_cap_percent = Int(allow_none=True, validate=Range(0, 100))
    # who holds the ballot box's key: the scrutineers' cards (meetings' default) or the server
    sealing = enum(("scrutineers", "server"))
    scrutineers = fields.Nested(ScrutineersBody)
    representatives = enum(
        REPRESENTATIVES,
        metadata={
            "description": "masses_meeting only: who is invited to the 述职评议 meeting -- "
            "masses (群众代表, the default), teachers (教师代表) or service_users (服务对象)"
        },
    )


class PaperBallotBody(Strict):
    code = Text(64, required=True, metadata={"description": "the short code on the paper ballot"})
    answers = fields.Dict(
        keys=fields.String(validate=FullMatch(r"^[A-Za-z0-9_]{1,40}$")),
        values=fields.String(validate=Length(1, 32)),
        required=True,
        validate=Length(max=appraisal.MAX_APPRAISEES),
        metadata={
            "description": "question key -> choice as marked; a member appraisal: "
            "m_<appraisee id> -> grade, one per row"
        },
    )


class CloseBody(Strict):
    scrutineer_codes = fields.List(
        Text(64),
        load_default=list,
        validate=Length(max=9),
        metadata={"description": "k codes of the scrutineer cards (ignored: server sealing)"},
    )


class BallotsBody(Strict):
    count = Int(required=True, validate=Range(1, ballots.MAX_BATCH))
    ballot_class = enum(
        BALLOT_CLASSES,
        data_key="class",
        metadata={
            "description": "full (default) or probationary for a member review; "
            "resident (the default) for a public poll; representative for a masses_meeting"
        },
    )


class SocialItem(Strict):
    department = Text(100, required=True)
    negative = Bool(required=True)
    note = Note(assessments.MAX_NOTE)


class ExclusionItem(Strict):
    key = enum(rules.EXCLUSION_KEYS, required=True)
    note = Note(assessments.MAX_NOTE, metadata={"description": "required for the key other"})


def _count(high: int) -> Int:
    return Int(allow_none=True, validate=Range(0, high))


class AssessmentBody(Strict):
    organisation_grade = enum(rules.GRADES, allow_none=True)
    score = _count(100)
    social = fields.List(
        fields.Nested(SocialItem), allow_none=True, validate=Length(max=assessments.MAX_ITEMS)
    )
    exclusions = fields.List(
        fields.Nested(ExclusionItem), allow_none=True, validate=Length(max=assessments.MAX_ITEMS)
    )
    volunteers = _count(1_000_000)
    serving_members = _count(1_000_000)
    volunteer_activities = _count(1_000_000)
    stars = _count(10)
    named_stars = fields.List(enum(rules.STAR_NAMES), allow_none=True)
    facts = fields.Dict(
        keys=fields.String(),
        allow_none=True,
        metadata={
            "description": "further facts by name (survey/rules/facts.toml): whole numbers, "
            "true/false, dates (YYYY-MM-DD) or text, e.g. public_notice_held, "
            "weak_override_reason; checked by the service, a bad one refused naming it"
        },
    )


class VerificationBody(Strict):
    result = enum(VERIFICATION_RESULTS, required=True)
    note = Text(complaints.MAX_NOTE, required=True)


class FinalGradeBody(Strict):
    grade = enum(appraisal.GRADES, required=True)
    # needed where the grade differs from the vote's suggestion or is 基本合格/不合格
    reason = Text(appraisal.MAX_REASON, load_default="")


class Query(ma.Schema):
    """Query strings: numbers arrive as text; parameters the API does not know are ignored."""

    class Meta:
        unknown = ma.EXCLUDE


def query_id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=Range(1, MAX_ID), **kwargs)


class PublicResponsesQuery(Query):
    campaign_id = query_id(required=True, metadata={"description": "a closed public poll"})
    choice = enum(
        [complaints.COMPLAINT],
        load_default=complaints.COMPLAINT,
        metadata={"description": "only complaints are listed (and verified)"},
    )


class RatingQuery(Query):
    year = fields.Integer(required=True, validate=Range(FIRST_YEAR, LAST_YEAR))
    scheme = enum(rules.SCHEMES, metadata={"description": "default: the committee's own"})


class RatingsQuery(RatingQuery):
    committee_id = query_id(required=True)


# Documented request examples (tests/test_api_contract.py sends each, ids replaced).
EXAMPLES = {
    "OrganisationBody": {
        "name": "第三党支部",
        "kind": "branch",
        "parent_id": 1,
        "domain": "community",
        "founded_on": "2020-07-01",
        "public_facing": True,
        "weak": False,
        "service_area": {"lat": 40.84, "lon": 111.75, "radius_m": 1500},
    },
    "CampaignBody": {
        "organisation_id": 2,
        "year": 2026,
        "kind": "public_satisfaction",
        "title": "2026年度群众满意度测评",
        "geofence": "flag",
        "questions": [{"key": "service", "prompt": "为民服务"}],
    },
    "BallotsBody": {"count": 30, "class": "resident"},
    "PaperBallotBody": {"code": "7KD2-QX9M", "answers": {"overall": "excellent"}},
    "AssessmentBody": {
        "organisation_grade": "excellent",
        "score": 92,
        "social": [{"department": "街道办", "negative": False, "note": ""}],
        "exclusions": [{"key": "other", "note": "书面说明"}],
        "volunteers": 20,
        "serving_members": 25,
        "volunteer_activities": 4,
        "stars": 8,
        "named_stars": ["strong_leadership"],
    },
    "VerificationBody": {"result": "verified", "note": "经查证属实"},
    "FinalGradeBody": {"grade": "competent", "reason": "支部委员会研究确定"},
}
