"""How long a sheet of 500 printable cards takes to render, first time and once its QR
codes are cached (issue 4: at most 2 s and 200 ms). A benchmark, never a timed test.

Runs against a throw-away SQLite database: ``python bench/cards.py [count]``.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST_LIMIT_S = 2.0
CACHED_LIMIT_S = 0.2


def main(count: int = 500) -> int:
    from survey import campaigns, create_app
    from survey.ballotbox import ballots
    from survey.core import links, qr
    from survey.core.database import upgrade
    from survey.core.extensions import db
    from survey.models import Organisation, User

    folder = tempfile.mkdtemp(prefix="survey-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "SECRET_KEYS": ["bench-key"],
            "BASE_URL": "https://survey.example.org",
        }
    )
    with app.app_context():
        upgrade()
        committee = Organisation(name="机关党委", kind="committee")
        branch = Organisation(name="第一党支部", kind="branch", parent=committee)
        user = User(username="secretary", role="secretary", organisation=branch)
        user.set_password("bench-password")
        db.session.add_all([committee, branch, user])
        db.session.flush()
        campaign = campaigns.create_campaign(
            db.session, "bench", branch, kind="member_review", year=2026, title="评议"
        )
        ballots.generate_ballots(db.session, "bench", campaign, count)
        db.session.commit()
        campaign_id = campaign.id

    client = app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"csrf_token": token, "username": "secretary", "password": "bench-password"},
    )

    def render() -> float:
        start = time.perf_counter()
        answer = client.get(f"/staff/campaigns/{campaign_id}/cards")
        elapsed = time.perf_counter() - start
        assert answer.status_code == 200 and answer.text.count('class="ballot-card"') == count
        return elapsed

    qr.cache_clear()
    shutil.rmtree(Path(app.instance_path) / "qr-cache", ignore_errors=True)  # the shared cache
    links._ballot_url.cache_clear()
    first = render()
    cached = [render() for _ in range(5)]
    median = statistics.median(cached)
    print(f"cards per sheet:     {count}")
    print(f"first render:        {first * 1000:7.0f} ms   (limit {FIRST_LIMIT_S * 1000:.0f} ms)")
    print(f"cached render (med): {median * 1000:7.0f} ms   (limit {CACHED_LIMIT_S * 1000:.0f} ms)")
    print(f"cached renders:      {', '.join(f'{t * 1000:.0f}' for t in cached)} ms")
    ok = first <= FIRST_LIMIT_S and median <= CACHED_LIMIT_S
    print("within limits" if ok else "OVER THE LIMITS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
