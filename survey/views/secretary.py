"""The secretary's meeting kit: campaigns, printable cards, projector, results and minutes."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forms.ballot import ballot_form_class, field_name
from forms.campaign import (
    AppraisalDraftForm,
    BallotsForm,
    CampaignForm,
    CloseForm,
    DraftForm,
    LostCardForm,
    OpenForm,
)
from survey import appraisal, campaigns
from survey.ballotbox import ballots
from survey.campaigns import meeting
from survey.core import links
from survey.core.errors import Conflict, DomainError, NoCards, NotOpen, ScrutineersNeeded
from survey.core.extensions import db
from survey.core.labels import class_label
from survey.core.scales import CARD_KINDS, MASSES_MEETING, MEETING_KINDS, MEMBER_APPRAISAL
from survey.core.timezone import local_today
from survey.core.transactions import transactional
from survey.files import roster
from survey.models import CampaignStatus
from survey.staff import access
from survey.staff.access import Action
from survey.views import scrutineers as scrutineer_views
from survey.views import tellers
from survey.views.guards import (
    campaign_or_404,
    campaign_to_run,
    organisation_or_404,
    staff_required,
    web_actor,
)

bp = Blueprint("secretary", __name__)


def sheet(campaign, issued, status: int = 200, note: str | None = None):
    cards = meeting.cards(issued, links.ballot_url)
    paper = tellers.printing(campaign)  # 打印纸质票: the paper ballots after the cards
    html = render_template(
        "staff/cards.html",
        campaign=campaign,
        cards=cards,
        note=note,
        entry_url=links.code_entry_url(),
        **paper,
    )
    return html, status


def branch_choices() -> list[SelectChoice]:
    query = access.visible_organisations(db.session, current_user, kind="branch")
    return [SelectChoice(o.id, o.name) for o in db.session.scalars(query)]


def _kinds_to_run(form) -> list[SelectChoice]:
    """The form's kinds the signed-in account may run (a reviewer: 群众代表 only); 403 if none."""
    kinds = [
        choice
        for choice in form.kind.choices
        if access.may(current_user, access.run_campaign_action(choice.value))
    ]
    if not kinds:
        abort(403)
    return kinds


def _posted_kind(form) -> str:
    """The kind the form asks for (a review when none is sent, as the old page did)."""
    kind = form.kind.data or "member_review"
    return kind if kind in access.RUN_CAMPAIGN else "member_review"


@bp.route("/new", methods=["GET", "POST"])
@staff_required()
@transactional
def new():
    form = CampaignForm()
    form.organisation_id.choices = branch_choices()
    form.kind.choices = _kinds_to_run(form)
    if form.is_submitted():  # a kind the role may not run: refused as the role table says
        access.require(current_user, access.run_campaign_action(_posted_kind(form)))
    else:
        form.year.data = local_today().year
        wanted = request.args.get("kind", "member_review")
        allowed = [choice.value for choice in form.kind.choices]
        form.kind.data = wanted if wanted in allowed else allowed[0]
        _roll_prefill(form)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("staff/campaign_new.html", form=form), status
    access.require(current_user, access.run_campaign_action(form.kind.data))
    branch = organisation_or_404(form.organisation_id.data)
    problem = _roll_problem(branch) if form.kind.data == MEMBER_APPRAISAL else None
    if problem:
        form.organisation_id.errors = [problem]
        return render_template("staff/campaign_new.html", form=form), 400
    existing = campaigns.same_year(db.session, branch, form.kind.data, form.year.data)
    if existing and not form.second.data:
        html = render_template("staff/campaign_new.html", form=form, existing=existing)
        return html, 409
    campaign = _create(form, branch)
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


def _roll_problem(branch) -> str | None:
    """Why this branch's roll cannot make a member appraisal, in words; None if it can."""
    members = sum(roster.roll_counts(db.session, branch.id))
    if not members:
        return _("This branch has no member roll yet: import it first.")
    if members > appraisal.MAX_APPRAISEES:
        return _(
            "An appraisal takes at most %(most)s members; this branch's roll has %(count)s.",
            most=appraisal.MAX_APPRAISEES,
            count=members,
        )
    return None


