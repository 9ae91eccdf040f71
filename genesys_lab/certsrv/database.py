"""The request database beside the CA: ``ca_conf/certsrv_requests.json``.

A Windows CA keeps every request in its database with a Request ID, the
requester, the template, a disposition (pending, issued, denied), the
submission and resolution times and, once issued, the certificate's serial;
the Certification Authority console shows them in Pending Requests, Issued
Certificates and Failed Requests ([MS-CSRA] 3.1.1.1, the Request table,
https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-csra/4180857e-c770-4256-877e-1d67b9e3bb6a).

The lab keeps the same columns in one JSON file (``openssl ca`` ignores
it). It is only ever changed under the CA's lock inside the transaction of
``genesys_lab.authority.store``, together with the ca.db change it goes
with, so a request is never "issued" without its certificate or the other
way round.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from genesys_lab.authority import store
from genesys_lab.errors import CADatabaseError

DB_FILE = "certsrv_requests.json"


class Disposition(enum.Enum):
    PENDING = "pending"
    ISSUED = "issued"
    DENIED = "denied"


@dataclass(frozen=True)
class RequestRecord:
    """One row: the request as received (PEM) and what became of it."""

    id: int
    requester: str
    template: str
    status: Disposition
    submitted: dt.datetime
    subject: str
    csr: str
    resolved: dt.datetime | None = None
    serial: str | None = None
    message: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        data["submitted"] = self.submitted.isoformat()
        data["resolved"] = self.resolved.isoformat() if self.resolved else None
        return data

    @classmethod
    def from_json(cls, data: dict, where: str) -> RequestRecord:
        try:
            return cls(
                id=int(data["id"]),
                requester=str(data["requester"]),
                template=str(data["template"]),
                status=Disposition(data["status"]),
                submitted=dt.datetime.fromisoformat(data["submitted"]),
                subject=str(data["subject"]),
                csr=str(data["csr"]),
                resolved=dt.datetime.fromisoformat(data["resolved"]) if data.get("resolved") else None,
                serial=data.get("serial"),
                message=str(data.get("message", "")),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise CADatabaseError(f"{where}: a request entry is damaged ({exc}): restore the file from a backup") from None


def db_path(paths: store.CAPaths) -> Path:
    return paths.conf / DB_FILE


def read_requests(paths: store.CAPaths) -> list[RequestRecord]:
    """All requests in id order; no file yet means no requests."""
    path = db_path(paths)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["requests"]
        if not isinstance(rows, list):
            raise TypeError("requests is not a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CADatabaseError(f"{path} cannot be read ({exc}): restore it from a backup") from None
    return [RequestRecord.from_json(row, str(path)) for row in rows]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write(tx, paths: store.CAPaths, records: list[RequestRecord]) -> None:
    text = json.dumps({"requests": [r.to_json() for r in records]}, indent=1) + "\n"
    tx.replace(db_path(paths), text.encode("utf-8"), mode=0o644 if not db_path(paths).exists() else None)


def add(tx, paths: store.CAPaths, record: RequestRecord) -> RequestRecord:
    """Append a request with the next id (the caller holds the CA's lock); returns it with its id."""
    records = read_requests(paths)
    record = replace(record, id=max((r.id for r in records), default=0) + 1)
    _write(tx, paths, records + [record])
    return record


def update(tx, paths: store.CAPaths, record: RequestRecord) -> None:
    """Replace the row with ``record.id`` (the caller holds the CA's lock)."""
    records = [record if r.id == record.id else r for r in read_requests(paths)]
    _write(tx, paths, records)
