"""/api/v1/campaigns: create, ballots, open, close, tally, export.

A campaign's life (create, cards, open, close) is run by the role its kind names
(``access.run_campaign_action``): a reviewer runs public polls, never a branch's member
review -- exactly as on the pages (survey/views/guards.py ``campaign_to_run``).
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_babel import get_locale

from survey import appraisal, campaigns
from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.api.util import actor, body, load_organisation, refusals, to_run, with_campaign
from survey.ballotbox import ballots
from survey.core import codes, links
from survey.core.errors import NotFound
from survey.core.extensions import db
from survey.core.scales import MEMBER_APPRAISAL
from survey.core.transactions import transactional
from survey.files import exports, names
from survey.files.export_words import lang_of
from survey.models import Campaign
from survey.staff import access
from survey.staff.access import Action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Optional: the first contract's close had no body (survey/api/openapi.py registers it).
CLOSE_BODY = {
    "required": False,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CloseBody"}}},
}


def campaign_json(campaign: Campaign) -> dict:
    data = {
        "id": campaign.id,
        "organisation_id": campaign.organisation_id,
        "kind": campaign.kind,
        "year": campaign.year,
        "title": campaign.title,
        "status": campaign.status,
        "geofence": campaign.geofence,
        "eligible_full": campaign.eligible_full,
        "eligible_probationary": campaign.eligible_probationary,
        "questions": [{"key": q.key, "prompt": q.prompt} for q in campaign.questions],
        "sealing": campaign.sealing,
    }
    if campaign.scrutineers_n:
        data["scrutineers"] = {"k": campaign.scrutineers_k, "n": campaign.scrutineers_n}
    if campaign.kind == MEMBER_APPRAISAL:
        data["all_rows_required"] = campaign.all_rows_required
        data["excellent_cap_percent"] = campaign.top_grade_cap_percent
    if campaign.representatives:
        data["representatives"] = campaign.representatives
    if campaign.slug:
        data["public_url"] = links.external_url("poll.poll", slug=campaign.slug)
    return data


@bp.route("/campaigns", methods=["POST"])
@refusals(400, 403, 404, 413)
@bp.response(201, answers.Campaign)
@body(schemas.CampaignBody)
@transactional
def create_campaign(data: dict):
    """Create a campaign (draft) for a branch

    A member review is created by its branch's secretary (or an admin); a public poll by
    the secretary or a reviewer above the branch; so is a `masses_meeting`: 群众代表 (or
    教师代表, 服务对象: `representatives`) invited to the 述职评议 meeting, voting with
    one-time cards (class `representative`) on the satisfaction scale in the same sealed box
    as a member review, counted in the rating as 群众评判 (its channel `meeting`).
    """
    organisation = load_organisation(data["organisation_id"])
    access.require(g.api_user, access.run_campaign_action(data["kind"]))
    campaign = campaigns.create_campaign(
        db.session,
        actor(),
        organisation,
        kind=data["kind"],
        year=data["year"],
        title=data["title"],
        geofence=data["geofence"],
        eligible_full=data.get("eligible_full"),
        eligible_probationary=data.get("eligible_probationary"),
        extra_questions=[(q["key"], q["prompt"]) for q in data["questions"]],
        all_rows_required=data["all_rows_required"],
        top_grade_cap_percent=data.get("excellent_cap_percent"),
        sealing=data.get("sealing"),
        scrutineers_k=data.get("scrutineers", {}).get("k"),
        scrutineers_n=data.get("scrutineers", {}).get("n"),
        representatives=data.get("representatives"),
    )
    return campaign_json(campaign), 201


@bp.route("/campaigns/<int:campaign_id>")
@refusals(404)
@bp.response(200, answers.Campaign)
@with_campaign()
def get_campaign(campaign: Campaign):
    """A campaign in the token's scope"""
    return campaign_json(campaign)


@bp.route("/campaigns/<int:campaign_id>/ballots", methods=["POST"])
@refusals(400, 403, 404, 409, 413)
@bp.response(201, answers.Ballots)
@with_campaign(to_run)
@body(schemas.BallotsBody)
@transactional
def generate_ballots(data: dict, campaign: Campaign):
    """Generate one-time ballots (draft or open campaigns)

    Each is a link for its QR code and a short code to type; neither is stored with a vote.
    """
    default_class = ballots.classes_of(campaign.kind)[0]
    issued = ballots.generate_ballots(
        db.session, actor(), campaign, data["count"], data.get("ballot_class", default_class)
    )
    items = [
        {
            "url": links.ballot_url(b.id),
            "code": codes.display(b.code),
            "ballot_class": b.ballot_class,
        }
        for b in issued
    ]
    return {"ballots": items}, 201