def _create(form, branch):
    is_appraisal = form.kind.data == MEMBER_APPRAISAL
    if form.kind.data == MASSES_MEETING:  # no member roll, no members' indicator items
        return campaigns.create_campaign(
            db.session,
            web_actor(),
            branch,
            kind=MASSES_MEETING,
            year=form.year.data,
            title=form.title.data.strip(),
            sealing=form.sealing.data or "scrutineers",
            representatives=form.representatives.data or "masses",
        )
    return campaigns.create_campaign(
        db.session,
        web_actor(),
        branch,
        kind=form.kind.data,
        year=form.year.data,
        title=form.title.data.strip(),
        eligible_full=form.eligible_full.data,
        eligible_probationary=form.eligible_probationary.data,
        extra_questions=[]
        if is_appraisal
        else meeting.indicator_questions(form.indicators.data or []),
        all_rows_required=form.all_rows_required.data,
        top_grade_cap_percent=form.excellent_cap.data if is_appraisal else None,
        sealing=form.sealing.data or "scrutineers",
    )


def _roll_prefill(form) -> None:
    """应到正式/预备 from the first branch's imported member roll, when it has one."""
    if form.organisation_id.choices:
        roll = roster.roll_counts(db.session, form.organisation_id.choices[0].value)
        if any(roll):
            form.eligible_full.data, form.eligible_probationary.data = roll


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@staff_required()
@transactional
def edit(campaign_id: int):
    """A draft's title, roll and indicator items (once open the ballot is fixed)."""
    campaign = campaign_to_run(campaign_id)
    if campaign.kind not in MEETING_KINDS:
        abort(404)  # a poll's questions are set when it is made
    if campaign.status != CampaignStatus.DRAFT:
        return _campaign_page(campaign, status=409, problem="not_draft")
    form = _draft_form(campaign)
    valid = form.validate_on_submit()
    if valid and getattr(form, "reread_roll", None) and form.reread_roll.data:
        problem = _roll_problem(campaign.organisation)
        form.reread_roll.errors = [problem] if problem else []
        valid = not problem
    if not valid:
        html = render_template("staff/campaign_edit.html", campaign=campaign, form=form)
        return html, 400 if _posted() else 200
    campaigns.update_draft(
        db.session,
        web_actor(),
        campaign,
        title=form.title.data,
        eligible_full=form.eligible_full.data,
        eligible_probationary=form.eligible_probationary.data,
        **_draft_changes(campaign, form),
    )
    flash(_("Changes saved."))
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


def _draft_form(campaign):
    if campaign.kind == MEMBER_APPRAISAL:
        form = AppraisalDraftForm(obj=None if _posted() else campaign)
        if not _posted():
            form.excellent_cap.data = campaign.top_grade_cap_percent
        return form
    form = DraftForm(obj=None if _posted() else campaign)
    if not _posted():
        form.indicators.data = [q.key for q in campaign.questions[1:]]
    return form


def _draft_changes(campaign, form) -> dict:
    if campaign.kind == MEMBER_APPRAISAL:
        return {
            "all_rows_required": form.all_rows_required.data,
            "top_grade_cap_percent": form.excellent_cap.data,
            "reread_roll": form.reread_roll.data,
        }
    return {"extra_questions": meeting.indicator_questions(form.indicators.data or [])}


def _posted() -> bool:
    return request.method == "POST"


@bp.get("/<int:campaign_id>/preview")
@staff_required()
def preview(campaign_id: int):
    """The ballot as a member sees it, read-only: no token, no form to send."""
    campaign = campaign_to_run(campaign_id)
    if campaign.kind == MEMBER_APPRAISAL:
        rows = appraisal.ballot_rows(db.session, campaign)
        return render_template(
            "staff/preview.html", campaign=campaign, rows=rows, grades=appraisal.GRADES
        )
    form = ballot_form_class(campaign)(formdata=None)
    fields = [(q, getattr(form, field_name(q))) for q in campaign.questions]
    return render_template("staff/preview.html", campaign=campaign, form=form, fields=fields)


