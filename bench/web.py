"""The figures measured over HTTP: gunicorn (2 sync workers) serving the product, L1 and L2,
one after the other, loaded from other processes (wrk for GETs, bench/load.py for the
GET-then-POST of a cast or a poll answer). Every load is bounded in time; after each, the run
checks that what was answered 303 is what was stored."""

from __future__ import annotations

import os
import secrets
import time
from contextlib import ExitStack

import seed
import servers
from load import hidden_fields
from sqlalchemy.engine import make_url

WEB = ("page", "cast", "poll", "cards", "memory")


def product_env(url: str) -> dict:
    """The product as deployed: Redis holds the rate-limit counters (its own key prefix per
    run); the poll's per-address limit is raised so that one loopback address is counted,
    never refused, and its fill-time screen is off (a load sends at once)."""
    return {
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEYS": seed.KEY,
        "SURVEY_BASE_URL": "http://bench.test",
        "SURVEY_REDIS_URL": servers.REDIS,
        "SURVEY_RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        "SURVEY_POLL_RATE_LIMIT": "1000000 per minute",
        "SURVEY_POLL_DAILY_LIMIT": "10000",  # the highest ceiling: answers measured, not refusals
        "SURVEY_POLL_MIN_FILL_SECONDS": "0",
    }


def through_pooler(url: str) -> tuple[str, dict]:
    """The servers' URL and settings: with ``SURVEY_BENCH_POOLER_URL`` (a PgBouncer in
    transaction pooling in front of the same PostgreSQL, e.g.
    ``postgresql+psycopg://postgres@127.0.0.1:6432``) the run's database through it, with
    ``SURVEY_DATABASE_POOLER=transaction``; else the URL as it is (docs/deploy.md)."""
    pooler = os.environ.get("SURVEY_BENCH_POOLER_URL")
    if not pooler or not url.startswith("postgresql"):
        return url, {}
    pooled = make_url(pooler).set(database=make_url(url).database)
    print(f"   through the pooler at {pooled.host}:{pooled.port}", flush=True)
    rendered = pooled.render_as_string(hide_password=False)
    return rendered, {"SURVEY_DATABASE_POOLER": "transaction"}


SLICES = 3  # each load phase is cut in slices, the product's and its limit's in turn


