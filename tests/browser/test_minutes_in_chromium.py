"""The minutes (会议记录) as a secretary prints them, in real Chromium: a 30-member branch whose
review took 26 phone ballots and 3 paper ballots; the place and the attendance are entered in
the minutes' own form, and the print is ONE signable A4 page (pdfinfo) that carries the place,
the attendance, both channel counts and the four signature lines."""

from __future__ import annotations

import subprocess

from helpers import cast

from survey.campaigns import paper
from survey.core import codes
from survey.core.transactions import run_in_transaction

DESKTOP = {"width": 1280, "height": 860}


def a_closed_review_of_thirty(make, db):
    """28 full and 2 probationary members on the roll, two indicator items; 26 vote by phone,
    3 on paper, one card is not returned."""
    committee, branch, _second, _foreign = make.tree()
    make.user("secretary", "secretary", branch)
    campaign = make.campaign(
        branch,
        eligible_full=28,
        eligible_probationary=2,
        extra_questions=[("political", "政治功能强"), ("team", "队伍建设强")],
    )
    cards = make.ballots(campaign, 28) + make.ballots(campaign, 2, "probationary")
    questions = {q.key: q for q in campaign.questions}
    for i, card in enumerate(cards[:26]):
        grade = "excellent" if i % 5 else "competent"
        cast(db.session, card.id, {q.id: grade for q in questions.values()})
    for card in cards[26:29]:
        marks = {key: "excellent" for key in questions}
        run_in_transaction(
            db.session,
            lambda card=card, marks=marks: paper.enter_paper_ballot(
                db.session, campaign, codes.display(card.code), marks
            ),
        )
    make.close(campaign)
    return campaign


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))


def pdf_text(path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return done.stdout


def test_the_minutes_of_a_thirty_member_branch_print_on_one_signable_a4_page(
    signed_in, live_server, make, db, artefact
):
    campaign = a_closed_review_of_thirty(make, db)
    _context, page = signed_in("secretary", viewport=DESKTOP)

    minutes = f"{live_server}/staff/campaigns/{campaign.id}/minutes"
    page.goto(minutes)
    page.fill("#place", "村委会二楼会议室")
    page.fill("#held_at", "2026-12-04T09:30")
    page.fill("#present", "29")
    page.fill("#absent", "王建国（外出务工）")
    page.fill("#guests", "镇党委组织委员 李华")
    page.click("form.meeting-record button[type=submit]")
    page.wait_for_url(f"{minutes}?saved=1")
    page.screenshot(path=str(artefact("minutes-form.png")), full_page=True)

    page.emulate_media(media="print")
    pdf = artefact("minutes.pdf")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(artefact("minutes-a4"))], check=True
    )
    assert pdf_pages(pdf) == 1, "the minutes do not fit one A4 page"
    text = pdf_text(pdf)
    for shown in ("村委会二楼会议室", "应到30人", "实到29人", "王建国（外出务工）", "李华"):
        assert shown in text, shown
    assert "手机投票26张" in text and "纸质票3张" in text
    for signer in ("主持人", "记录人", "计票人", "监票人"):
        assert signer in text, signer
    assert "2026年12月4日 09:30" in text
