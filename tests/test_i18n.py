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


def test_every_string_the_source_marks_is_in_the_catalogue():
    """A msgid edited in a template but not in messages.po reaches a Chinese page in English."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(__file__).parent.parent
    with (root / "survey/translations/babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    marked = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root, method_map, options_map, keywords=keywords
    ):
        marked.add(message[0] if isinstance(message, tuple) else message)
    assert len(marked) > 500  # the mapping found the sources
    with CATALOGUE.open("rb") as fh:
        known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(fh) if m.id}
    assert sorted(marked - known) == []
