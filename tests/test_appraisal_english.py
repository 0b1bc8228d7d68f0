"""The member appraisal reads as a full second language in English."""

import io
import re
from datetime import date

from appraisal_helpers import appraisal
from openpyxl import load_workbook
from test_no_machine_keys import Text

from survey.core.security import ballot_token

CJK = re.compile(r"[\u4e00-\u9fff]")


def visible(html: str) -> str:
    """The text shown, without the Chinese term an English label cites in brackets, as the
    product's English does (Minutes (会议记录))."""
    parser = Text()
    parser.feed(html)
    return re.sub(rf"\((?:{CJK.pattern}|[·、])+\)", "", " ".join(parser.parts))


def test_the_ballot_in_english_has_no_chinese_but_names(make, client):
    branch = make.organisation("Branch One", parent=make.organisation("Committee", "committee"))
    campaign = appraisal(make, branch, 5, probationary=1, title="Appraisal 2026")
    (card,) = make.ballots(campaign, 1)
    page = client.get(f"/b/{ballot_token(card.id)}?lang=en").text
    text = visible(page)
    for name in [q.prompt for q in campaign.questions] + ["中文"]:  # names; the switch
        text = text.replace(name, "")
    assert not CJK.search(text), text
    assert "Basically competent" in text and "(probationary)" in text and "Not yet graded:" in text


def test_the_results_in_english_have_no_chinese_but_names(make, db, client, auth):
    from helpers import cast

    committee = make.organisation("Committee", "committee")
    branch = make.organisation("Branch One", parent=committee)
    make.user("reviewer", "reviewer", committee)
    campaign = appraisal(make, branch, 5, title="Appraisal 2026")
    for card in make.ballots(campaign, 5):
        cast(db.session, card.id, {q.id: "incompetent" for q in campaign.questions})
    make.close(campaign)
    auth.login("reviewer")
    for path in ("appraisal", "appraisal/print"):
        page = client.get(f"/staff/campaigns/{campaign.id}/{path}?lang=en")
        assert page.status_code == 200
        text = visible(page.text)
        for name in [q.prompt for q in campaign.questions] + ["中文"]:
            text = text.replace(name, "")
        assert not CJK.search(text), re.findall(rf".{{20}}{CJK.pattern}+.{{20}}", text)
        assert "Incompetent share" in text


def _homonyms(make, db, client, auth, rows):
    """A closed appraisal of ``rows`` (five ballots), the reviewer signed in."""
    from helpers import cast

    from survey.files import roster

    committee = make.organisation("Committee", "committee")
    branch = make.organisation("Branch One", parent=committee)
    make.user("reviewer", "reviewer", committee)
    make._commit(lambda: roster.apply_members(make.session, "test", branch, rows))
    campaign = make.campaign(branch, kind="member_appraisal", title="Appraisal 2026")
    (card,) = make.ballots(campaign, 1)
    ballot = {lang: client.get(f"/b/{ballot_token(card.id)}?lang={lang}").text for lang in LANGS}
    for card in make.ballots(campaign, 4):
        cast(db.session, card.id, {q.id: "competent" for q in campaign.questions})
    make.close(campaign)
    auth.login("reviewer")
    return campaign, ballot


LANGS = ("zh", "en")
ZHAO = {"name": "赵磊", "member_class": "full"}


def test_two_members_of_one_name_are_told_apart_in_the_readers_language(make, db, client, auth):
    rows = [{**ZHAO, "joined_on": date(2015, 7, 1)}, {**ZHAO, "joined_on": date(2023, 7, 1)}]
    campaign, ballot = _homonyms(make, db, client, auth, rows)
    frozen = [q.prompt for q in campaign.questions]
    assert frozen == ["赵磊（2015年入党）", "赵磊（2023年入党）"]  # the sealed text, in Chinese
    assert "1. 赵磊（2015年入党）" in ballot["zh"]
    assert "1. 赵磊 (joined the Party in 2015)" in ballot["en"] and "入党" not in ballot["en"]
    for path in ("appraisal", "appraisal/print"):
        zh = client.get(f"/staff/campaigns/{campaign.id}/{path}?lang=zh").text
        en = client.get(f"/staff/campaigns/{campaign.id}/{path}?lang=en").text
        assert "赵磊（2023年入党）" in zh and "入党" not in visible(en), path
        assert "赵磊 (joined the Party in 2023)" in en, path
    sheet = client.get(f"/staff/campaigns/{campaign.id}/appraisal.xlsx?lang=en")
    names = [c.value for c in load_workbook(io.BytesIO(sheet.data)).active["B"][3:5]]
    assert names == ["赵磊 (joined the Party in 2015)", "赵磊 (joined the Party in 2023)"]
    assert runner_audit(campaign) == 0  # the seal is untouched by the reading


def test_members_of_one_name_without_a_year_are_numbered_in_the_readers_language(
    make, db, client, auth
):
    campaign, ballot = _homonyms(make, db, client, auth, [{**ZHAO, "joined_on": None}] * 2)
    assert [q.prompt for q in campaign.questions] == ["赵磊（1）", "赵磊（2）"]
    assert "2. 赵磊（2）" in ballot["zh"] and "2. 赵磊 (2)" in ballot["en"]


def test_an_erased_name_reads_in_the_readers_language(make, db, client, auth, runner):
    from sqlalchemy import select

    from survey.models import Member

    rows = [{"name": "王芳", "member_class": "full", "joined_on": None}] * 1
    campaign, _ = _homonyms(make, db, client, auth, rows)
    member = db.session.scalar(select(Member))
    erased = runner.invoke(args=["personal-data", "erase", "--member", str(member.id), "--yes"])
    assert erased.exit_code == 0, erased.output
    zh = client.get(f"/staff/campaigns/{campaign.id}/appraisal?lang=zh").text
    en = client.get(f"/staff/campaigns/{campaign.id}/appraisal?lang=en").text
    assert f"已删除成员#{member.id}" in zh
    assert f"Erased member #{member.id}" in en and "已删除" not in en


def runner_audit(campaign) -> int:
    from flask import current_app

    return current_app.test_cli_runner().invoke(args=["audit", str(campaign.id)]).exit_code
