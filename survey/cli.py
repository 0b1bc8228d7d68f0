"""Flask CLI: init-db, create-user, create-api-token, demo, audit, close (docs/design.md's
contract)."""

from __future__ import annotations

from contextlib import contextmanager

import click
from flask import Flask

from survey.core.converters import MAX_ID
from survey.core.errors import DomainError, NotFound
from survey.core.extensions import db
from survey.core.security import has_surrogate
from survey.core.transactions import run_in_transaction
from survey.models import Organisation
from survey.staff import access, accounts, tokens

CLI_ACTOR = "cli"


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema to the newest migration."""
    from survey.ballotbox.keys import retired_key_warnings
    from survey.core.database import upgrade

    upgrade()
    click.echo("Database schema is up to date.")
    for warning in retired_key_warnings(db.session):
        click.echo(f"WARNING: {warning}", err=True)


@click.command("audit")
@click.argument("campaign_id", type=int)
def audit_command(campaign_id: int) -> None:
    """Recount CAMPAIGN_ID and check it against its seal; exit 1 on any mismatch."""
    from survey.campaigns.recount import audit_campaign
    from survey.models import Campaign

    campaign = db.session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
    if campaign is None:
        raise click.ClickException(f"no campaign with id {campaign_id}")
    click.echo(f"Campaign {campaign.id} ({campaign.status}): {campaign.title}")
    checks = audit_campaign(db.session, campaign)
    for check in checks:
        click.echo(f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@click.command("close")
@click.argument("campaign_id", type=int)
@click.option("--code", "codes", multiple=True, help="A scrutineer card's code (k of them).")
def close_command(campaign_id: int, codes: tuple[str, ...]) -> None:
    """Close CAMPAIGN_ID: open its ballot box, count and seal the result. A campaign sealed
    by its scrutineers needs k of their cards' codes (--code ... --code ...)."""
    from flask import current_app

    from survey import campaigns
    from survey.models import Campaign

    def work():
        campaign = db.session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_ID else None
        if campaign is None:
            raise NotFound(f"no campaign with id {campaign_id}")
        small_group = current_app.config["SMALL_GROUP_THRESHOLD"]
        campaigns.close_campaign(
            db.session, CLI_ACTOR, campaign, small_group, scrutineer_codes=list(codes)
        )
        return campaign.id, campaign.snapshot_sha256

    with refusals_as_click_errors():
        closed, digest = run_in_transaction(db.session, work)
    click.echo(f"Campaign {closed} closed; sealed result SHA-256 {digest}")


def _text(_ctx, param, value):
    """Command-line text as the database stores it: bytes that are not UTF-8 arrive as lone
    surrogates (Python's surrogateescape), which no database driver can encode."""
    if isinstance(value, str) and has_surrogate(value):
        raise click.BadParameter("not valid UTF-8 text", param=param)
    return value


