"""A scheme's source key read as a citation (《工作指南》第五部分（二）3) and found in the seed's
OCR text by a tolerant match of its part numbers."""

from __future__ import annotations

import pytest

from survey import rules
from survey.rules import citations


def seed(number: str) -> str:
    from importlib.resources import files

    name = rules.SEED_FILES[number].file
    return files("survey.rules").joinpath("seeds", name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("source", "chinese", "english"),
    [
        ("001 工作指南 §五(二)3", "《工作指南》第五部分（二）3", "《工作指南》 §五(二)3"),
        ("001 附件2 §七(一)4", "《工作指南》附件2第七部分（一）4", "《工作指南》附件2 §七(一)4"),
        (
            "000 §四(二); 应到会人数",
            "《鄂尔多斯市市场监督管理局“最强党支部”建设工作实施方案》第四部分（二）；应到会人数",
            "《鄂尔多斯市市场监督管理局“最强党支部”建设工作实施方案》 §四(二); 应到会人数",
        ),
        (
            "004 附件 任务清单9",
            "《关于推进市级机关党组织示范化建设的意见》附件任务清单9",
            "《关于推进市级机关党组织示范化建设的意见》附件 §任务清单9",
        ),
        ("004 §三 第二阶段", "《关于推进市级机关党组织示范化建设的意见》第三部分 第二阶段", None),
    ],
)
def test_a_source_reads_as_title_and_part(source, chinese, english):
    assert citations.cite_text(source) == chinese
    assert "§" not in citations.cite_text(source)
    if english:
        assert citations.cite_text(source, chinese=False) == english


@pytest.mark.parametrize(
    ("source", "starts", "holds", "not_holds"),
    [
        ("001 工作指南 §五(二)3", "３", "不得评定为", "社会评价"),
        ("001 附件2 §一1", "１", "８星以上", "集体经济"),  # its second line starts with ８星
        ("001 4号方案 §三(一)2", "２", "党员评议", "群众评判"),
        ("000 §四(二)", "(二)", "90%", "群众评判"),
        ("003 §三(一)3", "3、", "群众评判", "社会评价"),
        ("004 附件 任务清单9", "9.", "三会一课", "10."),
    ],
)
def test_the_clause_is_found_in_the_ocr_text_from_its_heading_to_the_next(
    source, starts, holds, not_holds
):
    cited = citations.cite(source)[0]
    text = seed(cited.number)
    start, end = citations.locate(text, cited)
    clause = text[start:end]
    assert clause.lstrip().startswith(starts) and holds in clause and not_holds not in clause


def test_every_source_of_every_shipped_scheme_names_a_known_document_and_is_found():
    import re
    from importlib.resources import files

    schemes = files("survey.rules").joinpath("schemes")
    sources = {
        s
        for f in schemes.iterdir()
        if f.name.endswith(".toml")
        for s in re.findall(r'source = "([^"]*)"', f.read_text(encoding="utf-8"))
    }
    for source in sources:
        for cited in citations.cite(source):
            if cited.number is None:
                assert not re.match(r"\d{3}", cited.key), cited.key  # a note, not a seed
                continue
            assert citations.locate(seed(cited.number), cited), cited.key
