"""The member appraisal reads as a full second language in English."""

import re

from appraisal_helpers import appraisal
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