@click.command("create-user")
@click.argument("name", callback=_text)
@click.option("--role", type=click.Choice(access.ROLES), required=True)
@click.option("--org", "org_id", type=int, help="Organisation the account is scoped to.")
@click.option("--password", callback=_text, help="Asked for when not given.")
def create_user(name: str, role: str, org_id: int | None, password: str | None) -> None:
    """Create a staff account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with refusals_as_click_errors():
        user = run_in_transaction(
            db.session,
            lambda: accounts.create_user(
                db.session,
                CLI_ACTOR,
                username=name,
                role=role,
                organisation=_organisation(org_id),
                password=password,
            ),
        )
    click.echo(f"Created {role} {name} (id {user.id}).")
    _tell_about_the_three(role)


def _tell_about_the_three(role: str) -> None:
    """三员分立: after an administrator is made, say which of the three are still missing
    (the first one creates the others on the Accounts page) and warn of a legacy admin."""
    if role == access.ADMIN:
        click.echo(
            "WARNING: 请分设三员 -- role admin is the system and the security administrator at "
            "once; create the three separate administrators (sysadmin, secadmin, auditor) "
            "and have the secadmin split this account.",
            err=True,
        )
    if role not in (*access.ADMIN_ROLES, access.ADMIN):
        return
    missing = [r for r in access.ADMIN_ROLES if r in access.missing_admin_roles(db.session)]
    if missing:
        click.echo(
            f"Next: create the other administrators ({', '.join(missing)}), one account "
            "each: sign in with this account and use the Accounts page, or run "
            f"create-user NAME --role {missing[0]}."
        )


def _organisation(org_id: int | None) -> Organisation | None:
    if org_id is None:
        return None
    organisation = db.session.get(Organisation, org_id) if 0 < org_id <= MAX_ID else None
    if organisation is None:
        raise NotFound(f"no organisation with id {org_id}")
    return organisation


@click.command("create-api-token")
@click.argument("name", callback=_text)
@click.option(
    "--days",
    type=int,
    default=tokens.DEFAULT_DAYS,
    show_default=True,
    help="Days until the token stops working.",
)
@click.option("--read-only", is_flag=True, help="The token may only read (GET).")
@click.option(
    "--label", default="", callback=_text, help="What the token is for, shown on the tokens page."
)
def create_api_token(name: str, days: int, read_only: bool, label: str) -> None:
    """Create an API token for user NAME; the token is printed once, as the last line."""

    def work():
        return tokens.create(
            db.session, CLI_ACTOR, username=name, name=label, days=days, read_only=read_only
        )

    with refusals_as_click_errors():
        token = run_in_transaction(db.session, work)
    scope = "read-only, " if read_only else ""
    click.echo(f"API token for {name} ({scope}{days} days; shown once, store it now):")
    click.echo(token)


@contextmanager
def refusals_as_click_errors():
    """A domain refusal is printed as one line and a non-zero exit, never a traceback."""
    try:
        yield
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


@click.command("demo")
@click.option("--base-url", default=None, help="Base of the printed ballot links.")
def demo(base_url: str | None) -> None:
    """Load a demo committee with branches, campaigns and votes (once)."""
    from survey.demo import load_demo

    for line in run_in_transaction(db.session, lambda: load_demo(db.session, base_url)):
        click.echo(line)


def _import(path: str, dry_run: bool, check, apply) -> None:
    """Check the whole file, print every bad row (exit 1), else apply it in one transaction."""
    from survey.files import imports

    with open(path, "rb") as fh:
        data = fh.read()
    with refusals_as_click_errors():
        checked = check(imports.read_table(data, path))
    for line in checked.report("zh"):
        click.echo(line, err=True)
    if checked.problems:
        raise click.ClickException(f"共{len(checked.problems)}处错误，未导入任何数据。")
    if dry_run:
        click.echo(f"检查通过：{len(checked.rows)}行（--dry-run，未写入）。")
        return

    def work():
        with click.progressbar(length=len(checked.rows), label="导入") as bar:
            return apply(checked.rows, lambda: bar.update(1))

    with refusals_as_click_errors():
        count = run_in_transaction(db.session, work)
    click.echo(f"已导入{count}行。")


@click.command("import-organisations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
def import_organisations(file: str, dry_run: bool) -> None:
    """Create the organisations of an XLSX or CSV file (名称, 类型, 上级组织, 领域, ...)."""
    from survey.files import imports

    _import(
        file,
        dry_run,
        lambda rows: imports.check_organisations(db.session, rows),
        lambda rows, step: imports.apply_organisations(db.session, CLI_ACTOR, rows, step),
    )


@click.command("import-members")
@click.argument("branch_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--append", is_flag=True, help="Add the members to the roll instead of replacing it.")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Import even though a name is held twice (in the file, or with --append on the roll).",
)
def import_members(
    branch_id: int, file: str, dry_run: bool, append: bool, allow_duplicates: bool
) -> None:
    """Replace BRANCH_ID's member roll by an XLSX or CSV file (姓名, 类别[, 入党时间])."""
    from survey.files import roster

    with refusals_as_click_errors():
        branch = _organisation(branch_id)
        if branch.kind != "branch":
            raise NotFound(f"organisation {branch_id} is not a branch")
    on_roll = [m.name for m in roster.active_members(db.session, branch.id)] if append else []

    def check(rows):
        checked = roster.check_members(rows, "zh", on_roll)
        if line := roster.ignored_line(checked, "zh"):
            click.echo(line, err=True)
        if checked.duplicates and not checked.problems:
            click.echo("以下姓名重复：", err=True)
            for line in roster.duplicate_lines(checked, "zh"):
                click.echo(line, err=True)
            if not allow_duplicates and not dry_run:
                raise click.ClickException(
                    "有重名党员，未导入任何数据。核对无误后加 --allow-duplicates 再导入。"
                )
        return checked

    _import(
        file,
        dry_run,
        check,
        lambda rows, step: roster.apply_members(
            db.session, CLI_ACTOR, branch, rows, step, append=append
        ),
    )


