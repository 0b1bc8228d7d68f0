"""The scrutineer cards on the secretary's pages: offered with the meeting kit, shown once
as a printable sheet (QR to the close page with the code in the fragment), read back on the
close page typed, with each refused card named and the campaign left open."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from helpers import cast
from test_sealed_box import vote
from test_staff_secretary import branch, post, secretary, status_of

from survey.models import Campaign, CampaignStatus

__all__ = ["branch", "secretary"]  # fixtures, shared with the secretary's pages' tests

CODE = re.compile(r'<p class="card-code scrutineer-code">([0-9A-Z-]{35})</p>')


def printed(answer) -> list[str]:
    return CODE.findall(answer.text)


def test_the_draft_page_offers_the_scrutineer_cards_and_prints_them_once(
    secretary, make, branch, db, app
):
    campaign = make.campaign(branch, status="draft", sealing="scrutineers")
    url = f"/staff/campaigns/{campaign.id}"
    page = secretary.get(f"{url}?lang=en").text
    assert f'action="{url}/scrutineer-cards"' in page and "shown once" in page
    answer = post(secretary, f"{url}/scrutineer-cards", url)
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    codes = printed(answer)
    assert len(codes) == 3 and answer.text.count("<svg") == 3
    assert f"/staff/campaigns/{campaign.id}/close#{codes[0]}" not in answer.text  # QR only
    assert "监票人" in answer.text
    qr_cache = Path(app.instance_path) / "qr-cache"
    # every file, the campaigns' card folders (c<id>/) included
    files = [p for p in qr_cache.rglob("*") if p.is_file()] if qr_cache.exists() else []
    on_disk = b"".join(p.read_bytes() for p in files)
    assert not any(code.encode() in on_disk for code in codes)
    again = post(secretary, f"{url}/scrutineer-cards", url)
    assert set(printed(again)).isdisjoint(codes)  # a new pair: the earlier cards are void


def test_opening_without_printed_cards_shows_them_once(secretary, make, branch, db):
    campaign = make.campaign(branch, status="draft", sealing="scrutineers")
    make.ballots(campaign, 3)
    url = f"/staff/campaigns/{campaign.id}"
    opened = post(secretary, f"{url}/open", url, printed="y")
    assert opened.status_code == 200 and len(printed(opened)) == 3
    assert status_of(db, campaign) == CampaignStatus.OPEN
    assert printed(secretary.get(url)) == []  # not shown again


def test_a_server_sealed_meeting_and_a_poll_say_the_server_holds_the_key(secretary, make, branch):
    review = make.campaign(branch, status="open", sealing="server")
    page = secretary.get(f"/staff/campaigns/{review.id}?lang=en").text
    assert "Key held by the server" in page and "scrutineer-cards" not in page


def test_the_close_page_takes_k_codes_names_a_mistyped_one_and_then_closes(
    secretary, make, branch, db, caplog
):
    campaign = make.campaign(branch, status="open", sealing="scrutineers")
    for card in make.ballots(campaign, 2):
        cast(db.session, card.id, vote(campaign, "competent"))
    cards = make.cards[campaign.id]
    url = f"/staff/campaigns/{campaign.id}/close"
    page = secretary.get(f"{url}?lang=en").text
    assert page.count('name="scrutineer_code"') == 2 and "close.js" in page
    one = post(secretary, f"{url}?lang=en", url, confirm="y", scrutineer_code=[cards[1], ""])
    assert one.status_code == 409
    assert "2 good cards are needed to open the ballot box; 1 given" in one.text
    assert "voting is still open" in one.text
    assert status_of(db, campaign) == CampaignStatus.OPEN
    plain = cards[2].replace("-", "")
    mistyped = plain[:7] + ("A" if plain[7] != "A" else "B") + plain[8:]
    wrong = post(
        secretary, f"{url}?lang=en", url, confirm="y", scrutineer_code=[cards[0], mistyped]
    )
    assert wrong.status_code == 409
    assert "A character is mistyped" in wrong.text
    assert status_of(db, campaign) == CampaignStatus.OPEN
    caplog.set_level(logging.DEBUG)
    done = post(secretary, url, url, confirm="y", scrutineer_code=[cards[2], cards[0]])
    assert done.status_code == 303 and status_of(db, campaign) == CampaignStatus.CLOSED
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert not any(c.replace("-", "") in logged.replace("-", "") for c in cards)


def test_the_new_campaign_form_offers_the_key_holder_and_makes_a_server_sealed_one(
    secretary, branch, db
):
    page = secretary.get("/staff/campaigns/new?lang=en").text
    radios = re.findall(r'<input[^>]*name="sealing"[^>]*>', page)
    assert len(radios) == 2 and 'value="server"' in radios[1]
    assert "checked" in radios[0] and 'value="scrutineers"' in radios[0]  # the default
    data = {"organisation_id": branch.id, "year": 2026, "title": "服务器保管", "sealing": "server"}
    made = post(secretary, "/staff/campaigns/new", "/staff/campaigns/new", **data)
    assert made.status_code == 303
    db.session.rollback()
    assert db.session.query(Campaign).one().sealing == "server"