def figures(rows, kind, url, data, app, args, logs, only, figure) -> None:
    """L1, L2 and the product run side by side (idle servers cost nothing), and each figure
    and its limit are measured in alternating slices: on a machine whose load swings with
    other work, both see the same swings, so the ratio holds even where the absolutes move."""
    tokens, ids = data["tokens"], data["ids"]
    part = max(1, args.seconds // SLICES)
    page = [f"/b/{t}" for t in tokens[-20:]]  # never cast: the page stays a ballot page
    url, pooler = through_pooler(url)
    l2_env = {"BENCH_L2_URL": url}
    got = {}
    with ExitStack() as stack:
        if "page" in only:
            l1, _ = stack.enter_context(
                servers.gunicorn("bench.baseline_l1:app", {}, logs / "l1.log", "/b/x")
            )
        if only & {"cast", "poll"}:
            l2, _ = stack.enter_context(
                servers.gunicorn("bench.baseline_l2:app", l2_env, logs / "l2.log", f"/b/{ids[-1]}")
            )
        if not only & set(WEB):
            return
        port, master = stack.enter_context(
            servers.gunicorn("wsgi:app", product_env(url) | pooler, logs / "app.log", page[0])
        )
        if "page" in only:
            runs = [
                (servers.wrk(l1, page, part), servers.wrk(port, page, part)) for _ in range(SLICES)
            ]
            got["l1"] = servers.combined_wrk([a for a, _ in runs])
            got["page"] = servers.combined_wrk([b for _, b in runs])
        if only & {"cast", "poll"}:
            got |= casts(port, l2, data, args, only, part)
        if "cards" in only:
            got["cards"] = card_sheet(port, data["draft"])
        if "memory" in only:
            mixed = page + [f"/p/{data['slug']}", "/healthz", "/static/style.css", "/login"]
            got["memory"] = memory(port, master, mixed, args)
    report(rows, kind, got, data, app, args, figure)


def casts(port, l2, data, args, only, part) -> dict:
    """Slices in turn: L2's cast, the product's cast, the product's poll answer."""
    tokens, ids = data["tokens"], data["ids"]
    half = len(tokens) // 2
    mine, theirs = tokens[:half], ids[half:-20]
    per = [len(mine) // SLICES, len(theirs) // SLICES]
    fields = {"choice": "satisfied", "website": ""}
    runs = {"l2": [], "cast": [], "poll": []}
    for i in range(SLICES):
        batch = theirs[i * per[1] : (i + 1) * per[1]]
        runs["l2"].append(servers.load(l2, batch, args.clients, part))
        if "cast" in only:
            batch = mine[i * per[0] : (i + 1) * per[0]]
            runs["cast"].append(servers.load(port, batch, args.clients, part))
        if "poll" in only:
            slugs = [data["slug"]] * per[0]
            runs["poll"].append(servers.load(port, slugs, args.clients, part, "/p/", fields))
    return {name: servers.combined_load(r) for name, r in runs.items() if r}


def report(rows, kind, got, data, app, args, figure) -> None:
    ids = data["ids"]
    half = len(ids) // 2
    if "page" in got:
        page, l1 = got["page"], got["l1"]
        met = page["per_s"] >= 0.5 * l1["per_s"] and page["non2xx"] == 0
        figure(
            rows,
            "ballot page GET",
            kind,
            page["per_s"],
            "req/s",
            l1["per_s"],
            "≥ 0.5 × L1",
            met,
            non2xx=page["non2xx"],
            p99_ms=page["p99_ms"],
            l1_p99_ms=l1["p99_ms"],
        )
    l2 = got.get("l2")
    if "cast" in got:
        cast = got["cast"]
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
            rows,
            "cast POST p50",
            kind,
            cast["post_p50_ms"],
            "ms",
            l2["post_p50_ms"],
            "(shown, limit: L2's p50)",
            True,
        )
        p99 = cast["post_p99_ms"]
        figure(
            rows,
            "cast POST p99",
            kind,
            p99,
            "ms",
            100,
            "≤ 100 ms",
            (p99 or 1e9) <= 100,
            l2_p99_ms=l2["post_p99_ms"],
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
    if "poll" in got:
        poll = got["poll"]
        figure(
            rows,
            "public poll GET+POST, limits on Redis",
            kind,
            poll["casts_per_s"],
            "answers/s",
            l2["casts_per_s"],
            "≥ 0.5 × L2",
            poll["casts_per_s"] >= 0.5 * l2["casts_per_s"],
            statuses=poll["statuses"],
            post_p99_ms=poll["post_p99_ms"],
        )
        stored = seed.envelopes_of(app, data["poll"])
        figure(
            rows,
            "check: poll answers 303 == envelopes",
            kind,
            stored,
            "rows",
            poll["casts"],
            "equal",
            stored == poll["casts"],
        )
    if l2 is not None:
        used, stored = seed.l2_spent_and_stored(app, ids[half:-20])
        figure(
            rows,
            "check L2: spent ballots == rows",
            kind,
            stored,
            "rows",
            used,
            "equal",
            used == stored,
        )
    if "cards" in got:
        cards = got["cards"]
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
    if "memory" in got:
        rss = got["memory"]
        figure(
            rows,
            f"worker RSS after {rss['requests']} mixed GETs",
            kind,
            rss["end_mb"],
            "MB",
            120,
            "≤ 120 MB, growth ≤ 2 MB in 2nd half",
            rss["end_mb"] <= 120 and rss["growth_mb"] <= 2,
            max_mb=rss["max_mb"],
            mid_mb=rss["mid_mb"],
            growth_mb=rss["growth_mb"],
            private_mb=rss["private_mb_at_end"],
            samples=rss["samples"],
            wanted=args.memory_requests,
        )


def card_sheet(port, draft_id):
    import http.cookiejar
    import urllib.parse
    import urllib.request

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


def memory(port, master, paths, args) -> dict:
    """wrk in slices of 5 s until ``--memory-requests`` or ``--memory-seconds``, the RSS of
    every worker sampled after each slice: the worst at the end, and its growth since the
    sample at half the requests."""
    samples, total, started = [], 0, time.monotonic()
    while total < args.memory_requests and time.monotonic() - started < args.memory_seconds:
        slice_s = max(1, min(5, round(args.memory_seconds - (time.monotonic() - started))))
        total += servers.wrk(port, paths, slice_s)["requests"]
        workers = servers.worker_pids(master)
        rss = max(servers.rss_mb(p) for p in workers)
        samples.append((total, round(rss, 1)))
        private = max(servers.private_mb(p) for p in workers)
    mid = next(rss for count, rss in samples if count >= total / 2)
    end = samples[-1][1]
    return {
        "requests": total,
        "mid_mb": mid,
        "end_mb": end,
        "max_mb": max(rss for _count, rss in samples),
        "growth_mb": round(end - mid, 1),
        "samples": samples,
        "private_mb_at_end": round(private, 1),
    }
