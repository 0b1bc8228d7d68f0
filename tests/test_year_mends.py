"""Dead ends the whole-year browser test (tests/browser/test_year_in_chromium.py) found, each
held here without a browser: a roll's row without a name is named as 姓名 (a member's name),
not 名称 (an organisation's); the new campaign's indicator items read in English on the
English page and in Chinese on the Chinese one."""

from helpers import sign_in

from survey.imports import check_members


def test_a_roll_row_without_a_name_says_the_member_s_name_is_empty():
    checked = check_members([["姓名", "类别"], ["", "正式党员"], ["张" * 101, "预备党员"]])
    assert checked.report("zh") == ["第2行：姓名为空", "第3行：姓名超过100个字"]
    assert checked.report("en")[0] == "row 2: the member's name is empty"


def test_the_indicator_items_follow_the_page_language(client, org):
    sign_in(client, "secretary")
    chinese = client.get("/staff/campaigns/new").get_data(as_text=True)
    assert "政治功能强" in chinese and "Strong political function" not in chinese
    english = client.get("/staff/campaigns/new?lang=en").get_data(as_text=True)
    assert "Strong political function (政治功能强)" in english
    assert "Strong work with the people (群众工作强)" in english
