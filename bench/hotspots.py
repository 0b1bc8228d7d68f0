"""Where a request's time goes: cProfile over N requests made in process (Flask's test
client, a throw-away SQLite or PostgreSQL database), the own time summed by package.

    .venv/bin/python bench/hotspots.py page|cast|poll [--database sqlite|postgres] [-n 200]
        [--dump FILE]  (the raw profile, to ask pstats who calls what)

The rows of docs/performance.md that miss their target quote this output. In process, so
without gunicorn, the socket and the load generator: shares, not absolute figures.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed  # noqa: E402
import servers  # noqa: E402
from load import hidden_fields  # noqa: E402


def package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/survey/" in filename:
        parts = filename.split("/survey/", 1)[1].removesuffix(".py").split("/")
        return "survey." + ".".join(parts[:2])
    if filename.startswith("~") or "<" in filename:
        return "(builtins: C calls, sockets, drivers)"
    return "(stdlib) " + Path(filename).stem


def requests(app, what: str, data: dict, n: int):
    """The n request pairs to profile, each a function making one GET and its POST."""
    client = app.test_client
    tokens = iter(data["tokens"])

    def page():
        assert client().get(f"/b/{data['tokens'][-1]}").status_code == 200

    def cast():
        phone, token = client(), next(tokens)
        form = hidden_fields(phone.get(f"/b/{token}").text) | {"choice": "excellent"}
        assert phone.post(f"/b/{token}", data=form).status_code == 303

    def poll():
        phone = client()
        form = hidden_fields(phone.get(f"/p/{data['slug']}").text)
        form |= {"choice": "satisfied", "website": ""}
        assert phone.post(f"/p/{data['slug']}", data=form).status_code == 303

    return {"page": page, "cast": cast, "poll": poll}[what]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["page", "cast", "poll"])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--dump", help="also write the raw profile here (pstats, for callers)")
    args = parser.parse_args()
    with servers.database(args.database) as url:
        import web

        app = seed.app_for(url)
        env = web.product_env(url)
        app.config.update(
            RATELIMIT_STORAGE_URI=env["SURVEY_REDIS_URL"],
            POLL_RATE_LIMIT=env["SURVEY_POLL_RATE_LIMIT"],
            POLL_DAILY_LIMIT=int(env["SURVEY_POLL_DAILY_LIMIT"]),
            POLL_MIN_FILL_SECONDS=0,
        )
        data = seed.seed(app, max(args.n + 50, 100), 1)
        one = requests(app, args.what, data, args.n)
        for _ in range(20):  # warm: compiled statements, templates, form classes
            one()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(args.n):
            one()
        profile.disable()
        wall = time.perf_counter() - started
        with app.app_context():
            from survey.core.extensions import db

            db.engine.dispose()
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile)
    by_package, total = defaultdict(float), 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        by_package[package(filename)] += tottime
        total += tottime
    print(f"{args.what} on {args.database}: {args.n} in {wall:.2f} s under cProfile")
    print(f"({wall / args.n * 1000:.1f} ms each, GET and POST for cast/poll)")
    for name, spent in sorted(by_package.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {spent / total:6.1%}  {name}")
    print("top functions (own time):")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
