"""``make bench``: the product beside its ceilings, on SQLite and PostgreSQL, in one run.

For each database: a throw-away database seeded through the services, then gunicorn
(2 sync workers) serving the product, L1 (bench/baseline_l1.py, a constant Flask route) and
L2 (bench/baseline_l2.py, Flask + the raw driver doing the cast's UPDATE+INSERT), loaded from
other processes on loopback (wrk for GETs, bench/load.py for GET-then-POST casts). Then, in
process: SQL statements per page and per cast, the close of a sealed box beside a raw
decrypt-and-insert, the tally of the closed campaign. After each load the run checks that
spent ballots == stored votes. Writes bench/results/latest.json and docs/performance.md.

    .venv/bin/python bench/run.py [--only sqlite|postgres] [--quick]

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


def http_figures(rows, kind, url, data, app, args, logs):
    env = {
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEYS": seed.KEY,
        "SURVEY_BASE_URL": "http://bench.test",
    }
    tokens, ids = data["tokens"], data["ids"]
    half = len(tokens) // 2
    page = [f"/b/{t}" for t in tokens[-20:]]  # never cast: the page stays a ballot page
    with servers.gunicorn("bench.baseline_l1:app", {}, logs / "l1.log", "/b/x") as (port, _):
        l1 = servers.wrk(port, page, args.seconds)
    with servers.gunicorn("wsgi:app", env, logs / "app.log", page[0]) as (port, master):
        got = servers.wrk(port, page, args.seconds)
        figure(
            rows,
            "ballot page GET",
            kind,
            got["per_s"],
            "req/s",
            l1["per_s"],
            "≥ 0.5 × L1",
            got["per_s"] >= 0.5 * l1["per_s"] and got["non2xx"] == 0,
            non2xx=got["non2xx"],
        )
        cast = servers.load(port, tokens[:half], args.clients, args.seconds)
        cards = card_sheet(port, data["draft"])
        rss = memory(port, master, page, args.memory_seconds)
    with servers.gunicorn(
        "bench.baseline_l2:app", {"BENCH_L2_URL": url}, logs / "l2.log", f"/b/{ids[-1]}"
    ) as (port, _):
        l2 = servers.load(port, ids[half:-20], args.clients, args.seconds)
    figure(
        rows,
        f"cast GET+POST, {args.clients} clients",
        kind,
        cast["casts_per_s"],
        "casts/s",
        l2["casts_per_s"],
        "≥ 0.6 × L2",
        cast["casts_per_s"] >= 0.6 * l2["casts_per_s"],
        statuses=cast["statuses"],
        l2_statuses=l2["statuses"],
    )
    figure(
        rows, "cast POST p50", kind, cast["post_p50_ms"], "ms", l2["post_p50_ms"], "(shown)", True
    )
    figure(
        rows,
        "cast POST p99",
        kind,
        cast["post_p99_ms"],
        "ms",
        100,
        "≤ 100 ms",
        (cast["post_p99_ms"] or 1e9) <= 100,
    )
    used, stored = seed.spent_and_stored(app, data["review"], ids[:half])
    figure(
        rows,
        "check: spent ballots == envelopes",
        kind,
        stored,
        "rows",
        used,
        "equal",
        used == stored and used >= cast["casts"],
    )
    used, stored = seed.l2_spent_and_stored(app, ids[half:-20])
    figure(
        rows, "check L2: spent ballots == rows", kind, stored, "rows", used, "equal", used == stored
    )
    figure(
        rows,
        "card sheet of 500, first",
        kind,
        cards["first_ms"],
        "ms",
        2000,
        "≤ 2000 ms",
        cards["first_ms"] <= 2000,
    )
    figure(
        rows,
        "card sheet of 500, repeats (worst)",
        kind,
        cards["repeat_ms"],
        "ms",
        200,
        "≤ 200 ms every worker",
        cards["repeat_ms"] <= 200,
        repeats=cards["repeats"],
    )
    figure(
        rows,
        f"worker RSS after {rss['requests']} requests",
        kind,
        rss["end_mb"],
        "MB",
        120,
        "≤ 120 MB, no growth in 2nd half",
        rss["end_mb"] <= 120 and rss["growth_mb"] <= 2,
        mid_mb=rss["mid_mb"],
        growth_mb=rss["growth_mb"],
    )


def card_sheet(port, draft_id):
    import http.cookiejar
    import urllib.parse
    import urllib.request

    from load import hidden_fields

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    form = hidden_fields(opener.open(f"{base}/login", timeout=30).read().decode())
    form |= {"username": "secretary", "password": seed.PASSWORD}
    opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
    times = []
    for _ in range(7):  # 2 workers: the repeats land on both
        start = time.perf_counter()
        body = opener.open(f"{base}/staff/campaigns/{draft_id}/cards", timeout=60).read()
        times.append(round((time.perf_counter() - start) * 1000, 1))
        assert body.decode().count('class="ballot-card"') == 500, "not a sheet of 500 cards"
    return {"first_ms": times[0], "repeat_ms": max(times[1:]), "repeats": times[1:]}


def memory(port, master, page, seconds):
    first = servers.wrk(port, page, seconds)
    mid = max(servers.rss_mb(p) for p in servers.worker_pids(master))
    second = servers.wrk(port, page, seconds)
    end = max(servers.rss_mb(p) for p in servers.worker_pids(master))
    return {
        "requests": first["requests"] + second["requests"],
        "mid_mb": round(mid, 1),
        "end_mb": round(end, 1),
        "growth_mb": round(end - mid, 1),
    }


def ratings_figure(rows, kind, args):
    command = [
        sys.executable,
        str(ROOT / "bench" / "ratings.py"),
        "--only",
        kind,
        "--branches",
        str(args.branches),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    print("  " + run.stdout.strip().replace("\n", "\n  "))
    import re

    found = re.search(r"worst of 3: (\d+) ms", run.stdout)
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
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--memory-seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ballots", type=int, default=6000)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--branches", type=int, default=10_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install -y wrk` (the bench installs nothing itself).")
        return 1
    kinds = [args.only] if args.only else ["sqlite", "postgres"]
    if "postgres" in kinds and not servers.postgres_reachable():
        print(f"PostgreSQL is not reachable at {servers.POSTGRES}: measuring SQLite only.")
        kinds.remove("postgres")
    rows, started = [], time.monotonic()
    logs = Path(tempfile.mkdtemp(prefix="survey-bench-logs-"))
    for kind in kinds:
        print(f"== {kind}", flush=True)
        with servers.database(kind) as url:
            app = seed.app_for(url)
            data = seed.seed(app, args.ballots, 500)
            http_figures(rows, kind, url, data, app, args, logs)
            inprocess.figures(rows, kind, app, data, args, figure)
            with app.app_context():
                from survey.extensions import db

                db.engine.dispose()
        ratings_figure(rows, kind, args)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "command": " ".join(["make bench  # =", "python", *sys.argv]),
        "seconds": round(time.monotonic() - started),
        "args": vars(args),
    }
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "figures": rows}, ensure_ascii=False, indent=1))
    report.write(ROOT / "docs" / "performance.md", meta, rows)
    print(f"wrote {out} and docs/performance.md in {meta['seconds']} s; logs in {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
