"""Every secretary and reviewer route refuses strangers, the wrong role and the wrong branch."""

import pytest
from helpers import csrf_from

SECRETARY_GET = ["", "/cards", "/projector", "/turnout.json"]
SECRETARY_POST = ["/ballots", "/lost", "/open", "/close"]
READER_GET = ["/results", "/minutes"]


@pytest.fixture
def world(make):
    committee, first, second, foreign = make.tree()
    campaign = make.campaign(first, status="open")
    make.ballots(campaign, 2)
    make.close(campaign)
    draft = make.campaign(first, status="draft")
    make.user("secretary", "secretary", first)
    make.user("other_secretary", "secretary", second)
    make.user("reviewer", "reviewer", committee)
    make.user("foreign_reviewer", "reviewer", foreign.parent)
    make.user("admin", "admin")
    return {"closed": campaign.id, "draft": draft.id}


def request(client, method, path, token_page="/staff/"):
    if method == "GET":
        return client.get(path)
    token = csrf_from(client.get(token_page).text)
    return client.post(path, data={"csrf_token": token, "count": 1, "code": "AAAA-AAAA"})


def routes(world):
    for suffix in SECRETARY_GET + READER_GET:
        yield "GET", suffix
    for suffix in SECRETARY_POST:
        yield "POST", suffix


def test_strangers_are_sent_to_sign_in(client, world):
    for method, suffix in routes(world):
        path = f"/staff/campaigns/{world['draft']}{suffix}"
        answer = request(client, method, path, token_page="/login")
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], suffix
    assert "/login" in client.get("/staff/campaigns/new").headers["Location"]
    assert "/login" in client.get("/staff/admin/").headers["Location"]


def test_a_reviewer_is_refused_the_secretary_pages_with_403(auth, client, world):
    auth.login("reviewer")
    for suffix in SECRETARY_GET:
        assert client.get(f"/staff/campaigns/{world['draft']}{suffix}").status_code == 403, suffix
    for suffix in SECRETARY_POST:
        answer = request(client, "POST", f"/staff/campaigns/{world['draft']}{suffix}")
        assert answer.status_code == 403, suffix
    # the new-campaign page offers a reviewer the 群众代表 meeting alone (test_masses_meeting_pages)
    assert 'value="member_review"' not in client.get("/staff/campaigns/new").text


def test_a_reviewer_reads_results_of_their_subtree(auth, client, world):
    auth.login("reviewer")
    for suffix in READER_GET:
        assert client.get(f"/staff/campaigns/{world['closed']}{suffix}").status_code == 200


def test_a_reviewer_of_another_committee_gets_404(auth, client, world):
    auth.login("foreign_reviewer")
    for suffix in READER_GET:
        assert client.get(f"/staff/campaigns/{world['closed']}{suffix}").status_code == 404


def test_a_secretary_of_another_branch_gets_404_everywhere(auth, client, world):
    auth.login("other_secretary")
    for campaign_id in world.values():
        for method, suffix in routes(world):
            answer = request(client, method, f"/staff/campaigns/{campaign_id}{suffix}")
            assert answer.status_code == 404, (method, suffix)


def test_an_unknown_campaign_is_404_for_its_secretary(auth, client, world):
    auth.login("secretary")
    assert client.get("/staff/campaigns/9999").status_code == 404


def test_secretaries_and_reviewers_are_refused_the_admin_pages(auth, client, world):
    for username in ("secretary", "reviewer"):
        auth.login(username)
        assert client.get("/staff/admin/").status_code == 403
        answer = request(client, "POST", "/staff/admin/users")
        assert answer.status_code == 403
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/staff/").text)})


def test_an_admin_may_run_any_branch_campaign(auth, client, world):
    auth.login("admin")
    assert client.get(f"/staff/campaigns/{world['draft']}").status_code == 200
    assert client.get(f"/staff/campaigns/{world['closed']}/minutes").status_code == 200
