"""Staff pages: the signed-in home with the campaigns each account may see."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from survey import access
from survey.extensions import db
from survey.models import Campaign
from survey.views.guards import staff_required

bp = Blueprint("staff", __name__)


@bp.get("/")
@staff_required()
def home():
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if current_user.role != "admin":
        visible = access.subtree_ids(db.session, current_user.organisation_id)
        if current_user.role == "secretary":
            visible = {current_user.organisation_id}
        query = query.where(Campaign.organisation_id.in_(visible))
    return render_template("staff/home.html", campaigns=db.session.scalars(query).all())
