"""The Chinese catalogue speaks as an organisation department writes: one term per thing.

Each concept has the one Chinese term the product uses and the variants a reader found
wrong or confusing; a variant in any msgstr of the catalogue, or in the literal Chinese of a
template, fails. The typography rules of Chinese official writing are checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "survey" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"

# concept -> (the one term, variants that must not appear)
GLOSSARY = {
    "the members' review of the branch's work": (
        "党员评议党支部工作",
        ["党员民主评议", "民主评议党支部"],
    ),
    # the second kind of campaign: members grade each member (优秀/合格/基本合格/不合格)
    "the members' appraisal of each member": ("民主评议党员", ["党员互评", "党员民主评议"]),
    "a campaign (one review or poll)": ("评议活动", ["评议项目", "评议任务", "新建评议。"]),
    "the roll (members expected)": ("应到人数", ["应到会人数", "应参会人数", "应到党员数"]),
    "the one-time code of a card or a resident's slip": (
        "短码",
        ["测评码", "群众短码", "居民码", "测评短码"],
    ),
    "a ballot (the card's vote)": ("评议票", ["评议卡", "测评票"]),
    "handing ballots out": ("发放", ["发出"]),
    "the residents' poll": ("群众满意度测评", ["群众测评", "居民满意度", "满意度调查"]),
    "the reviewer role": ("审核人", ["审核人员", "审阅人", "评审人"]),
    "the negative list": ("负面清单", ["负面情形"]),
    "the verified dissatisfied rate": (
        "查证属实不满意率",
        ["不满意核实率", "核实率", "查证属实的不满意比例"],
    ),
    "a secret ballot": ("无记名评议", ["评议不记名"]),
    "the staff member who did it": ("经办人", ["操作人"]),
    "the area a branch serves": ("服务范围", ["服务半径", "服务区域"]),
    "a dissatisfied answer with its reason": (
        "不满意意见",
        ["不满意的回答", "不满意回答", "投诉意见"],
    ),
    "more than half of the roll took part": ("参评人数未过半数", ["法定人数"]),
    "a branch meeting every condition": ("符合条件", ["可评定"]),
}

# The import files' column headers are a contract (docs/design.md): they keep their words.
CONTRACT_HEADERS = ("服务半径米",)


def _without_headers(text: str) -> str:
    for header in CONTRACT_HEADERS:
        text = text.replace(header, "")
    return text


# words of the member ballot that a resident, on a shared page, must not be told
BALLOT_ONLY = ["评议卡", "投票", "支部书记", "评议票"]
SHARED_REFUSALS = [
    "This link or code is not a valid ballot. Check that you scanned the whole QR code, or type "
    "the short code printed on the card.",
    "Voting is not open. It may not have started yet, or it has already closed. Your vote was not "
    "recorded.",
    "This ballot link is too old and no longer valid. Please ask the branch secretary for a new "
    "card.",
    "This card was cancelled by the branch secretary. Please ask for a new card.",
    "This ballot has already been used. Each card counts once; if you did not vote with it, tell "
    "the branch secretary.",
    "Please type the code on your card.",
    "No ballot has this code. Check the letters on your card and try again.",
    "Scan the QR code on your ballot card with your phone's camera or WeChat, or type the short "
    "code printed on it.",
    "Enter your code",
    "Open my ballot",
    "Your vote was counted",
    "Submitted. The receipt code only proves that your vote was counted; it does not show your "
    "choice.",
    "Not open",
    "The server cannot save anything at the moment. Nothing was recorded. Please tell the "
    "administrator (the branch secretary can pass it on).",
]

CJK = r"[\u4e00-\u9fff]"
HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{CJK}[,;:?!()]|[,;:?!(]{CJK}|{CJK}\.(?!\w)")
NUMBER = r"(\d|%\((?!url|name|date)\w+\)[ds])"  # a figure, or a placeholder of one
SPACE_BETWEEN_CJK_AND_DIGIT = re.compile(rf"{CJK} +{NUMBER}|{NUMBER} +{CJK}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return [m for m in read_po(handle, locale="zh") if m.id and m.string]


def _template_chinese():
    """Each literal run of Chinese text in a template, with its file."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for run in re.findall(rf"{CJK}[^<>{{}}\"]*", line):
                yield path.relative_to(ROOT), run


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_the_catalogue_uses_one_term_per_concept(concept):
    term, variants = GLOSSARY[concept]
    found = [
        (message.id, variant)
        for message in _catalogue()
        for variant in variants
        if variant in _without_headers(message.string)
    ]
    assert not found, f"{concept}: use {term}, not {found}"


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_templates_literal_chinese_uses_one_term_per_concept(concept):
    term, variants = GLOSSARY[concept]
    found = [
        (str(p), run)
        for p, run in _template_chinese()
        for v in variants
        if v in _without_headers(run)
    ]
    assert not found, f"{concept}: use {term}, not {found}"


