"""Flask CLI: init-db, create-user, create-api-token, demo (DESIGN.md's contract)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from survey import audit
from survey.database import begin_write
from survey.extensions import db
from survey.models import ApiToken, Organisation, User
from survey.models.organisation import ROLES
from survey.security import new_api_token


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema to the newest migration."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("Database schema is up to date.")


@click.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org_id", type=int, help="Organisation the account is scoped to.")
@click.option("--password", help="Asked for when not given.")
def create_user(name: str, role: str, org_id: int | None, password: str | None) -> None:
    """Create a staff account."""
    begin_write(db.session)  # holds the write lock from the first read (SQLite)
    if db.session.scalar(select(User).where(User.username == name)):
        raise click.ClickException(f"a user named {name!r} exists already")
    if role != "admin":
        if org_id is None:
            raise click.ClickException(f"a {role} needs --org")
        if db.session.get(Organisation, org_id) is None:
            raise click.ClickException(f"no organisation with id {org_id}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = User(username=name, role=role, organisation_id=org_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(db.session, "cli", "user.create", user, role=role, organisation_id=org_id)
    db.session.commit()
    click.echo(f"Created {role} {name} (id {user.id}).")


@click.command("create-api-token")
@click.argument("name")
def create_api_token(name: str) -> None:
    """Create an API token for user NAME; the token is printed once, as the last line."""
    begin_write(db.session)
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    token, digest = new_api_token()
    db.session.add(ApiToken(user=user, token_hash=digest))
    audit.record(db.session, "cli", "api_token.create", user)
    db.session.commit()
    click.echo(f"API token for {name} (shown once, store it now):")
    click.echo(token)


@click.command("demo")
@click.option("--base-url", default=None, help="Base of the printed ballot links.")
def demo(base_url: str | None) -> None:
    """Load a demo committee with branches, campaigns and votes (once)."""
    from survey.demo import load_demo

    for line in load_demo(db.session, base_url):
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (init_db, create_user, create_api_token, demo):
        app.cli.add_command(command)
