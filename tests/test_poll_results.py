"""A poll's staff pages speak of a poll, not of a meeting: its results show answers inside and
outside the service area, the satisfaction shares, the 不满意 answers to verify and the daily
ceiling, with no roll, no cards and no minutes; it is closed with 结束测评."""

import pytest
from poll_helpers import answer, poll_campaign

MEETING_WORDS = ("应到人数", "发出评议卡", "评议卡", "收回", "会议记录", "结束投票", "投票")


@pytest.fixture
def closed_poll(app, make):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    committee, first, *_ = make.tree()
    poll = poll_campaign(make, first)
    choices = ["satisfied"] * 4 + ["basically_satisfied"] + ["dissatisfied"] * 2
    for n, choice in enumerate(choices):
        extra = {"reason": f"路灯不亮{n}"} if choice == "dissatisfied" else {}
        assert answer(app.test_client(), poll.slug, choice, **extra).status_code == 303
    make.close(poll)
    make.user("reviewer", "reviewer", committee)
    make.user("secretary", "secretary", first)
    return poll


def _body(html: str) -> str:
    return html.split("<main", 1)[1] if "<main" in html else html


@pytest.mark.parametrize("role", ["reviewer", "secretary"])
def test_a_polls_results_page_has_its_own_words_and_figures(client, auth, closed_poll, role):
    auth.login(role)
    answer_ = client.get(f"/staff/polls/{closed_poll.id}/results?lang=zh")
    assert answer_.status_code == 200
    page = _body(answer_.text)
    for word in MEETING_WORDS:
        assert word not in page, word
    assert "有效答卷" in page and "其中在服务范围内" in page and "其中在服务范围外" in page
    assert "满意" in page and "基本满意" in page  # the shares, by choice
    assert "不满意意见" in page and "尚未查证" in page
    assert "查证属实不满意率" in page
    assert "每个网络地址每天答卷上限" in page
    assert "防篡改校验码" in page and "SHA-256" not in page
    assert ("查证不满意意见" in page) == (role == "reviewer")  # the reviewer verifies


def test_the_meeting_results_address_of_a_poll_leads_to_its_own_page(client, auth, closed_poll):
    auth.login("reviewer")
    for page in ("results", "minutes"):
        moved = client.get(f"/staff/campaigns/{closed_poll.id}/{page}")
        assert moved.status_code == 303
        assert moved.headers["Location"].endswith(f"/staff/polls/{closed_poll.id}/results")
    show = client.get(f"/staff/polls/{closed_poll.id}?lang=zh").text
    assert f'href="/staff/polls/{closed_poll.id}/results"' in show and "测评结果" in show


def test_a_poll_is_closed_with_its_own_words(client, auth, make, app):
    committee, first, *_ = make.tree()
    poll = poll_campaign(make, first)
    make.user("reviewer", "reviewer", committee)
    auth.login("reviewer")
    page = _body(client.get(f"/staff/polls/{poll.id}/close?lang=zh").text)
    assert "结束测评？" in page and "确认结束测评并封存结果" in page
    for word in ("结束投票", "评议卡", "投票箱"):
        assert word not in page, word


def test_an_open_polls_results_are_refused_readably(client, auth, make):
    committee, first, *_ = make.tree()
    poll = poll_campaign(make, first)
    make.user("reviewer", "reviewer", committee)
    auth.login("reviewer")
    answer_ = client.get(f"/staff/polls/{poll.id}/results?lang=zh")
    assert answer_.status_code == 403  # NotOpen, as a meeting's results before the close
    assert "<html" in answer_.text and "Traceback" not in answer_.text


def test_a_polls_page_speaks_of_a_poll_in_each_state(client, auth, make, closed_poll):
    first = closed_poll.organisation
    draft = poll_campaign(make, first, status="draft", title="草稿测评")
    running = poll_campaign(make, first, title="进行中的测评")
    auth.login("reviewer")
    for poll in (draft, running, closed_poll):
        page = _body(client.get(f"/staff/polls/{poll.id}?lang=zh").text)
        for word in MEETING_WORDS:
            assert word not in page, (poll.title, word)
    running_page = client.get(f"/staff/polls/{running.id}?lang=zh").text
    assert "结束测评并封存结果" in running_page


def test_a_poll_with_too_few_answers_shows_why_its_counts_are_hidden_in_its_own_words(
    app, client, auth, make
):
    app.config["POLL_MIN_FILL_SECONDS"] = 0
    committee, first, *_ = make.tree()
    poll = poll_campaign(make, first)
    for choice in ("satisfied", "dissatisfied"):
        extra = {"reason": "路灯不亮"} if choice == "dissatisfied" else {}
        assert answer(app.test_client(), poll.slug, choice, **extra).status_code == 303
    make.close(poll)
    make.user("reviewer", "reviewer", committee)
    auth.login("reviewer")
    page = _body(client.get(f"/staff/polls/{poll.id}/results?lang=en").text)
    assert 'data-verdict="below_threshold"' in page
    assert "no one's answer can be worked out" in page and "vote" not in page
    assert "question-result" in page and "<svg" not in page  # the questions, not their bars
