"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
before looking) is run as a formula by Excel, LibreOffice and Google Sheets: a clinician's
display name or a programme title such as `=HYPERLINK("http://evil.test", "open")` would
become a live link, or worse, in the clinic's export. Such a cell is written with a leading
apostrophe, which spreadsheets show as text and hide. Plain numbers (-1.5, +2, 40%) are left
as they are so that figures stay figures.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)%?")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet will read it as text: formula-looking strings get a leading
    apostrophe; numbers, None and other strings are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_rows(out: _Writable, rows: Iterable[Iterable[object]]) -> None:
    """csv.writer(out).writerows(rows), every cell through `safe_cell`."""
    csv.writer(out).writerows([safe_cell(cell) for cell in row] for row in rows)
