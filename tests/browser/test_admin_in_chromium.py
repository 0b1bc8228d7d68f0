"""The system administrator (三员分立: accounts are the sysadmin's) makes accounts in real
Chromium (zh and en): a user name already taken, and a secretary put under a committee, each
come back on the same page with the menu, the reason in words beside the field it names,
the other fields kept; never the generic "could not be completed" page."""

from __future__ import annotations

import pytest

WORDS = {
    "zh": {
        "taken": "这个用户名已被占用",
        "branch": "党支部书记应属于党支部，不能属于党委",
        "generic": "没能完成",
        "created": "secretary2",
    },
    "en": {
        "taken": "This user name is taken already",
        "branch": "A branch secretary belongs to a branch",
        "generic": "could not",
        "created": "secretary2",
    },
}


def new_account(page, username: str, organisation_id: int) -> None:
    page.fill("#user-username", username)
    page.select_option("#user-role", "secretary")
    page.select_option("#user-organisation_id", str(organisation_id))
    page.fill("#user-password", "correct horse battery staple")
    with page.expect_navigation():
        page.click("form[action$='/users'] button[type=submit]")


def error_beside(page, field_id: str):
    """The error paragraph that follows the field ``field_id`` (templates/_form.html)."""
    return page.locator(f"#{field_id} + p.error")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_account_says_why_beside_the_field(signed_in, make, lang):
    from playwright.sync_api import expect

    w = WORDS[lang]
    committee = make.organisation("机关党委", "committee")
    branch = make.organisation("第一党支部", parent=committee)
    make.user("secretary", "secretary", branch)
    make.user("sys", "sysadmin")
    _desk, page = signed_in("sys", lang)
    page.locator("nav.staff-nav a[href$='/admin/']").click()
    page.wait_for_load_state()

    new_account(page, "secretary", branch.id)  # the name is taken
    expect(error_beside(page, "user-username")).to_contain_text(w["taken"])
    expect(page.locator("nav.staff-nav")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(w["generic"])
    expect(page.locator("#user-organisation_id")).to_have_value(str(branch.id))

    new_account(page, "secretary2", committee.id)  # a secretary under a committee
    expect(error_beside(page, "user-organisation_id")).to_contain_text(w["branch"])
    expect(error_beside(page, "user-username")).to_have_count(0)
    expect(page.locator("nav.staff-nav")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(w["generic"])
    expect(page.locator("#user-username")).to_have_value("secretary2")
    expect(page.locator("tr[data-user=secretary2]")).to_have_count(0)

    new_account(page, "secretary2", branch.id)  # the reason followed: the account is made
    expect(page.locator("p.notice[role=status]")).to_contain_text(w["created"])
    expect(page.locator("tr[data-user=secretary2]")).to_have_count(1)
    expect(page.locator("p.error")).to_have_count(0)
