"""Secret, rule-aware yearly rating of Party branches (党支部评议)."""

from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; ``test_config`` overrides the environment."""
    import os

    from survey.core.config import ROOT

    app = Flask(
        __name__,
        instance_relative_config=True,
        # An installed package's default instance folder is inside the venv, which the service
        # user may not own: a deployment names its own (systemd's StateDirectory).
        instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or None,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from survey.core import config

    config.load(app, test_config)

    from survey import cli
    from survey.core import database, error_pages, i18n, labels, logs, security, timezone
    from survey.core.extensions import csrf, limiter, login_manager, skip_limiter_where_unlimited
    from survey.staff import sign_in
    from survey.views import deadlines

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from survey.core.converters import BoundedInt, YearConverter
    from survey.models.organisation import PASSWORD_HASH

    # Every <int:…> in a URL is a database id or a year: beyond 32 bits it can name nothing,
    # and would overflow the database's integer (a 500) instead of answering 404.
    app.url_map.converters["int"] = BoundedInt
    app.url_map.converters["year"] = YearConverter
    database.init_app(app)
    PASSWORD_HASH["method"] = app.config["PASSWORD_HASH_METHOD"]
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    skip_limiter_where_unlimited(app)
    i18n.init_app(app)
    labels.init_app(app)
    timezone.init_app(app)
    security.init_app(app)
    sign_in.init_app(app)
    error_pages.init_app(app)
    cli.init_app(app)
    deadlines.init_app(app)
    logs.init_app(app)
    from survey.ballotbox.keys import warn_at_start

    warn_at_start(app)

    from survey.api import bp as api_bp
    from survey.views.admin import bp as admin_bp
    from survey.views.appraisal import bp as appraisal_bp
    from survey.views.auth import bp as auth_bp
    from survey.views.files import bp as files_bp
    from survey.views.minutes import bp as minutes_bp
    from survey.views.notice import bp as notice_bp
    from survey.views.ops import bp as ops_bp
    from survey.views.poll import bp as poll_bp
    from survey.views.poll_staff import bp as poll_staff_bp
    from survey.views.public import bp as public_bp
    from survey.views.ratings import bp as ratings_bp
    from survey.views.review import bp as review_bp
    from survey.views.rolls import bp as rolls_bp
    from survey.views.schemes import bp as schemes_bp
    from survey.views.scrutineers import bp as scrutineers_bp
    from survey.views.secretary import bp as secretary_bp
    from survey.views.staff import bp as staff_bp
    from survey.views.tellers import bp as tellers_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(ratings_bp, url_prefix="/ratings")
    app.register_blueprint(schemes_bp, url_prefix="/ratings")
    app.register_blueprint(poll_bp)
    app.register_blueprint(notice_bp)
    app.register_blueprint(poll_staff_bp, url_prefix="/staff/polls")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(secretary_bp, url_prefix="/staff/campaigns")
    app.register_blueprint(minutes_bp, url_prefix="/staff/campaigns")
    app.register_blueprint(appraisal_bp, url_prefix="/staff/campaigns")
    app.register_blueprint(scrutineers_bp, url_prefix="/staff/campaigns")
    app.register_blueprint(tellers_bp, url_prefix="/staff/campaigns")
    app.register_blueprint(admin_bp, url_prefix="/staff/admin")
    app.register_blueprint(files_bp, url_prefix="/staff/files")
    app.register_blueprint(rolls_bp, url_prefix="/staff/files")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    return app