@click.group("audit-log")
def audit_log() -> None:
    """The tamper-evident audit log (安全审计): verify, export, prune."""


@audit_log.command("verify")
def audit_log_verify() -> None:
    """Walk the hash chain; exit 1 naming the first entry changed, removed or reordered."""
    from survey.staff.audit_reading import verify_chain

    check = verify_chain(db.session)
    click.echo(check.describe(), err=not check.ok)
    if not check.ok:
        raise SystemExit(1)


@audit_log.command("export")
@click.option("--out", type=click.File("w", encoding="utf-8-sig"), default="-")
def audit_log_export(out) -> None:
    """Write the whole log as CSV (UTC times, with each entry's hashes), oldest first; its
    sentences in Chinese (the service's first language)."""
    from flask import current_app

    from survey.files.audit_export import audit_csv_lines

    with current_app.test_request_context("/?lang=zh"):
        for line in audit_csv_lines(db.session):
            out.write(line)


@audit_log.command("prune")
@click.option("--days", type=int, help="Keep this many days (default SURVEY_AUDIT_RETENTION_DAYS).")
def audit_log_prune(days: int | None) -> None:
    """Remove the entries older than the retention, keeping the chain verifiable."""
    from datetime import timedelta

    from flask import current_app

    from survey.models.base import utcnow
    from survey.staff import audit

    days = current_app.config["AUDIT_RETENTION_DAYS"] if days is None else days
    if days < audit.MIN_RETENTION_DAYS:
        raise click.ClickException(
            f"audit entries are kept at least {audit.MIN_RETENTION_DAYS} days"
        )
    before = utcnow() - timedelta(days=days)
    pruned = run_in_transaction(db.session, lambda: audit.prune(db.session, CLI_ACTOR, before))
    click.echo(
        f"pruned {pruned.count} entries older than {days} days (through {pruned.through_id})"
    )


@click.group("personal-data")
def personal_data() -> None:
    """A person's data (个人信息保护法): export it as JSON, or erase it."""


def _person(user: str | None, member: int | None) -> None:
    if (user is None) == (member is None):
        raise click.UsageError("name exactly one person: --user NAME or --member ID")


def _person_options(command):
    command = click.option("--member", type=int, help="A member's id on a branch roll.")(command)
    return click.option("--user", callback=_text, help="A staff account's user name.")(command)


@personal_data.command("export")
@_person_options
def personal_data_export(user: str | None, member: int | None) -> None:
    """Print as JSON what the product holds about one person."""
    import json

    from survey.files import personal_data as data

    _person(user, member)
    with refusals_as_click_errors():
        found = (
            data.export_user(db.session, user) if user else data.export_member(db.session, member)
        )
    click.echo(json.dumps(found, ensure_ascii=False, indent=2))


@personal_data.command("erase")
@_person_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def personal_data_erase(user: str | None, member: int | None, yes: bool) -> None:
    """Erase one person: a staff account is deactivated and renamed, a member leaves the
    roll and is renamed in past appraisals; vote counts and the audit chain stay."""
    from survey.files import personal_data as data

    _person(user, member)
    if not yes:
        click.confirm(f"Erase {'user ' + user if user else f'member {member}'}?", abort=True)

    def work():
        if user:
            return data.erase_user(db.session, CLI_ACTOR, user)
        return data.erase_member(db.session, CLI_ACTOR, member)

    with refusals_as_click_errors():
        placeholder = run_in_transaction(db.session, work)
    click.echo(f"Erased: now named {placeholder}.")


def init_app(app: Flask) -> None:
    for command in (import_organisations, import_members):
        app.cli.add_command(command)
    for command in (
        init_db,
        create_user,
        create_api_token,
        demo,
        audit_command,
        close_command,
        audit_log,
        personal_data,
    ):
        app.cli.add_command(command)
