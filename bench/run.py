"""``make bench``: the product beside its ceilings, on SQLite and PostgreSQL, in one run.

For each database: a throw-away database seeded through the services, then gunicorn
(2 sync workers) serving the product, L1 (bench/baseline_l1.py, a constant Flask route) and
L2 (bench/baseline_l2.py, Flask + the raw driver doing the cast's UPDATE+INSERT), loaded from
other processes on loopback (wrk for GETs, bench/load.py for GET-then-POST casts). Then, in
process: SQL statements per page and per cast, the close of a sealed box beside a raw
decrypt-and-insert, the tally of the closed campaign. After each load the run checks that
spent ballots == stored votes. Writes bench/results/latest.json and docs/performance.md.

    .venv/bin/python bench/run.py                       # everything, both databases
    .venv/bin/python bench/run.py --only cast --database sqlite --no-write   # one figure
    .venv/bin/python bench/run.py --help                # the figures and the sizes

Never a test: the figures are compared with limits measured in the same run (ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess  # noqa: E402
import report  # noqa: E402
import seed  # noqa: E402
import servers  # noqa: E402
import web  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def figure(rows, name, database, value, unit, limit, target, met, **extra):
    ratio = round(value / limit, 3) if limit and value is not None else None
    rows.append(
        {
            "figure": name,
            "database": database,
            "value": value,
            "unit": unit,
            "limit": limit,
            "ratio": ratio,
            "target": target,
            "target_met": bool(met),
            **extra,
        }
    )
    print(
        f"  {name:<44} {value!s:>10} {unit:<8} limit {limit!s:>9}  ratio {ratio}  "
        f"target {target}: {'met' if met else 'MISSED'}",
        flush=True,
    )
    shown = {
        k: v
        for k, v in extra.items()
        if k in ("build_s", "close_ms", "statuses", "growth_mb", "private_mb")
    }
    if shown:
        print(f"  {'':<44} {shown}", flush=True)


def ratings_figure(rows, kind, args):
    command = [sys.executable, str(ROOT / "bench" / "ratings.py"), "--only", kind]
    command += ["--branches", str(args.branches)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if run.returncode:
        print(run.stderr[-2000:])
    print("  " + run.stdout.strip().replace("\n", "\n  "))
    import re

    found = re.search(r"worst of 3: (\d+) ms", run.stdout)
    raw = re.search(r"one raw read of every answer row: (\d+) ms", run.stdout)
    if found:
        worst = int(found.group(1))
        figure(
            rows,
            f"committee summary, {args.branches} branches",
            kind,
            worst,
            "ms",
            1000,
            "≤ 1000 ms",
            worst <= 1000,
            raw_read_of_every_answer_ms=int(raw.group(1)) if raw else None,
        )


GROUPS = {
    "page": "ballot page GET beside L1 (wrk)",
    "cast": "cast GET+POST beside L2, p50/p99, spent == stored",
    "poll": "public poll answer with limits on Redis beside L2",
    "cards": "card sheet of 500, first and repeats",
    "memory": "worker RSS over --memory-requests mixed GETs",
    "statements": "SQL statements per ballot page and per cast",
    "close": "close of --votes envelopes beside a raw decrypt+insert",
    "tally": "tally of a closed campaign of --responses responses",
    "summary": "committee summary over --branches branches",
}


def arguments():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="figures (--only): " + "; ".join(f"{k}: {v}" for k, v in GROUPS.items()),
    )
    parser.add_argument("--only", default="", help="comma-separated figures (default: all)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], help="default: both")
    parser.add_argument("--seconds", type=int, default=12, help="each load phase (3 slices)")
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--memory-seconds", type=int, default=45, help="the memory load's bound")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ballots", type=int, default=12_000)  # a slice ends on time, not out of cards
    parser.add_argument("--votes", type=int, default=20_000, help="envelopes the close opens")
    parser.add_argument("--responses", type=int, default=1_000_000, help="for the tally")
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="print only (a partial run)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(","))) or set(GROUPS)
    if only & {"sqlite", "postgres"}:  # the old spelling: --only sqlite
        args.database = (only & {"sqlite", "postgres"}).pop()
        only -= {"sqlite", "postgres"}
        only = only or set(GROUPS)
    unknown = only - set(GROUPS)
    if unknown:
        parser.error(f"unknown figures {sorted(unknown)}; known: {', '.join(GROUPS)}")
    return args, only


def main() -> int:
    args, only = arguments()
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install -y wrk` (the bench installs nothing itself).")
        return 1
    if "poll" in only and not servers.redis_reachable():
        print(f"Redis is not reachable at {servers.REDIS}: the poll figure is skipped.")
        only.discard("poll")
    kinds = [args.database] if args.database else ["sqlite", "postgres"]
    if "postgres" in kinds and not servers.postgres_reachable():
        print(f"PostgreSQL is not reachable at {servers.POSTGRES}: measuring SQLite only.")
        kinds.remove("postgres")
    rows, started, load_at_start = [], time.monotonic(), os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="survey-bench-logs-"))
    for kind in kinds:
        print(f"== {kind} ({', '.join(g for g in GROUPS if g in only)})", flush=True)
        if only - {"summary"}:
            with servers.database(kind) as url:
                app = seed.app_for(url)
                data = seed.seed(app, args.ballots, 500)
                web.figures(rows, kind, url, data, app, args, logs, only, figure)
                inprocess.figures(rows, kind, app, data, args, figure, only)
                with app.app_context():
                    from survey.core.extensions import db

                    db.engine.dispose()
        if "summary" in only:
            ratings_figure(rows, kind, args)
        print(f"   ({round(time.monotonic() - started)} s so far)", flush=True)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "load_average_at_start": load_at_start,  # other helpers' suites share the cores
        "load_average_at_end": os.getloadavg(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
        "seconds": round(time.monotonic() - started),
        "args": vars(args),
    }
    if args.no_write:
        print(f"done in {meta['seconds']} s (--no-write: nothing written); logs in {logs}")
        return 0
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "figures": rows}, ensure_ascii=False, indent=1))
    report.write(ROOT / "docs" / "performance.md", meta, rows)
    print(f"wrote {out} and docs/performance.md in {meta['seconds']} s; logs in {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
