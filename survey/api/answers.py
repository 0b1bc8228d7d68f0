"""What each answer carries: the schemas an answer is dumped through and documented by.

A key missing here is dropped from the answer, so each schema lists every key its service
returns (tests/test_api_contract.py checks the answers against the document).
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from survey import rules
from survey.api.schemas import ServiceArea, enum
from survey.core.scales import CAMPAIGN_KINDS
from survey.models import CampaignStatus
from survey.models.organisation import ORGANISATION_KINDS
from survey.models.poll import VERIFICATION_RESULTS
from survey.polls.answers import GEO_VALUES
from survey.rules.results import OUTCOMES, VERDICTS

Counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class ErrorDetail(ma.Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    field = fields.String(metadata={"description": "the first bad field, as a dotted path"})


class Error(ma.Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Organisation(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = enum(ORGANISATION_KINDS, required=True)
    parent_id = fields.Integer(allow_none=True)
    domain = enum(rules.DOMAINS, allow_none=True)
    founded_on = fields.Date(allow_none=True)
    public_facing = fields.Boolean()
    weak = fields.Boolean()
    service_area = fields.Nested(ServiceArea, allow_none=True)
    scheme = fields.String(allow_none=True)


class Question(ma.Schema):
    key = fields.String(required=True)
    prompt = fields.String(required=True)


class Campaign(ma.Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    kind = enum(CAMPAIGN_KINDS, required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    status = enum(CampaignStatus, required=True)
    geofence = fields.String(required=True)
    eligible_full = fields.Integer(allow_none=True)
    eligible_probationary = fields.Integer(allow_none=True)
    questions = fields.List(fields.Nested(Question), required=True)
    public_url = fields.String(metadata={"description": "public polls: the page for posters"})
    all_rows_required = fields.Boolean(metadata={"description": "member_appraisal only"})
    excellent_cap_percent = fields.Integer(
        allow_none=True, metadata={"description": "member_appraisal only: cap on 优秀, or null"}
    )
    sealing = fields.String(metadata={"description": "scrutineers or server"})
    scrutineers = fields.Dict(metadata={"description": "{k, n} when the scrutineers hold it"})
    representatives = fields.String(
        metadata={
            "description": "masses_meeting only: masses (群众代表), teachers (教师代表) or "
            "service_users (服务对象), invited to the 述职评议 meeting; their cards are "
            "counted as 群众评判 (channel `meeting` of the rating's public criterion)"
        }
    )


class Ballot(ma.Schema):
    url = fields.String(required=True, metadata={"description": "the one-time link (QR code)"})
    code = fields.String(required=True, metadata={"example": "7K3M-Q9XA"})
    ballot_class = fields.String(required=True, data_key="class")


class PaperReceipt(ma.Schema):
    receipt = fields.String(
        required=True,
        metadata={"description": "the entered ballot's receipt", "example": "K3M9Q-A7XR2"},
    )


class Ballots(ma.Schema):
    ballots = fields.List(fields.Nested(Ballot), required=True)


class ScrutineerCard(ma.Schema):
    holder = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "shown once, never stored"})


class Transition(ma.Schema):
    id = fields.Integer(required=True)
    status = enum(CampaignStatus, required=True)
    sha256 = fields.String(metadata={"description": "close: the sealed snapshot's digest"})
    scrutineer_cards = fields.List(
        fields.Nested(ScrutineerCard),
        metadata={"description": "open: the n scrutineer cards when the key pair was made now"},
    )


class QuestionCounts(Question):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "null under the small-group rule"},
    )


class Geo(ma.Schema):
    inside, outside, unknown, code = (fields.Integer() for _ in range(4))


class AppraiseeCounts(ma.Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"example": "m_12"})
    name = fields.String(required=True)
    member_class = fields.String(required=True)
    answered = fields.Integer(allow_none=True, metadata={"description": "null: small group"})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "null under the small-group rule"},
    )
    final_grade = fields.String(allow_none=True, metadata={"description": "once recorded"})
    final_reason = fields.String(allow_none=True)


class FinalGrade(ma.Schema):
    """A member's final grade as the committee recorded it (民主评议党员)."""

    id = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"example": "m_12"})
    name = fields.String(required=True)
    member_class = fields.String(required=True)
    final_grade = fields.String(allow_none=True)
    final_reason = fields.String(allow_none=True)


class Tally(ma.Schema):
    """Turnout always; counts only once closed."""

    id = fields.Integer(required=True)
    status = enum(CampaignStatus, required=True)
    kind = enum(CAMPAIGN_KINDS)
    year = fields.Integer()
    organisation_id = fields.Integer()
    issued, cast, void, responses = (fields.Integer(required=True) for _ in range(4))
    paper = fields.Integer(
        metadata={"description": "of the cast, how many were paper ballots entered by tellers"}
    )
    eligible_full = fields.Integer(allow_none=True)
    eligible_probationary = fields.Integer(allow_none=True)
    counts = Counts
    questions = fields.List(fields.Nested(QuestionCounts))
    by_class = fields.Dict(keys=fields.String(), values=Counts)
    dissatisfied_raw = fields.Integer()
    dissatisfied_verified = fields.Integer()
    unfounded = fields.Integer()
    unchecked = fields.Integer()
    geo = fields.Nested(Geo)
    appraisees = fields.List(
        fields.Nested(AppraiseeCounts),
        metadata={"description": "member_appraisal only: one row per member appraised"},
    )


