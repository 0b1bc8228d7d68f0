"""/api/v1/campaigns/{id}/paper-ballots: a teller enters one paper ballot (纸质票).

The card is spent exactly as a phone cast spends it (survey/campaigns/paper.py): a used or
void card answers 409, an unknown code 404, a campaign not open 403 (as for a phone), bad
marks 400 naming the field. The refusal rolls the whole request back: nothing is spent.
"""

from __future__ import annotations

from survey.api import answers, schemas
from survey.api.blueprint import bp
from survey.api.util import body, refusals, with_campaign
from survey.campaigns import paper
from survey.core import codes
from survey.core.extensions import db
from survey.core.transactions import transactional
from survey.models import Campaign
from survey.staff.access import Action


@bp.route("/campaigns/<int:campaign_id>/paper-ballots", methods=["POST"])
@refusals(400, 403, 404, 409, 413)
@bp.response(201, answers.PaperReceipt)
@with_campaign(Action.ENTER_PAPER_BALLOTS)
@body(schemas.PaperBallotBody)
@transactional
def enter_paper_ballot(data: dict, campaign: Campaign):
    """Enter one paper ballot (an open campaign only)

    The card with ``code`` is spent as a phone cast spends it -- once, across both channels --
    and its marks are sealed like a phone's vote; the tally counts it among ``paper``.
    """
    receipt = paper.enter_paper_ballot(db.session, campaign, data["code"], data["answers"])
    return {"receipt": codes.display(receipt, 5)}, 201
