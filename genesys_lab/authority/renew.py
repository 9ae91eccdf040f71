"""Renew a host certificate: the same host, subject, SAN, profile, key size and digest; a new key and serial.

Why a new key and not only new dates: a renewal is the moment to retire a
key that has lived on disks and in backups for the whole validity period,
and ``openssl ca`` gives every certificate its own serial anyway. Everything
else is read back from the old certificate, not from what the user remembers
typing, so the replacement fits the same place in the configuration.

Which certificate replaced which is kept in ``ca_conf/renewals.tsv``, one
``old<TAB>new<TAB>time`` line per renewal. It lives beside ca.db rather than
in it because ca.db's six fields are fixed by ``openssl ca``, which must
keep reading the database; OpenSSL ignores files it does not know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from genesys_lab.authority import store
from genesys_lab.authority.request import HostRequest

if TYPE_CHECKING:
    from genesys_lab.authority.ca import IssuedCertificate
from genesys_lab.errors import CADatabaseError, RevocationError, UsageError

RENEWALS_FILE = "renewals.tsv"
_HEADER = "# old_serial\tnew_serial\trenewed_at  (genesys_lab renewals; openssl ca ignores this file)\n"


@dataclass(frozen=True)
class Renewal:
    """What renew() did: the old serial, the new certificate, and whether the old one is now revoked."""

    old_serial: str
    new: IssuedCertificate
    revoked_old: bool
    renewed_at: dt.datetime

    @property
    def new_serial(self) -> str:
        return self.new.serial


def renewals_path(ca) -> Path:
    return ca.paths.conf / RENEWALS_FILE


def plan_renewal(cert, *, days=None, key_size=None, digest=None) -> HostRequest:
    """The request that renews ``cert``, read back from it (``HostRequest.from_certificate``)."""
    return HostRequest.from_certificate(cert, days=days, key_size=key_size, digest=digest)


def renew(ca, serial, *, revoke_old: bool = False, days=None, key_size=None, digest=None) -> Renewal:
    """Issue the replacement of certificate ``serial`` and remember which replaced which.

    Order matters for a site that is running: the new certificate is issued
    and recorded first, and only then is the old one revoked (reason
    ``superseded``, RFC 5280 5.3.1), so a failure never leaves a host with
    a revoked certificate and no successor. Refuses, before anything is
    written, a serial that was already renewed (renew its successor) and
    ``revoke_old`` for a certificate that is already revoked. ``days``,
    ``key_size`` and ``digest`` override what the old certificate had: a
    renewal is also the way out of a 1024-bit key or a SHA-1 signature.
    """
    from genesys_lab.authority.ca import load_ca

    ca = load_ca(ca)
    # One lock and one transaction around all three steps: two renewals of
    # the same serial cannot both succeed, and a failing revocation undoes
    # the new certificate and its record too (store.transaction nests).
    with store.transaction(ca.paths, f"renew {serial}"):
        record = ca.record(serial)
        done = replacements(ca)
        if record.serial in done:
            raise UsageError(
                f"serial {record.serial} was already renewed as {done[record.serial]}: renew {done[record.serial]} instead"
            )
        if revoke_old and record.status == "R":
            raise RevocationError(
                f"serial {record.serial} is already revoked ({record.reason or 'no reason'}): renew it without --revoke-old"
            )
        request = plan_renewal(ca.load_certificate(record.serial), days=days, key_size=key_size, digest=digest)
        new = ca.issue_request(request)
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
        _record(ca, record.serial, new.serial, moment)
        if revoke_old:
            from genesys_lab.authority.revoke import revoke

            revoke(ca, record.serial, "superseded", when=moment)
    return Renewal(record.serial, new, revoke_old, moment)


def _record(ca, old: str, new: str, moment: dt.datetime) -> None:
    path = renewals_path(ca)
    with store.transaction(ca.paths, f"record renewal {old} -> {new}") as tx:
        text = _decode(path, tx.read_bytes(path)) if tx.exists(path) else _HEADER
        if not text.endswith("\n"):
            text += "\n"
        line = f"{old}\t{new}\t{store.format_time(moment)}\n"
        tx.replace(path, (text + line).encode("ascii"))


def _decode(path: Path, data: bytes) -> str:
    """renewals.tsv is ASCII (serials and times); anything else was typed in by hand and is named."""
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CADatabaseError(
            f"{path}, line {line}: byte 0x{data[exc.start]:02x} is not ASCII: renewals.tsv holds only serials and times; fix or remove that line"
        ) from None


def replacements(ca) -> dict[str, str]:
    """{old serial: new serial} for every renewal of this CA, in the order they happened."""
    path = renewals_path(ca)
    if not store.journal.exists(path):
        return {}
    result = {}
    for number, line in enumerate(_decode(path, store.read_bytes(path)).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise CADatabaseError(f"{path}, line {number}: expected old<TAB>new<TAB>time; fix or remove the line")
        result[fields[0]] = fields[1]
    return result


def renewal_notes(ca) -> dict[str, str]:
    """{serial: "replaced by 05" / "replaces 02"} for the list command and tables."""
    notes: dict[str, list[str]] = {}
    for old, new in replacements(ca).items():
        notes.setdefault(old, []).append(f"replaced by {new}")
        notes.setdefault(new, []).append(f"replaces {old}")
    return {serial: ", ".join(parts) for serial, parts in notes.items()}