assert set(Geo._declared_fields) == {*GEO_VALUES, "code"}


class Verification(ma.Schema):
    result = enum(VERIFICATION_RESULTS, required=True)
    note = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.String(required=True, metadata={"format": "date-time"})


class PublicResponse(ma.Schema):
    id = fields.String(required=True)
    choice = fields.String(required=True)
    reason = fields.String(allow_none=True)
    verification = fields.Nested(Verification, allow_none=True)


class PublicResponses(ma.Schema):
    items = fields.List(fields.Nested(PublicResponse), required=True)


class SocialEntry(ma.Schema):
    department = fields.String()
    negative = fields.Boolean()
    note = fields.String()


class ExclusionEntry(ma.Schema):
    key = enum(rules.EXCLUSION_KEYS)
    note = fields.String()


class Assessment(ma.Schema):
    organisation_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    organisation_grade = enum(rules.GRADES, allow_none=True)
    score = fields.Integer(allow_none=True)
    social = fields.List(fields.Nested(SocialEntry))
    exclusions = fields.List(fields.Nested(ExclusionEntry))
    volunteers = fields.Integer(allow_none=True)
    serving_members = fields.Integer(allow_none=True)
    volunteer_activities = fields.Integer(allow_none=True)
    stars = fields.Integer(allow_none=True)
    named_stars = fields.List(fields.String())
    entered_by = fields.String()


class Criterion(ma.Schema):
    key = fields.String(required=True)
    label = fields.String()
    outcome = enum(OUTCOMES, required=True)
    value = fields.Raw(allow_none=True)
    threshold = fields.Raw(allow_none=True)
    evidence = fields.Dict()
    source = fields.String(metadata={"description": "the seed file and section"})


class Rating(ma.Schema):
    verdict = enum(VERDICTS, required=True)
    scheme = fields.String(required=True)
    year = fields.Integer(required=True)
    organisation_id = fields.Integer()
    criteria = fields.List(fields.Nested(Criterion), required=True)


class BranchVerdict(ma.Schema):
    organisation_id = fields.Integer(required=True)
    name = fields.String()
    verdict = enum(VERDICTS, required=True)
    holds_title_since = fields.Integer(allow_none=True)
    rated_anew = fields.Boolean(
        metadata={"description": "a holder past its term (任期届满), rated again like any branch"}
    )


class Share(ma.Schema):
    eligible = fields.Integer()
    branches = fields.Integer()
    percent = fields.String(allow_none=True)


class Ratio(ma.Schema):
    numerator = fields.Integer()
    denominator = fields.Integer()


class UpForRevocation(ma.Schema):
    organisation_id = fields.Integer(required=True)
    title_id = fields.Integer(required=True)
    criterion = fields.String(required=True)
    source = fields.String(required=True)
    reason = fields.String(allow_none=True)


class DueForRating(ma.Schema):
    organisation_id = fields.Integer(required=True)
    title_id = fields.Integer(required=True)
    term_ended_on = fields.String(required=True, metadata={"format": "date"})
    source = fields.String(required=True)


class Phase(ma.Schema):
    count = fields.Integer(required=True)
    by = fields.String(allow_none=True)
    deadline = fields.String(required=True, metadata={"format": "date"})
    built = fields.Integer(required=True, metadata={"description": "titled branches by then"})
    met = fields.Boolean(required=True)
    source = fields.String(required=True)


class Summary(ma.Schema):
    committee_id = fields.Integer(required=True)
    scheme = fields.String(required=True)
    year = fields.Integer(required=True)
    branches = fields.List(fields.Nested(BranchVerdict), required=True)
    eligible_share = fields.Nested(Share)
    target = fields.Nested(Ratio, allow_none=True)
    target_count = fields.Integer(
        allow_none=True, metadata={"description": "a count of titled branches, not a share"}
    )
    target_by = fields.String(allow_none=True, metadata={"description": "the count's deadline"})
    target_year = fields.Integer(allow_none=True)
    target_source = fields.String(allow_none=True)
    meets_target = fields.Boolean(allow_none=True)
    recommended = fields.List(fields.Integer())
    recommendation_limit = fields.Integer(allow_none=True)
    recommendation_source = fields.String(allow_none=True)
    up_for_revocation = fields.List(
        fields.Nested(UpForRevocation),
        metadata={
            "description": "holders whose yearly re-check fails a criterion, with its clause"
        },
    )
    due_for_rating = fields.List(
        fields.Nested(DueForRating),
        metadata={"description": "holders whose branch committee's term is over"},
    )
    phases = fields.List(
        fields.Nested(Phase),
        metadata={"description": "each count target of the year on its own deadline (004 §三)"},
    )