def _ballots_form(campaign, posted: bool = True) -> BallotsForm:
    """The form for more cards, offering the classes this campaign's kind issues."""
    form = BallotsForm() if posted else BallotsForm(formdata=None)
    if campaign.kind == MASSES_MEETING:
        classes = ballots.classes_of(campaign.kind)
        form.ballot_class.choices = [SelectChoice(c, class_label(c)) for c in classes]
    return form


def _campaign_page(campaign, ballots_form=None, lost_form=None, status=200, problem=None):
    """The campaign page; ``problem`` names a refusal shown on it (not a bare error page)."""
    return render_template(
        "staff/campaign.html",
        campaign=campaign,
        turnout=meeting.turnout(db.session, campaign),
        ballots_form=ballots_form or _ballots_form(campaign, posted=False),
        lost_form=lost_form or LostCardForm(formdata=None),
        problem=problem,
        partner=meeting.partner(db.session, campaign) if campaign.status != "closed" else None,
    ), status


@bp.get("/<int:campaign_id>")
@staff_required()
def show(campaign_id: int):
    return _campaign_page(campaign_to_run(campaign_id))


@bp.post("/<int:campaign_id>/ballots")
@staff_required()
@transactional
def generate(campaign_id: int):
    campaign = campaign_to_run(campaign_id)
    form = _ballots_form(campaign)
    if not form.validate():
        return _campaign_page(campaign, ballots_form=form, status=400)
    issued = ballots.generate_ballots(
        db.session, web_actor(), campaign, form.count.data, form.ballot_class.data
    )
    if campaign.status == "draft":
        flash(_("%(n)d cards generated.", n=len(issued)))
        return redirect(url_for(".show", campaign_id=campaign.id), code=303)
    # Voting is open: these cards are printed now, from this answer, and never re-listed.
    return sheet(campaign, issued, 201, _("Print these new cards now: they are not listed again."))


@bp.get("/<int:campaign_id>/cards")
@staff_required()
def cards(campaign_id: int):
    campaign = campaign_to_run(campaign_id)
    try:
        issued = meeting.printable_ballots(db.session, campaign)
    except Conflict:
        return render_template("staff/cards_unavailable.html", campaign=campaign), 409
    return sheet(campaign, issued)


@bp.post("/<int:campaign_id>/lost")
@staff_required()
@transactional
def lost(campaign_id: int):
    campaign = campaign_to_run(campaign_id)
    form = LostCardForm()
    if not form.validate():
        return _campaign_page(campaign, lost_form=form, status=400)
    try:
        replaced = meeting.replace_lost_card(db.session, web_actor(), campaign, form.code.data)
    except DomainError as refusal:
        # Back on the campaign page with the reason, never on the members' error page.
        form.code.errors = [_lost_card_reason(refusal)]
        return _campaign_page(campaign, lost_form=form, status=refusal.status)
    if len(replaced) == 2:  # a card carrying both ballots: the review's first, as printed
        one, two = sorted(replaced, key=lambda b: b.campaign.kind != "member_review")
        card = meeting.paired_card(one, two, two.campaign.title, links.paired_ballot_url)
        note = _("Both ballots of the lost card are void. Print its replacement.")
        html = render_template(
            "staff/cards.html",
            campaign=one.campaign,
            cards=[card],
            note=note,
            entry_url=links.code_entry_url(),
        )
        return html, 201
    note = _("The lost card is void. Print its replacement.")
    if meeting.meeting_partners(db.session, campaign):
        note += " " + _(
            "If the lost card also carried a ballot of the meeting's other campaign, void it "
            "too: type both codes as printed (7KD2-QX9M / P3RT-8WHN)."
        )
    return sheet(campaign, replaced, 201, note)


