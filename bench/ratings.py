"""Committee summary over 10,000 branches with a year of evidence, on SQLite and PostgreSQL.

Builds the data with bulk inserts (a closed member review of 20 votes, a public poll of 10
answers with verified complaints, and an assessment per branch), then times
``ratings.committee_summary`` cold and warm and counts its SQL statements. The target is
≤ 1 s; beside it, a baseline measured in the same run (reading every vote row once, raw)
shows how the summary compares with the cheapest possible pass over the same data.

    .venv/bin/python bench/ratings.py [--branches 10000] [--only sqlite|postgres]

Never a test: it prints figures and exits 0 unless the run itself fails.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import date

from sqlalchemy import create_engine, event, insert, text

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import bulk  # noqa: E402

from survey import create_app, rating
from survey.core.extensions import db  # noqa: E402
from survey.models import (  # noqa: E402
    Assessment,
    Campaign,
    Organisation,
    Question,
    Tally,
)

YEAR = 2026
VOTES, POLL = 20, 10
POSTGRES = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def build(session, branches: int) -> int:
    rng = random.Random(7)
    committee = Organisation(name="基准党委", kind="committee", scheme="ordos-amr-2020")
    session.add(committee)
    session.flush()
    orgs = [
        {
            "id": committee.id + 1 + i,
            "name": f"第{i}党支部",
            "kind": "branch",
            "parent_id": committee.id,
            "founded_on": date(2015, 1, 1),
            "public_facing": True,
            "weak": False,
            "domain": "enterprise",
        }
        for i in range(branches)
    ]
    session.execute(insert(Organisation), orgs)
    campaigns, questions, counts, complaints, verified = [], [], {}, [], []
    tallies: dict[tuple[int, str], int] = {}
    cid = qid = 0
    for org in orgs:
        for kind, n in (("member_review", VOTES), ("public_satisfaction", POLL)):
            cid += 1
            qid += 1
            campaigns.append(
                {
                    "id": cid,
                    "organisation_id": org["id"],
                    "kind": kind,
                    "year": YEAR,
                    "title": "基准",
                    "status": "closed",
                    "geofence": "off",
                    "eligible_full": VOTES + 2,
                }
            )
            questions.append(
                {
                    "id": qid,
                    "campaign_id": cid,
                    "position": 0,
                    "key": "overall",
                    "prompt": "?",
                    "scale": kind,
                }
            )
            for _ in range(n):
                if kind == "member_review":
                    choice = "excellent" if rng.random() < 0.93 else "competent"
                else:
                    choice = "dissatisfied" if rng.random() < 0.1 else "satisfied"
                    if choice == "dissatisfied":  # each 不满意 its own row (counting.py)
                        rid = secrets.token_hex(16)
                        complaints.append((rid, cid))
                        verified.append(rid)
                counts[cid, qid, choice] = counts.get((cid, qid, choice), 0) + 1
                tallies[cid, choice] = tallies.get((cid, choice), 0) + 1
    session.execute(insert(Campaign), campaigns)
    session.execute(insert(Question), questions)
    bulk.rows_in(  # what a close keeps: counts, and each 不满意 alone
        session,
        "counts",
        ("campaign_id", "question_id", "respondent_class", "geo", "choice", "n"),
        ((c, q, "full", "none", ch, n) for (c, q, ch), n in counts.items()),
    )
    bulk.rows_in(session, "complaints", ("id", "campaign_id"), complaints)
    session.execute(
        insert(Tally),
        [  # what close_campaign seals
            {"campaign_id": c, "respondent_class": "full", "choice": ch, "n": n}
            for (c, ch), n in tallies.items()
        ],
    )
    verification_model = getattr(__import__("survey.models", fromlist=["x"]), "Verification", None)
    if verification_model is not None and verified:
        session.execute(
            insert(verification_model),
            [
                {
                    "complaint_id": rid,
                    "result": "verified" if i % 3 else "unfounded",
                    "note": "",
                    "verified_by": "bench",
                }
                for i, rid in enumerate(verified)
            ],
        )
    session.execute(
        insert(Assessment),
        [
            {
                "organisation_id": org["id"],
                "year": YEAR,
                "organisation_grade": "excellent",
                "social": [{"department": "税务", "negative": False, "note": ""}],
                "exclusions": [],
                "named_stars": [],
                "entered_by": "bench",
            }
            for org in orgs
        ],
    )
    session.commit()
    return committee.id


def measure(url: str, label: str, branches: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEYS": ["bench"]})
    with app.app_context():
        from survey.core.database import upgrade

        upgrade()
        started = time.perf_counter()
        committee_id = build(db.session, branches)
        built = time.perf_counter() - started
        committee = db.session.get(Organisation, committee_id)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        timings = []
        for _ in range(3):
            db.session.expire_all()
            started = time.perf_counter()
            summary = rating.committee_summary(db.session, committee, YEAR)
            timings.append(time.perf_counter() - started)
        per_run = len(statements) // 3
        with db.engine.connect() as conn:
            started = time.perf_counter()
            rows = conn.execute(text("SELECT question_id, choice, n FROM counts")).all()
            baseline = time.perf_counter() - started
        verdicts = {}
        for branch in summary["branches"]:
            verdicts[branch["verdict"]] = verdicts.get(branch["verdict"], 0) + 1
        print(f"[{label}] {branches} branches, {len(rows)} count rows (built in {built:.1f} s)")
        print(
            f"[{label}] summary: first {timings[0] * 1000:.0f} ms, then "
            f"{min(timings[1:]) * 1000:.0f} ms; {per_run} SQL statements per summary"
        )
        print(
            f"[{label}] baseline, one raw read of every count row: {baseline * 1000:.0f} ms "
            f"(summary / baseline = {min(timings) / baseline:.1f})"
        )
        print(f"[{label}] verdicts {verdicts}; recommended {len(summary['recommended'])}")
        verdict = "within" if max(timings) <= 1.0 else "OVER"
        print(f"[{label}] target 1000 ms: {verdict} (worst of 3: {max(timings) * 1000:.0f} ms)")
        db.session.remove()
        db.engine.dispose()


def postgres_database():
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"survey_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            measure(f"sqlite:///{tmp}/bench.sqlite", "sqlite", args.branches)
    if args.only != "sqlite":
        try:
            admin, name = postgres_database()
        except Exception as exc:  # noqa: BLE001
            print(f"[postgres] skipped: not reachable at {POSTGRES} ({exc.__class__.__name__})")
            return
        try:
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            measure(url, "postgres", args.branches)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
