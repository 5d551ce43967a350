"""CSV that spreadsheets open safely, streamed row by row.

A cell that starts with = + - @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets ("CSV injection"); such cells get a leading apostrophe, which
those programs show as text. `stream_csv` yields encoded lines, so exports of any size use
flat memory; `excel=True` adds the byte-order mark Excel needs to read UTF-8.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value  # numbers are numbers; a negative number is not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_text(value):
    """`safe_cell` of text or None, in one step."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def write(self, text):
        return text


def stream_csv(rows, *, excel=False, safe=False):
    """Encoded CSV lines. `safe=True`: the rows' cells have been through `safe_cell` (or are
    numbers, None or words) already, and are written as they are."""
    writer = csv.writer(_Line())
    if excel:
        yield "\ufeff".encode()
    if safe:
        for row in rows:
            yield writer.writerow(row).encode("utf-8")
        return
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row]).encode("utf-8")


def line_writer():
    """row -> its CSV line, encoded, for cells already through `safe_cell`."""
    write = csv.writer(_Line()).writerow
    return lambda row: write(row).encode("utf-8")