def _lost_card_reason(refusal: DomainError) -> str:
    if refusal.status == 404:
        return _("No card of this campaign has that code. Check the code on the card.")
    if refusal.status == 400:
        return _("That is not a short code: it has 8 letters and digits, e.g. 7KD2-QX9M.")
    return _("That card cannot be replaced: it has been used or voided already.")


@bp.route("/<int:campaign_id>/open", methods=["GET", "POST"])
@staff_required()
@transactional
def open_(campaign_id: int):
    """Opening asks first whether the cards are printed (a form: it works without JS)."""
    campaign = campaign_to_run(campaign_id)
    form = OpenForm()
    asked = form.validate_on_submit() and form.printed.data
    if campaign.status == CampaignStatus.DRAFT and not asked:
        return _open_page(campaign, form, 400 if _posted() else 200)
    try:
        cards = campaigns.open_campaign(db.session, web_actor(), campaign)
    except NoCards:
        return _campaign_page(campaign, status=409, problem="no_cards")
    if cards:  # the key pair was made now: its cards are shown this once
        note = _("Voting is open. Print the scrutineer cards now: they are not shown again.")
        return scrutineer_views.sheet(campaign, cards, 200, note)
    return redirect(url_for(".show", campaign_id=campaign.id), code=303)


def _open_page(campaign, form, status: int):
    return render_template(
        "staff/open.html",
        campaign=campaign,
        form=form,
        turnout=meeting.turnout(db.session, campaign),
        partner=meeting.partner(db.session, campaign),
    ), status


@bp.route("/<int:campaign_id>/close", methods=["GET", "POST"])
@staff_required()
@transactional
def close(campaign_id: int):
    """Closing is irreversible: it is done only from the confirmation page's form."""
    campaign = campaign_to_run(campaign_id)
    form = CloseForm()
    if campaign.status != CampaignStatus.OPEN or not (
        form.validate_on_submit() and form.confirm.data
    ):
        if campaign.status == CampaignStatus.CLOSED:
            return redirect(url_for(".show", campaign_id=campaign.id), code=303)
        if campaign.status == CampaignStatus.DRAFT:
            return _campaign_page(campaign, status=409, problem="not_open")
        return scrutineer_views.close_page(campaign, form)
    small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
    typed = request.form.getlist("scrutineer_code")
    try:
        campaigns.close_campaign(db.session, web_actor(), campaign, small_group, typed)
    except ScrutineersNeeded as refusal:
        return scrutineer_views.close_page(campaign, form, typed, refusal), 409
    return redirect(url_for(".results", campaign_id=campaign.id), code=303)


@bp.get("/<int:campaign_id>/projector")
@staff_required()
def projector(campaign_id: int):
    campaign = campaign_to_run(campaign_id)
    return render_template(
        "staff/projector.html", campaign=campaign, turnout=meeting.turnout(db.session, campaign)
    )


@bp.get("/<int:campaign_id>/turnout.json")
@staff_required()
def turnout(campaign_id: int):
    response = jsonify(meeting.turnout(db.session, campaign_to_run(campaign_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _closed_with_results(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if campaign.kind == MEMBER_APPRAISAL:  # its results name members: their own page
        abort(redirect(url_for("appraisal.results", campaign_id=campaign.id), code=303))
    if campaign.kind not in CARD_KINDS:  # a poll: no roll, no cards, no minutes: its own page
        abort(redirect(url_for("poll_staff.results", campaign_id=campaign.id), code=303))
    if campaign.status != "closed" or campaign.snapshot is None:
        raise NotOpen("results are shown once the campaign is closed", status=campaign.status)
    return campaign, meeting.reading(campaign.snapshot)


@bp.get("/<int:campaign_id>/results")
@staff_required(Action.READ_RESULTS)
def results(campaign_id: int):
    campaign, reading = _closed_with_results(campaign_id)
    return render_template("staff/results.html", campaign=campaign, reading=reading)
