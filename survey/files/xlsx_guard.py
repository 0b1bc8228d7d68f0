"""An uploaded XLSX package measured before openpyxl opens it.

An XLSX is a zip of XML parts, and openpyxl (even read-only) holds the whole shared-strings
table and each row's cells in memory: a 1.17 MB file of repeated tiny strings grew a worker
to 445 MB, a 63 KB file of one very wide row took 11.9 s and 562 MB. So the archive's own
directory is read first (how many parts, how large each unpacks), then every XML part is
streamed once through expat, counting rows, cells in a row, shared strings and the length
of each text, and refused at the first limit passed (no DOCTYPE, so no entity expansion).
An honest import (5,000 rows of about ten short cells) stays far below every figure.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

MAX_PARTS = 64  # Excel writes about a dozen
MAX_PART_BYTES = 8 * 2**20  # unpacked, any one part
MAX_UNPACKED_BYTES = 24 * 2**20  # unpacked, all parts
MAX_ROWS = 5001  # the header and imports.MAX_ROWS
MAX_ROW_CELLS = 256  # cells written in one row (Excel writes formatted empty ones too)
MAX_CELLS = 200_000  # cells in one sheet, or strings in the shared table
MAX_CELL_TEXT = 1000  # characters of one cell; a name is at most 200

SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


class TooLarge(Exception):
    """A limit passed: ``code`` and ``params`` for import_words.message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


class _Counter:
    """Expat handlers counting what openpyxl would hold for one part."""

    def __init__(self, sheet: bool):
        self.sheet, self.rows, self.cells, self.row_cells, self.strings = sheet, 0, 0, 0, 0
        self.text = None  # characters of the cell or shared string being read

    def start(self, name: str, attributes) -> None:
        tag = name.rpartition("}")[2].rpartition(":")[2]
        if self.sheet and tag == "row":
            self.rows, self.row_cells = self.rows + 1, 0
            if self.rows > MAX_ROWS:
                raise TooLarge("too_many_rows", n=MAX_ROWS - 1)
        elif self.sheet and tag == "c":
            self.cells, self.row_cells, self.text = self.cells + 1, self.row_cells + 1, 0
            if self.row_cells > MAX_ROW_CELLS:
                raise TooLarge("xlsx_wide_row", n=MAX_ROW_CELLS)
            if self.cells > MAX_CELLS:
                raise TooLarge("xlsx_too_many_cells", n=MAX_CELLS)
        elif not self.sheet and tag == "si":
            self.strings, self.text = self.strings + 1, 0
            if self.strings > MAX_CELLS:
                raise TooLarge("xlsx_too_many_cells", n=MAX_CELLS)

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text += len(data)
            if self.text > MAX_CELL_TEXT:
                raise TooLarge("xlsx_long_cell", n=MAX_CELL_TEXT)


def _refuse_doctype(*_args) -> None:
    raise TooLarge("not_xlsx")


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    counter = _Counter(sheet=SHEET.fullmatch(member.filename) is not None)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = counter.start
    parser.CharacterDataHandler = counter.characters
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    with archive.open(member) as stream:
        while chunk := stream.read(2**16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def check_package(data: bytes) -> None:
    """Raise TooLarge at the first limit the package passes; zipfile.BadZipFile or
    expat.ExpatError when it is not a sound package."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise TooLarge("xlsx_too_many_parts", n=MAX_PARTS)
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES or any(
            m.file_size > MAX_PART_BYTES for m in members
        ):
            raise TooLarge("xlsx_too_large", n=MAX_UNPACKED_BYTES // 2**20)
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _scan(archive, member)