def test_every_glossary_term_is_used_somewhere():
    """A term nobody uses means the glossary drifted from the catalogue."""
    strings = " ".join(message.string for message in _catalogue())
    unused = [term for term, _ in GLOSSARY.values() if term not in strings]
    assert not unused


def test_pages_a_resident_shares_speak_of_neither_ballot_nor_secretary():
    by_id = {message.id: message.string for message in _catalogue()}
    found = [
        (msgid, word) for msgid in SHARED_REFUSALS for word in BALLOT_ONLY if word in by_id[msgid]
    ]
    assert not found


def test_chinese_punctuation_is_full_width():
    found = [m.string for m in _catalogue() if HALF_WIDTH_NEXT_TO_CJK.search(m.string)]
    assert not found


def test_no_space_between_chinese_and_a_number():
    found = [m.string for m in _catalogue() if SPACE_BETWEEN_CJK_AND_DIGIT.search(m.string)]
    assert not found


def test_chinese_dates_are_written_in_full(client, make):
    """A poll's closing date reads 2026年12月31日, not 2026-12-31."""
    from datetime import date

    branch = make.organisation("社区党支部")
    poll = make.campaign(branch, kind="public_satisfaction", title="满意度测评")
    poll.closes_on = date(2026, 12, 31)
    make.session.commit()
    page = client.get(f"/p/{poll.slug}?lang=zh").text
    assert "2026年12月31日" in page
    assert not ISO_DATE.search(page)


def test_a_staff_refusal_says_the_account_may_not_rather_than_not_open(client, auth, make):
    committee, first, *_ = make.tree()
    make.user("secretary", "secretary", first)
    auth.login("secretary")
    page = client.get("/review/?lang=zh", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 403
    assert "您的账号无权进行此操作" in page.text
    assert "暂未开放" not in page.text


# wordings a reader found wrong, each replaced (issue 21): none may come back
REPLACED = [
    "评定评定",  # the summary's title said it twice
    "接着：",  # the card's second ballot is 第二项：
    "以SHA-256摘要封存结果",  # 生成防篡改校验码并封存结果
    "北京时间时区",  # 以上为北京时间
    "按本单位时区",
    "应参评",  # the projector's roll is 应到
    "授予于",  # 2026年12月4日授予，经办人：…
    "必须：只接受",  # 限定：…
]


def _file_words():
    """The Chinese words of the exported files: every Chinese string literal of
    survey/files and the engine's criterion labels the files print."""
    import ast

    from survey.rules.results import LABELS

    for path in sorted((ROOT / "survey" / "files").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.search(CJK, node.value) and not node.value.lstrip().startswith('"""'):
                    yield path.relative_to(ROOT), node.value
    for label in LABELS.values():
        yield "survey/rules/results.py", label


def _docstring_free(text: str) -> bool:
    return "\n" not in text.strip()  # a docstring or comment block, not a cell's words


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_exported_files_use_one_term_per_concept(concept):
    term, variants = GLOSSARY[concept]
    found = [
        (str(path), text)
        for path, text in _file_words()
        if _docstring_free(text)
        for v in variants
        if v in _without_headers(text)
    ]
    assert not found, f"{concept}: use {term}, not {found}"


def test_no_replaced_wording_comes_back():
    texts = [m.string for m in _catalogue()]
    texts += [run for _, run in _template_chinese()]
    texts += [text for _, text in _file_words()]
    found = [(wording, t) for t in texts for wording in REPLACED if wording in t]
    assert not found


def test_the_fixed_wordings_are_in_place():
    by_id = {message.id: message.string for message in _catalogue()}
    assert by_id["then: %(title)s"].startswith("第二项：")
    assert by_id["seals the result with its SHA-256 digest for the minutes."].startswith(
        "生成防篡改校验码并封存结果"
    )
    assert by_id["The times above are Beijing time"] == "以上为北京时间"
    assert by_id["Granted %(date)s, by %(who)s"] == "%(date)s授予，经办人：%(who)s"
    assert by_id["Strong political function"] == "政治功能（是否做到“政治功能强”）"
    assert "打开手机“设置”→“微信”→允许位置" in "".join(by_id.values())
    assert by_id["No phone of your own? Ask the branch for a short code."] == (
        "没有手机的可向支部领取短码。"
    )
    receipt = (
        "Submitted. The receipt code only proves that your vote was counted; it does not show "
        "your choice."
    )
    assert by_id[receipt] == "提交成功。回执码只证明您的票已计入，不显示您的选择。"
    secret = [s for s in by_id.values() if s.startswith("无记名评议")]
    assert len(secret) >= 2  # the review's ballot and the appraisal's
