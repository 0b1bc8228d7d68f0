"""Every XLSX the product hands out, opened by LibreOffice and printed to PDF as the paper
form: the demo's 测评汇总表 (both sheets), its 民主评议党员测评汇总表, the committee's
评定汇总表 and the two import templates, each downloaded through its page's link. The
PDF's text must carry the form's title and headers, no cell may print as ### (a column
too narrow for its figure) and each table fits one page wide. With
SURVEY_UPDATE_SCREENSHOTS=1 the first page of each becomes docs/screenshots/xlsx-*.png
(pdftoppm) for the README.

Needs ``libreoffice`` (Debian: libreoffice-calc-nogui, fonts-noto-cjk) and poppler-utils;
skipped without them, except under CI=true (which installs them) where that is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import sign_in
from sqlalchemy import select

from survey.core.transactions import run_in_transaction
from survey.demo import LOGINS, load_demo
from survey.models import Campaign, CampaignStatus, Organisation

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORDS = {username: password for username, _r, _o, password in LOGINS}
TIMEOUT_S = 180  # LibreOffice's first start builds its profile

TOOLS = ("libreoffice", "pdftotext", "pdftoppm")


@pytest.fixture(autouse=True)
def _libreoffice():
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if not missing:
        return
    reason = (
        f"{', '.join(missing)} not installed"
        " (apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: under CI the printed forms must be checked")
    pytest.skip(reason)


def downloads(client, db) -> dict[str, bytes]:
    """Each workbook as the reviewer downloads it from the demo's pages."""
    run_in_transaction(db.session, lambda: load_demo(db.session))
    closed = db.session.scalar(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.CLOSED, Campaign.kind == "member_review")
        .order_by(Campaign.id)
    )
    appraisal = db.session.scalar(
        select(Campaign).where(
            Campaign.status == CampaignStatus.CLOSED, Campaign.kind == "member_appraisal"
        )
    )
    committee = db.session.scalar(select(Organisation).where(Organisation.kind == "committee"))
    sign_in(client, "reviewer", PASSWORDS["reviewer"])
    files = {
        "xlsx-review": f"/staff/files/campaigns/{closed.id}/summary.xlsx",
        "xlsx-ratings": f"/staff/files/committees/{committee.id}/ratings.xlsx?year=2025",
        "xlsx-appraisal": f"/staff/campaigns/{appraisal.id}/appraisal.xlsx",
        "xlsx-members-template": "/staff/files/templates/members.xlsx",
        "xlsx-organisations-template": "/staff/files/templates/organisations.xlsx",
    }
    found = {}
    for name, url in files.items():
        answer = client.get(url)
        assert answer.status_code == 200, url
        found[name] = answer.data
    return found


def to_pdf(books: dict[str, bytes], folder: Path) -> dict[str, Path]:
    for name, content in books.items():
        (folder / f"{name}.xlsx").write_bytes(content)
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *[str(folder / f"{name}.xlsx") for name in books],
        ],
        check=True,
        timeout=TIMEOUT_S,
        capture_output=True,
    )
    return {name: folder / f"{name}.pdf" for name in books}


def pdf_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext -layout), pages split on the form feed."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    return out.stdout.split("\f")


EXPECTED = {
    "xlsx-review": ["测评汇总表", "测评项目", "选项", "票数", "占比", "优秀", "87.5%"],
    "xlsx-ratings": ["评定汇总表", "序号", "党支部", "评定结果", "党员评议优秀率", "称号"],
    "xlsx-appraisal": ["民主评议党员测评汇总表", "序号", "姓名", "优秀", "不合格", "评定等次"],
    "xlsx-members-template": ["姓名", "类别", "正式党员"],
    "xlsx-organisations-template": ["名称", "类型", "上级组织", "成立日期", "服务半径米"],
}


def test_every_workbook_prints_as_its_paper_form(client, db, tmp_path):
    pdfs = to_pdf(downloads(client, db), tmp_path)
    for name, pdf in pdfs.items():
        pages = pdf_text(pdf)
        # one page wide: every header, the first column's and the last's, on the first page
        missing = [word for word in EXPECTED[name] if word not in pages[0]]
        assert not missing, f"{name}: {missing} not on the first printed page"
        assert "###" not in "".join(pages), f"{name}: a column too narrow for its figure"
    # counts only: the review's workbook is its 汇总 alone, no ballot-by-ballot 明细 sheet
    assert "序号" not in "".join(pdf_text(pdfs["xlsx-review"])), "a ballot-by-ballot sheet"
    if os.environ.get("SURVEY_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name, pdf in pdfs.items():
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf)]
                + [str(SCREENSHOTS / name)],
                check=True,
                timeout=60,
            )
