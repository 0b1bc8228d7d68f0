"""The exported workbooks as Excel would print them: the demo's closed member review
(测评汇总表) and its committee's 2025 rating summary, converted to PDF by LibreOffice and to
PNG by pdftoppm (docs/screenshots/xlsx-*.png). A check by eye, not a test.

``python bench/xlsx_to_pdf.py [out-folder]`` (default: a temporary folder); needs
``libreoffice`` (Debian: libreoffice-calc-nogui, fonts-noto-cjk) and ``pdftoppm``
(poppler-utils); without them it says so and exits 0.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TIMEOUT_S = 120  # one conversion; LibreOffice's first start builds its profile


def workbooks(folder: Path) -> list[Path]:
    from sqlalchemy import select

    from survey import create_app
    from survey.core.database import upgrade
    from survey.core.extensions import db
    from survey.core.transactions import run_in_transaction
    from survey.demo import load_demo
    from survey.files import exports
    from survey.models import Campaign, CampaignStatus, Organisation

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "SECRET_KEYS": ["bench-key"],
            "BASE_URL": "https://survey.example.org",
        }
    )
    with app.app_context():
        upgrade()
        run_in_transaction(db.session, lambda: load_demo(db.session))
        campaign = db.session.scalar(
            select(Campaign)
            .where(Campaign.status == CampaignStatus.CLOSED, Campaign.kind == "member_review")
            .order_by(Campaign.id)
        )
        committee = db.session.scalar(
            select(Organisation).where(Organisation.kind == "committee").order_by(Organisation.id)
        )
        review = folder / "xlsx-review.xlsx"
        review.write_bytes(exports.campaign_xlsx(db.session, campaign))
        summary = folder / "xlsx-ratings.xlsx"
        summary.write_bytes(exports.summary_xlsx(db.session, committee, campaign.year))
    return [review, summary]


def to_png(book: Path, folder: Path) -> Path:
    profile = folder / "lo-profile"
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(book),
        ],
        check=True,
        timeout=TIMEOUT_S,
        capture_output=True,
    )
    pdf = book.with_suffix(".pdf")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(book.with_suffix("")),
        ],
        check=True,
        timeout=TIMEOUT_S,
    )
    return book.with_suffix(".png")


def main(out: str | None = None) -> int:
    if not (shutil.which("libreoffice") and shutil.which("pdftoppm")):
        print("SKIPPED: libreoffice or pdftoppm is not installed")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="survey-xlsx-"))
    target = Path(out) if out else folder
    target.mkdir(parents=True, exist_ok=True)
    for book in workbooks(folder):
        png = to_png(book, folder)
        shutil.copy(png, target / png.name)
        print(f"{book.name} -> {target / png.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))
