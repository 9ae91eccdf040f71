"""A site inventory: the hosts to certify, one CSV row each, as an administrator keeps them in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from genesys_lab.errors import FormatError

LIST_FIELDS = ("san_domains", "san_ips")


def read_inventory(path: Path | str) -> list[dict]:
    """Rows of keyword arguments for ``CertificateAuthority.issue_many``.

    ``san_domains`` and ``san_ips`` hold the guide's comma-separated lists,
    so a cell may be ``"a.example.com,b.example.com"`` (quoted in CSV).
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"host", "cn"} <= {f.strip() for f in reader.fieldnames}:
                raise FormatError(f"{path}: the first line must be a header with at least host,cn")
            return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as exc:
        raise FormatError(f"cannot read inventory {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text: save the spreadsheet as CSV UTF-8") from None