@bp.route("/campaigns/<int:campaign_id>/open", methods=["POST"])
@refusals(403, 404, 409)
@bp.response(200, answers.Transition)
@with_campaign(to_run)
@transactional
def open_campaign(campaign: Campaign):
    """Open voting (a draft only)

    A campaign sealed by its scrutineers whose cards were not printed gets its key pair now:
    the n cards' codes are in ``scrutineer_cards``, shown this once and never stored.
    """
    cards = campaigns.open_campaign(db.session, actor(), campaign)
    answer = {"id": campaign.id, "status": campaign.status}
    if cards:
        answer["scrutineer_cards"] = [{"holder": c.holder, "code": c.code} for c in cards]
    return answer


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@refusals(400, 403, 404, 409, 413)
@bp.response(200, answers.Transition)
@bp.doc(requestBody=CLOSE_BODY)
@with_campaign(to_run)
@transactional
def close_campaign(campaign: Campaign):
    """Close voting and seal the result (an open campaign only)

    A campaign sealed by its scrutineers needs k codes of its cards in ``scrutineer_codes``:
    with fewer good ones it answers 409 ``scrutineers_needed`` and stays open.
    """
    data = _close_body()
    campaigns.close_campaign(
        db.session,
        actor(),
        campaign,
        current_app.config["SMALL_GROUP_THRESHOLD"],
        scrutineer_codes=data.get("scrutineer_codes"),
    )
    return {"id": campaign.id, "status": campaign.status, "sha256": campaign.snapshot_sha256}


def _close_body() -> dict:
    """The close's optional body: the first contract's close had none, and still may."""
    if not request.get_data(cache=True):
        return {}
    return bp.ARGUMENTS_PARSER.parse(schemas.CloseBody, request, location="json")


@bp.route("/campaigns/<int:campaign_id>/tally")
@refusals(403, 404)
@bp.response(200, answers.Tally)
@with_campaign(Action.READ_RESULTS)
def tally(campaign: Campaign):
    """Turnout, and the counts once closed (small-group rule applies); a member appraisal's
    counts are per member (``appraisees``), for its branch's secretary and reviewers only"""
    access.require_results(g.api_user, campaign)
    result = campaigns.tally(
        db.session, campaign, small_group=current_app.config["SMALL_GROUP_THRESHOLD"]
    )
    if "appraisees" in result:
        rows = appraisal.with_final_grades(db.session, campaign, result["appraisees"])
        result = dict(result, appraisees=rows)
    return result


@bp.route("/campaigns/<int:campaign_id>/appraisees/<int:appraisee_id>/final-grade", methods=["PUT"])
@refusals(400, 403, 404, 409, 413)
@bp.response(200, answers.FinalGrade)
@with_campaign(Action.GRADE_MEMBERS)
@body(schemas.FinalGradeBody)
@transactional
def put_final_grade(data: dict, campaign: Campaign, appraisee_id: int):
    """Record a member's final grade with its reason (a closed member appraisal)

    In the audit log; refused with 409 past the campaign's cap on 优秀, as on the page.
    """
    if campaign.kind != MEMBER_APPRAISAL:
        raise NotFound("not a member appraisal")
    row = appraisal.record_final_grade(
        db.session, actor(), campaign, appraisee_id, data["grade"], data["reason"]
    )
    return appraisal.final_grade_json(row)


def _export(campaign: Campaign, fmt: str, write, mimetype: str, **options) -> Response:
    access.require_results(g.api_user, campaign)
    content = write(
        db.session,
        campaign,
        current_app.config["SMALL_GROUP_THRESHOLD"],
        lang=lang_of(get_locale()),  # ?lang=en, the cookie or Accept-Language
        timezone=current_app.config["TIMEZONE"],
        **options,
    )
    suffix = f"-{options['table']}" if "table" in options else ""
    filename = f"campaign-{campaign.id}{suffix}.{fmt}"
    more = [options["table"]] if "table" in options else []
    name = names.download_name(
        campaign.organisation.name, campaign.year, campaign.kind, fmt, lang_of(get_locale()), *more
    )
    disposition = names.attachment(name, filename)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.route("/campaigns/<int:campaign_id>/export.csv")
@refusals(403, 404, 409, 410)
@bp.response(200, {"type": "string"}, content_type="text/csv")
@with_campaign(Action.READ_RESULTS)
def export_csv(campaign: Campaign):
    """The tally as CSV (closed campaigns); ``?lang=en`` for English headers and values.
    ``?table=responses`` answers 410: a closed campaign keeps counts only, no ballot rows"""
    table = "responses" if request.args.get("table") == "responses" else "tally"
    return _export(campaign, "csv", exports.campaign_csv, "text/csv", table=table)


@bp.route("/campaigns/<int:campaign_id>/export.xlsx")
@refusals(403, 404, 409)
@bp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
@with_campaign(Action.READ_RESULTS)
def export_xlsx(campaign: Campaign):
    """The tally as a workbook, sheet 汇总 (Summary with ?lang=en): counts only"""
    return _export(campaign, "xlsx", exports.campaign_xlsx, XLSX)
