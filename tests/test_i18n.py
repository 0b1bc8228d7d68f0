"""Chinese first: every string the templates and code mark has its Chinese translation."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).parent.parent / "survey/translations/zh/LC_MESSAGES/messages.po"


def test_every_marked_string_has_a_chinese_translation():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_error_pages_follow_the_browser_language(client):
    assert "未找到" in client.get("/nowhere").text
    english = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert "Not found" in english.text and english.headers["Content-Language"] == "en"
