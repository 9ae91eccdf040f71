"""A site inventory: the hosts to certify, one CSV row each, as an administrator keeps them in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from genesys_lab.errors import FormatError

LIST_FIELDS = ("san_domains", "san_ips")

#: Far above any site (10,000 hosts at 200 bytes a row is 2 MB), far below what exhausts memory.
MAX_INVENTORY_BYTES = 16 * 1024 * 1024


def read_inventory(path: Path | str) -> list[dict]:
    """Rows of keyword arguments for ``CertificateAuthority.issue_many``.

    ``san_domains`` and ``san_ips`` hold the guide's comma-separated lists,
    so a cell may be ``"a.example.com,b.example.com"`` (quoted in CSV). The
    file must be a regular file of at most 16 MiB (``/dev/zero`` would be
    read forever, a FIFO would block), and a row with more cells than the
    header is refused: an unquoted list would otherwise lose its SAN entries.
    """
    path = Path(path)
    text = _read(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict] = []
    done = 0  # the last line fully read: a broken record starts on the next one
    try:
        if not reader.fieldnames or not {"host", "cn"} <= {f.strip() for f in reader.fieldnames}:
            raise FormatError(f"{path}: the first line must be a header with at least host,cn")
        done = reader.line_num
        for row in reader:
            rows.append(_row(path, reader, row))
            done = reader.line_num
    except csv.Error as exc:
        raise FormatError(f"{path}, line {done + 1}: {_csv_problem(exc)}") from None
    return rows


def _read(path: Path) -> str:
    import stat

    try:
        info = path.stat()
    except OSError as exc:
        raise FormatError(f"cannot read inventory {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device or a pipe)"
        raise FormatError(f"cannot read inventory {path}: it is {kind}: give the CSV file")
    if info.st_size > MAX_INVENTORY_BYTES:
        raise FormatError(
            f"inventory {path} is {info.st_size} bytes, over the limit of {MAX_INVENTORY_BYTES} bytes: split it into several files"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INVENTORY_BYTES + 1)
    except OSError as exc:
        raise FormatError(f"cannot read inventory {path}: {exc.strerror}") from None
    if len(data) > MAX_INVENTORY_BYTES:
        raise FormatError(f"inventory {path} grew past {MAX_INVENTORY_BYTES} bytes while being read: give a finished file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(f"{path}, line {line}: not UTF-8 text: save the spreadsheet as CSV UTF-8") from None


def _row(path: Path, reader: csv.DictReader, row: dict) -> dict:
    extra = row.get(None)
    if extra:
        raise FormatError(
            f"{path}, line {reader.line_num}: {len(extra)} more cell(s) than the header has columns: "
            'put a list of names in one quoted cell, e.g. "a.example.com,b.example.com"'
        )
    return {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a cell is longer than {csv.field_size_limit()} characters: no host name or SAN list is that long; check the quoting"
        )
    return f"{text}: check the quoting (a cell with a comma must be in double quotes)"
