"""CSV cells that a spreadsheet would run as formulas are written as text (issue 11)."""

from __future__ import annotations

import csv
import io

import pytest

from recovery.csvsafe import safe_cell, write_rows


@pytest.mark.parametrize("value", [
    '=HYPERLINK("http://evil.test","open")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)", "\t=1+1", "\r=1+1", "-", "=",
])
def test_a_formula_becomes_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Dr Ada", "fewer than 5", "-1.5", "+2", "40%", "-.5", "3", "",
                                   "a=b", 7, None, -3.0])
def test_names_and_numbers_are_kept(value):
    assert safe_cell(value) == value


def test_write_rows_neutralises_every_cell():
    out = io.StringIO()
    write_rows(out, [["=1+1", "-0.4", "Monday group"], ["@x", 3, "+cmd"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-0.4", "Monday group"], ["'@x", "3", "'+cmd"],
    ]
