"""Staff pages: the signed-in home with the campaigns each account may see."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from survey import access
from survey.extensions import db
from survey.views.guards import staff_required

bp = Blueprint("staff", __name__)


@bp.get("/")
@staff_required()
def home():
    query = access.visible_campaigns(db.session, current_user)
    return render_template("staff/home.html", campaigns=db.session.scalars(query).all())
