"""A province's appraisal season, simulated on PostgreSQL (issue 24, item 4).

    .venv/bin/python bench/province.py [--branches 50000] [--members 30] [--sample 40]
    make bench-province BENCH_ARGS="--branches 2000"      # a small run first

A province of ``--committees`` 党委 under one provincial committee, ``--branches`` branches
of ``--members`` members each (50,000 and 1.5 million at full scale). Every branch opens a
member review and a member appraisal in the same fortnight, casts, closes; then the
committee summary of every 党委 and of the province, and the exports.

What goes through the product and what does not (said again in the printed table):

- **The sample** (``--sample`` branches): campaigns created, their appraisal rolls frozen,
  their cards issued and opened by the product's services; every card cast through the real
  request path (Flask's test client in process: the ballot page GET, then the POST with its
  CSRF token and nonce, as bench/hotspots.py does), paced at the province's peak-hour rate
  (below) by ``--threads`` threads; closed by ``close_campaign`` (envelopes opened, counts
  and tallies sealed); exported by the product's exports.
- **The bulk** (every other branch): the same rows written with COPY (bench/bulk.py):
  members, campaigns, questions, appraisees, cards; the casts as the spent cards; the close
  as what a close leaves (counts, the sealed tallies, the campaign closed). Its envelopes are
  never written (3 million envelopes of 4-9 kB would be 12-27 GB): the largest the database
  grows is estimated from the sample's envelope sizes, printed beside the measured size.

The peak hour: ``--days`` voting days (10 in a fortnight), each with its votes in
``--evening-hours`` (2), times ``--burst`` (3: meetings vote within minutes) is the rate the
sample casts at; the run says whether this machine kept up with it.

Per step: seconds, SQL statements (through SQLAlchemy; each COPY counted as one) and the
database size. Never a test: it prints a table (and ``--json`` writes it) and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlalchemy import event, insert, select, text

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import bulk  # noqa: E402
import ratings  # noqa: E402
import seed  # noqa: E402
from load import hidden_fields  # noqa: E402

from survey import campaigns, rating  # noqa: E402
from survey.ballotbox import ballots  # noqa: E402
from survey.core.extensions import db  # noqa: E402
from survey.core.security import ballot_token  # noqa: E402
from survey.files import appraisal_export, exports  # noqa: E402
from survey.models import Assessment, Campaign, Organisation  # noqa: E402

YEAR = 2026
NOW = datetime.now(UTC).replace(tzinfo=None)
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
WEIGHTS = (0.55, 0.40, 0.04, 0.01)


class Steps:
    """Each step's time, statements and the database size after it."""

    def __init__(self, engine):
        self.engine, self.rows, self.count = engine, [], 0
        event.listen(engine, "before_cursor_execute", self._one)

    def _one(self, *_args):
        self.count += 1

    def size(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT pg_database_size(current_database())"))

    def run(self, name: str, work, copies: int = 0, **shown):
        before, started = self.count, time.perf_counter()
        out = work()
        seconds = time.perf_counter() - started
        extra = {  # the figures, not the ids handed to the next step
            k: v
            for k, v in (out if isinstance(out, dict) else {}).items()
            if not isinstance(v, list | dict)
            or (
                isinstance(v, dict)
                and len(v) <= 8
                and not any(isinstance(x, list) for x in v.values())
            )
        }
        statements = self.count - before + copies + extra.pop("copies", 0)
        row = {"step": name, "seconds": round(seconds, 2), "statements": statements}
        row |= {"db_mb": round(self.size() / 2**20), **shown, **extra}
        self.rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        return out


def generate(session, args) -> dict:
    """The province, its 党委, branches and members, COPY for the many rows."""
    province = Organisation(name="省委（基准）", kind="committee", scheme="ordos-amr-2020")
    session.add(province)
    session.flush()
    first = province.id + 1
    committees = [first + i for i in range(args.committees)]
    orgs = [
        (cid, f"第{i}党委", "committee", province.id, None, True, False, True, False, NOW)
        for i, cid in enumerate(committees)
    ]
    branch_ids = [committees[-1] + 1 + i for i in range(args.branches)]
    orgs += [
        (bid, f"第{i}党支部", "branch", committees[i % len(committees)], date(2015, 1, 1))
        + (True, False, True, False, NOW)
        for i, bid in enumerate(branch_ids)
    ]
    columns = ("id", "name", "kind", "parent_id", "founded_on", "public_facing", "weak")
    bulk.rows_in(
        session, "organisations", (*columns, "active", "approves_probationary", "created_at"), orgs
    )
    rng = random.Random(24)
    members = (
        (b * 1000 + k, bid, f"党员{b}-{k}", "full" if rng.random() < 0.95 else "probationary", True)
        for b, bid in enumerate(branch_ids)
        for k in range(args.members)
    )
    bulk.rows_in(
        session, "members", ("id", "organisation_id", "name", "member_class", "active"), members
    )
    session.execute(
        text("SELECT setval('organisations_id_seq', (SELECT max(id) FROM organisations))")
    )
    session.execute(text("SELECT setval('members_id_seq', (SELECT max(id) FROM members))"))
    session.commit()
    return {"province": province.id, "committees": committees, "branches": branch_ids, "copies": 2}


def open_sample(app, branch_ids: list[int]) -> dict:
    """The sample's review and appraisal, through the services: tokens to cast."""
    cards = {"review": [], "appraisal": []}
    campaign_ids = []
    with app.app_context():
        for bid in branch_ids:
            branch = db.session.get(Organisation, bid)
            for kind, key in (("member_review", "review"), ("member_appraisal", "appraisal")):
                campaign = campaigns.create_campaign(
                    db.session,
                    "bench",
                    branch,
                    kind=kind,
                    year=YEAR,
                    title="年度评议",
                    sealing="server",  # the scrutineers' ECDH is bench/sealing.py's figure
                )
                issued = ballots.generate_ballots(
                    db.session,
                    "bench",
                    campaign,
                    len(campaign.questions) if kind == "member_appraisal" else _members(campaign),
                )
                campaigns.open_campaign(db.session, "bench", campaign)
                campaign_ids.append(campaign.id)
                cards[key] += [ballot_token(b.id) for b in issued]
            db.session.commit()
        db.session.remove()
    return {"cards": cards, "campaigns": campaign_ids}


def _members(campaign) -> int:
    return max(
        3,
        db.session.scalar(
            text("SELECT count(*) FROM members WHERE organisation_id = :o AND active"),
            {"o": campaign.organisation_id},
        ),
    )


def open_bulk(session, args, branch_ids: list[int]) -> dict:
    """What opening leaves for every other branch: two open campaigns, their questions, the
    appraisal's frozen roll, one card per member in each."""
    start = (session.scalar(text("SELECT coalesce(max(id), 0) FROM campaigns")) or 0) + 1
    qstart = (session.scalar(text("SELECT coalesce(max(id), 0) FROM questions")) or 0) + 1
    astart = (session.scalar(text("SELECT coalesce(max(id), 0) FROM appraisees")) or 0) + 1
    m = args.members
    camps, questions, appraisees = [], [], []
    review_q = {}
    for i, bid in enumerate(branch_ids):
        review, appraisal = start + 2 * i, start + 2 * i + 1
        for cid, kind in ((review, "member_review"), (appraisal, "member_appraisal")):
            camps.append(
                (cid, bid, kind, YEAR, "年度评议", "open", "off", m, 0, "server", True, NOW)
            )
        qid = qstart + i * (m + 1)
        review_q[review] = qid
        questions.append(
            (
                qid,
                review,
                0,
                "overall",
                "How do you rate the work of this branch this year?",
                "member_review",
            )
        )
        for k in range(m):
            aid = astart + i * m + k
            appraisees.append((aid, appraisal, k, f"党员{bid}-{k}", "full"))
            questions.append(
                (qid + 1 + k, appraisal, k, f"m_{aid}", f"党员{bid}-{k}", "member_review")
            )
    bulk.rows_in(
        session,
        "campaigns",
        (
            "id",
            "organisation_id",
            "kind",
            "year",
            "title",
            "status",
            "geofence",
            "eligible_full",
            "eligible_probationary",
            "sealing",
            "all_rows_required",
            "created_at",
        ),
        camps,
    )
    bulk.rows_in(
        session, "questions", ("id", "campaign_id", "position", "key", "prompt", "scale"), questions
    )
    bulk.rows_in(
        session, "appraisees", ("id", "campaign_id", "position", "name", "member_class"), appraisees
    )
    cards = (
        (
            f"{start + c:012x}{k:020x}",
            start + c,
            f"{(start + c) * 64 + k:08x}"[-8:],
            "full",
            "issued",
            NOW,
        )
        for c in range(2 * len(branch_ids))
        for k in range(m)
    )
    bulk.rows_in(
        session,
        "ballots",
        ("id", "campaign_id", "code", "ballot_class", "status", "issued_at"),
        cards,
    )
    for seq in ("campaigns", "questions", "appraisees"):
        session.execute(text(f"SELECT setval('{seq}_id_seq', (SELECT max(id) FROM {seq}))"))
    session.commit()
    return {
        "first": start,
        "last": start + 2 * len(branch_ids) - 1,
        "review_q": review_q,
        "copies": 4,
    }


def cast_sample(app, cards: dict, rate: float, threads: int, seconds: float) -> dict:
    """Every sample card cast through the request path, paced at ``rate`` casts a second."""
    rng = random.Random(5)
    work = [("review", t) for t in cards["review"]] + [("appraisal", t) for t in cards["appraisal"]]
    rng.shuffle(work)
    work = work[: max(1, int(rate * seconds))]  # the peak hour's rate for ``seconds`` at most
    latencies, statuses, lock = [], {}, threading.Lock()
    started = time.perf_counter()

    def one(i_item):
        i, (kind, token) = i_item
        wait = started + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        phone = app.test_client()
        t0 = time.perf_counter()
        html = phone.get(f"/b/{token}").text
        form = hidden_fields(html)
        if kind == "review":
            form["choice"] = rng.choices(GRADES, WEIGHTS)[0]
        else:
            for key in _radio_names(html):
                form[key] = rng.choices(GRADES, WEIGHTS)[0]
        status = phone.post(f"/b/{token}", data=form).status_code
        with lock:
            latencies.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, enumerate(work)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "casts": len(work),
        "target_per_s": round(rate, 1),
        "achieved_per_s": round(len(work) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
        "statuses": statuses,
    }


def _radio_names(html: str) -> set[str]:
    return set(re.findall(r'name="(m_\d+)"', html))


def cast_bulk(session, opened: dict) -> dict:
    """The bulk branches' casts, as what they leave before the close: every card spent."""
    done = session.execute(
        text(
            "UPDATE ballots SET status = 'used', channel = 'phone' "
            "WHERE campaign_id BETWEEN :a AND :b"
        ),
        {"a": opened["first"], "b": opened["last"]},
    ).rowcount
    session.commit()
    return {"cards_spent": done}


def close_sample(app, campaign_ids: list[int]) -> dict:
    with app.app_context():
        sizes = db.session.scalar(
            text("SELECT avg(octet_length(sealed)) FROM envelopes WHERE campaign_id = ANY(:ids)"),
            {"ids": campaign_ids},
        )
        by_kind = dict(
            db.session.execute(
                text(
                    "SELECT c.kind, avg(octet_length(e.sealed)) FROM envelopes e "
                    "JOIN campaigns c ON c.id = e.campaign_id "
                    "WHERE c.id = ANY(:ids) GROUP BY c.kind"
                ),
                {"ids": campaign_ids},
            ).all()
        )
        times = []
        for cid in campaign_ids:
            started = time.perf_counter()
            campaigns.close_campaign(db.session, "bench", db.session.get(Campaign, cid))
            db.session.commit()
            times.append(time.perf_counter() - started)
        db.session.remove()
    return {
        "campaigns": len(campaign_ids),
        "close_ms_median": round(statistics.median(times) * 1000, 1),
        "close_ms_worst": round(max(times) * 1000, 1),
        "envelope_bytes": {k: round(float(v)) for k, v in by_kind.items()},
        "envelope_bytes_mean": round(float(sizes or 0)),
    }


def close_bulk(session, args, opened: dict) -> dict:
    """What a close leaves for the bulk: counts per question, the sealed tallies, the cards
    gone with the campaign closed (no per-ballot row outlives the vote)."""
    rng = random.Random(9)
    m = args.members
    counts, tallies = [], []
    for review, qid in opened["review_q"].items():
        spread = _spread(rng, m)
        counts += [(review, qid, "full", "none", g, n) for g, n in spread.items() if n]
        tallies += [(review, "full", g, n) for g, n in spread.items() if n]
        for k in range(m):
            for g, n in _spread(rng, m).items():
                if n:
                    counts.append((review + 1, qid + 1 + k, "full", "none", g, n))
    bulk.rows_in(
        session,
        "counts",
        ("campaign_id", "question_id", "respondent_class", "geo", "choice", "n"),
        counts,
    )
    bulk.rows_in(session, "tallies", ("campaign_id", "respondent_class", "choice", "n"), tallies)
    session.execute(
        text(
            "UPDATE campaigns SET status = 'closed', closed_at = now(), votes_counted = :m "
            "WHERE id BETWEEN :a AND :b"
        ),
        {"a": opened["first"], "b": opened["last"], "m": m},
    )
    session.execute(
        text("DELETE FROM ballots WHERE campaign_id BETWEEN :a AND :b"),
        {"a": opened["first"], "b": opened["last"]},
    )
    session.commit()
    return {"count_rows": len(counts), "copies": 2}


def _spread(rng, m: int) -> dict:
    out = dict.fromkeys(GRADES, 0)
    for g in rng.choices(GRADES, WEIGHTS, k=m):
        out[g] += 1
    return out


def assessments(session, branch_ids: list[int]) -> None:
    session.execute(
        insert(Assessment),
        [
            {
                "organisation_id": b,
                "year": YEAR,
                "organisation_grade": "excellent",
                "social": [],
                "exclusions": [],
                "named_stars": [],
                "entered_by": "bench",
            }
            for b in branch_ids
        ],
    )
    session.commit()


def summaries(session, generated: dict) -> dict:
    committees = session.scalars(
        select(Organisation).where(Organisation.id.in_(generated["committees"]))
    ).all()
    times = []
    for committee in committees:
        started = time.perf_counter()
        rating.committee_summary(session, committee, YEAR)
        times.append(time.perf_counter() - started)
        session.expire_all()
    started = time.perf_counter()
    province = session.get(Organisation, generated["province"])
    result = rating.committee_summary(session, province, YEAR)
    whole = time.perf_counter() - started
    return {
        "committees": len(committees),
        "committee_ms_median": round(statistics.median(times) * 1000),
        "committee_ms_worst": round(max(times) * 1000),
        "province_ms": round(whole * 1000),
        "province_branches": len(result["branches"]),
    }


def exporting(session, generated: dict, sample_campaigns: list[int]) -> dict:
    out = {}
    committee = session.get(Organisation, generated["committees"][0])
    province = session.get(Organisation, generated["province"])
    for name, org in (("committee_xlsx", committee), ("province_xlsx", province)):
        started = time.perf_counter()
        blob = exports.summary_xlsx(session, org, YEAR)
        out[name] = {"ms": round((time.perf_counter() - started) * 1000), "kB": len(blob) // 1024}
    started = time.perf_counter()
    for cid in sample_campaigns:
        campaign = session.get(Campaign, cid)
        if campaign.kind == "member_appraisal":
            appraisal_export.appraisal_xlsx(session, campaign)
        else:
            exports.campaign_xlsx(session, campaign)
    out["sample_campaign_xlsx_ms_each"] = round(
        (time.perf_counter() - started) * 1000 / max(1, len(sample_campaigns)), 1
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--committees", type=int, default=200)
    parser.add_argument("--sample", type=int, default=40, help="branches through the product")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--evening-hours", type=float, default=2)
    parser.add_argument("--burst", type=float, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--cast-seconds", type=float, default=90, help="the sample's casting at most"
    )
    parser.add_argument("--json", help="write the table here")
    args = parser.parse_args()
    args.committees = min(args.committees, max(1, args.branches // 10))
    casts = 2 * args.branches * args.members
    rate = casts / (args.days * args.evening_hours * 3600) * args.burst
    print(
        f"province: {args.branches} branches, {args.branches * args.members} members, "
        f"{args.committees} 党委; {casts} casts; peak hour {rate:.1f} casts/s",
        flush=True,
    )
    admin, name = ratings.postgres_database()
    season_started = time.perf_counter()
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        app = seed.app_for(url)
        app.config.update(RATELIMIT_ENABLED=False)
        with app.app_context():
            from survey.core.database import upgrade

            upgrade()
            steps = Steps(db.engine)
            session = db.session
            gen = steps.run(
                "generate: organisations and members (COPY)", lambda: generate(session, args)
            )
            sample = gen["branches"][: args.sample]
            rest = gen["branches"][args.sample :]
            opened_sample = steps.run(
                f"open: {len(sample)} sample branches (services)", lambda: open_sample(app, sample)
            )
            opened = steps.run(
                f"open: {len(rest)} bulk branches (COPY)", lambda: open_bulk(session, args, rest)
            )
            opened_stats = {k: opened[k] for k in ("first", "last")}
            steps.run(
                f"cast: sample at the peak-hour rate (request path, {args.threads} threads)",
                lambda: cast_sample(
                    app, opened_sample["cards"], rate, args.threads, args.cast_seconds
                ),
            )
            steps.run(
                "cast: bulk cards spent (one UPDATE)", lambda: cast_bulk(session, opened_stats)
            )
            steps.run(
                "close: sample (close_campaign each)",
                lambda: close_sample(app, opened_sample["campaigns"]),
            )
            steps.run(
                "close: bulk (counts and tallies by COPY)",
                lambda: close_bulk(session, args, opened),
            )
            steps.run("assessments (one INSERT)", lambda: assessments(session, gen["branches"]))
            session.execute(text("ANALYZE"))
            session.commit()
            steps.run("summaries: every 党委, then the province", lambda: summaries(session, gen))
            steps.run(
                "exports: summaries and the sample's tallies",
                lambda: exporting(session, gen, opened_sample["campaigns"]),
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    total = time.perf_counter() - season_started
    print(f"season simulated in {total:.0f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "args": vars(args),
                    "peak_casts_per_s": rate,
                    "seconds": round(total),
                    "steps": steps.rows,
                },
                fh,
                ensure_ascii=False,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
