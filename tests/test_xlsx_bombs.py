"""XLSX bombs, built in memory: each is refused before openpyxl holds it, with the limit named
in the page's language and by the CLI, and an honest 5,000-row file still imports."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from test_imports import upload, write, xlsx

from survey.files import imports, xlsx_guard

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def repacked(parts: dict[str, str], extra: int = 0) -> bytes:
    """A sound two-cell roll with ``parts`` replaced or added (deflated hard, as a bomb is)
    and ``extra`` empty parts more."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([["姓名", "类别"], ["张三", "正式党员"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name in base.namelist():
            bomb.writestr(name, parts.pop(name, None) or base.read(name))
        for name, text in parts.items():
            bomb.writestr(name, text)
        for number in range(extra):
            bomb.writestr(f"docProps/extra{number}.txt", "")
    return out.getvalue()


def shared_strings(strings) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in strings)
        + "</sst>"
    )


SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(table: str) -> bytes:
    """A roll whose two cells name the shared-strings table ``table``, declared and related
    as Excel declares it, so that openpyxl reads all of it."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([["x"]])))
    types = (
        base.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}" /></Types>',
        )
    )
    rels = (
        base.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Type="{SST_REL}" Target="sharedStrings.xml" Id="rId9" />'
            "</Relationships>",
        )
    )
    row = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    return repacked(
        {
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/worksheets/sheet1.xml": SHEET_HEAD + row + SHEET_TAIL,
            "xl/sharedStrings.xml": table,
        }
    )


def strings_bomb() -> bytes:
    """A shared-strings table unpacking to 32 MB from well under 1 MB."""
    return with_shared_strings(shared_strings(["a"] * (32 * 2**20 // 15)))


def wide_row_bomb(cells=20_000) -> bytes:
    row = '<row r="1">' + '<c t="n"><v>1</v></c>' * cells + "</row>"
    return repacked({"xl/worksheets/sheet1.xml": SHEET_HEAD + row + SHEET_TAIL})


ENTITIES = '<!DOCTYPE s [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>'
BOMBS = {
    "strings": (strings_bomb, "xlsx_too_large", "24 MB"),
    "wide-row": (wide_row_bomb, "xlsx_wide_row", "256"),
    "parts": (lambda: repacked({}, extra=100), "xlsx_too_many_parts", "64"),
    "long-cell": (
        lambda: with_shared_strings(shared_strings(["张" * 1001, "类别"])),
        "xlsx_long_cell",
        "1000",
    ),
    "many-strings": (
        lambda: with_shared_strings(shared_strings(["a"] * 200_001)),
        "xlsx_too_many_cells",
        "200000",
    ),
    "entities": (
        lambda: repacked({"xl/sharedStrings.xml": ENTITIES}),
        "not_xlsx",
        "",
    ),
}


@pytest.mark.parametrize("kind", BOMBS)
def test_a_bomb_is_refused_before_openpyxl_reads_it_naming_the_limit(kind, monkeypatch):
    build, code, figure = BOMBS[kind]
    data = build()
    assert len(data) < 2 * 2**20  # under the upload limit: it reaches the reader

    opened = []

    def never(*args, **kwargs):
        opened.append(True)
        raise ValueError("openpyxl opened a bomb")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    started = time.monotonic()
    with pytest.raises(imports.Unreadable) as refused:
        imports.read_table(data, "roll.xlsx", lang="en")
    assert time.monotonic() - started < 5 and not opened
    assert refused.value.message == imports.message(code, "en", n=(figure or "0").split()[0])
    assert figure in refused.value.message


def test_the_strings_bomb_is_small_and_unpacks_far_beyond_the_limit():
    data = strings_bomb()
    assert len(data) < 300 * 1024
    sizes = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert sizes > 30 * 2**20


def test_the_page_names_the_limit_in_its_language(auth, client, org, db):
    auth.login("secretary")
    url = f"/staff/files/branches/{org['first'].id}/members/import"
    zh = upload(client, url, wide_row_bomb(), "roll.xlsx")
    assert zh.status_code == 400 and "有一行超过256个单元格（上限）" in zh.text
    client.set_cookie("lang", "en")
    en = upload(client, url, strings_bomb(), "roll.xlsx")
    assert en.status_code == 400 and "unpacks to more than 24 MB (the limit)" in en.text


def test_the_cli_names_the_limit(runner, db, tmp_path):
    result = runner.invoke(
        args=["import-organisations", write(tmp_path, "o.xlsx", wide_row_bomb())]
    )
    assert result.exit_code != 0 and "有一行超过256个单元格（上限）" in result.output


def test_a_small_shared_strings_table_is_read_through_the_guard():
    rows = imports.read_table(with_shared_strings(shared_strings(["姓名", "类别"])), "r.xlsx")
    assert [row[:2] for row in rows] == [["姓名", "类别"]]


def test_an_honest_file_of_5000_rows_passes_the_guard_quickly():
    rows = [["姓名", "类别"]] + [[f"党员{i:05d}", "正式党员"] for i in range(5000)]
    data = xlsx(rows)
    started = time.monotonic()
    xlsx_guard.check_package(data)
    assert time.monotonic() - started < 2
    assert len(imports.read_table(data, "roll.xlsx")) == 5001
