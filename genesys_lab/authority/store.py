"""The CA directory on disk, in the Security Pack layout that ``openssl ca`` keeps.

Files (DESIGN.md): ``ca_conf/{ca.conf, ca_cert.pem, ca_cert.pfx,
ca_priv_key.pem, ca.db, ca.db.attr, serial.num, crlnumber, repository/}``.
ca.db is OpenSSL's text database (``index.txt``): one line per certificate,
six tab-separated fields — status (V valid, R revoked, E expired), expiry,
revocation ``time[,reason]`` (empty unless R), serial in upper-case hex,
file name (always ``unknown``), subject as ``X509_NAME_oneline``.

Every change is one crash-safe transaction of ``authority.journal`` on the
folder ``ca_conf/`` (staged files, a write-ahead journal, then the renames;
recovery when the CA is next opened), and its ``filelock`` lock serializes
writers, so a killed or concurrent issuance never leaves a half-written
file, a certificate missing from ca.db, or a reused serial or CRL number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from genesys_lab import files
from genesys_lab.authority import journal
from genesys_lab.errors import CADatabaseError, CANotFoundError

CONF_DIR = "ca_conf"


@dataclass(frozen=True)
class CAPaths:
    """Where each file of a CA directory lives."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / CONF_DIR

    @property
    def config(self) -> Path:
        return self.conf / "ca.conf"

    @property
    def cert(self) -> Path:
        return self.conf / "ca_cert.pem"

    @property
    def pfx(self) -> Path:
        return self.conf / "ca_cert.pfx"

    @property
    def key(self) -> Path:
        return self.conf / "ca_priv_key.pem"

    @property
    def db(self) -> Path:
        return self.conf / "ca.db"

    @property
    def db_attr(self) -> Path:
        return self.conf / "ca.db.attr"

    @property
    def serial(self) -> Path:
        return self.conf / "serial.num"

    @property
    def crlnumber(self) -> Path:
        return self.conf / "crlnumber"

    @property
    def repository(self) -> Path:
        return self.conf / "repository"

    @property
    def crl_pem(self) -> Path:
        return self.conf / "crl.pem"

    @property
    def crl_der(self) -> Path:
        return self.conf / "crl.der"

    @property
    def lock(self) -> Path:
        return self.conf / ".lock"

    def require_ca(self) -> None:
        """Refuse early, with the fix, when the directory holds no CA."""
        missing = [p.name for p in (self.cert, self.key, self.db, self.serial) if not p.exists()]
        if missing:
            raise CANotFoundError(
                f"no CA in {self.root.resolve()} (missing ca_conf/{', ca_conf/'.join(missing)}): "
                "run create_ca.sh there first, or pass --ca-dir"
            )
        if not self.config.exists():
            # Without it openssl ca cannot run the CA, and the lab would issue
            # certificates without the CA's CRL distribution point.
            raise CANotFoundError(
                f"{self.config} is missing: openssl ca cannot run this CA without it; recreate it from the CA with "
                f"'genesys-lab recreate-conf --ca-dir {self.root}' (add --crl-url URL if the CA publishes a CRL)"
            )


@dataclass(frozen=True)
class DbRecord:
    """One ca.db line, parsed."""

    status: str  # "V", "R" or "E"
    expires: dt.datetime
    revoked_at: dt.datetime | None
    reason: str | None
    serial: str  # upper-case hex, whole bytes: "01", "0A", "03E8"
    filename: str
    subject: str  # X509_NAME_oneline form

    def to_line(self) -> str:
        revocation = ""
        if self.revoked_at is not None:
            revocation = format_time(self.revoked_at) + (f",{self.reason}" if self.reason else "")
        return "\t".join([self.status, format_time(self.expires), revocation, self.serial, self.filename, self.subject])


def serial_hex(number: int) -> str:
    """Serial as ``openssl ca`` writes it in serial.num, ca.db and file names: upper hex, whole bytes."""
    text = f"{number:X}"
    return text.zfill(len(text) + len(text) % 2)


def parse_serial(text: str) -> int:
    """Accept ``02``, ``0A``, ``0x0a`` (what users copy from file names or ``openssl x509 -serial``)."""
    value = text.strip()
    if value.lower().startswith("0x"):
        value = value[2:]
    if value.lower().startswith("serial="):
        value = value[7:]
    if not value or not re.fullmatch(r"[0-9A-Fa-f:]+", value):
        from genesys_lab.errors import UsageError

        raise UsageError(f"serial {text!r} is not hexadecimal: write it as in the file names, e.g. 02 or 0A")
    return int(value.replace(":", ""), 16)


def looks_like_serial(text: str) -> bool:
    """Whether a command-line argument is a serial (``02``, ``0x0A``) rather than a file name."""
    value = text.strip().lower().removeprefix("0x")
    return bool(value) and bool(re.fullmatch(r"[0-9a-f:]+", value))


def format_time(moment: dt.datetime) -> str:
    """ASN.1 time text as OpenSSL stores it: UTCTime before 2050, GeneralizedTime after (RFC 5280 4.1.2.5)."""
    moment = moment.astimezone(dt.UTC)
    if moment.year < 2050:
        return moment.strftime("%y%m%d%H%M%SZ")
    return moment.strftime("%Y%m%d%H%M%SZ")


def parse_time(text: str) -> dt.datetime:
    fmt = "%y%m%d%H%M%SZ" if len(text) == 13 else "%Y%m%d%H%M%SZ"
    return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)


def parse_db_line(line: str, *, path: Path, number: int) -> DbRecord:
    fields = line.rstrip("\n").split("\t")
    where = f"{path}, line {number}"
    if len(fields) != 6:
        raise CADatabaseError(
            f"{where}: expected 6 tab-separated fields, found {len(fields)}; restore ca.db from ca.db.old or a backup"
        )
    status, expires, revocation, serial, filename, subject = fields
    if status not in ("V", "R", "E"):
        raise CADatabaseError(f"{where}: status {status!r} is not V, R or E; restore ca.db from a backup")
    if not re.fullmatch(r"[0-9A-F]+", serial):
        raise CADatabaseError(f"{where}: serial {serial!r} is not upper-case hex; restore ca.db from a backup")
    try:
        revoked_at, reason = None, None
        if revocation:
            stamp, _, reason = revocation.partition(",")
            revoked_at, reason = parse_time(stamp), reason or None
        return DbRecord(status, parse_time(expires), revoked_at, reason, serial, filename, subject)
    except ValueError:
        raise CADatabaseError(f"{where}: a date is not in YYMMDDHHMMSSZ form; restore ca.db from a backup") from None


def read_db(path: Path) -> list[DbRecord]:
    text = _read_text(path)  # X509_NAME_oneline output is ASCII with \xHH escapes
    return [parse_db_line(line, path=path, number=i) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def locate_db_line(text: str, number: int) -> tuple[int, int] | None:
    """(start, end) of the ca.db line for one serial in ``text``, without parsing the others.

    ``openssl ca -status`` and ``-revoke`` must stay quick with 100,000
    lines, so the serial as OpenSSL writes it (upper-case hex, whole bytes)
    is found with ``str.find``; a serial written otherwise (leading zeros,
    lower case) by another tool falls back to one regular-expression scan.
    """
    needle = f"\t{serial_hex(number)}\t"
    pos = text.find(needle)
    while pos != -1:
        start = text.rfind("\n", 0, pos) + 1
        if text.count("\t", start, pos) == 2:  # the serial is the fourth field
            end = text.find("\n", pos)
            return start, len(text) if end == -1 else end
        pos = text.find(needle, pos + 1)
    pattern = re.compile(r"^[^\t\n]*\t[^\t\n]*\t[^\t\n]*\t0*" + f"{number:X}" + r"\t[^\n]*", re.MULTILINE | re.IGNORECASE)
    match = pattern.search(text)
    return (match.start(), match.end()) if match else None


def find_db_record(path: Path, number: int) -> DbRecord | None:
    """The ca.db record of one serial (see ``locate_db_line``)."""
    text = _read_text(path)
    span = locate_db_line(text, number)
    if span is None:
        return None
    return parse_db_line(text[span[0] : span[1]], path=path, number=text.count("\n", 0, span[0]) + 1)


def read_hex_counter(path: Path, minimum: int = 0) -> int:
    """serial.num and crlnumber: one line of hex, as ``openssl ca`` keeps them.

    ``minimum`` 1 for serial.num: RFC 5280 4.1.2.2 wants a positive serial,
    so ``00`` (and ``-5``, which is not hex at all) is refused with the fix.
    """
    try:
        first = read_bytes(path).decode("ascii").strip().splitlines()[0].strip()
    except (IndexError, UnicodeDecodeError):
        first = ""
    if not re.fullmatch(r"[0-9A-Fa-f]+", first):
        raise CADatabaseError(f"{path}, line 1: expected a hexadecimal number such as 01; fix or restore the file")
    value = int(first, 16)
    if value < minimum:
        raise CADatabaseError(
            f"{path}, line 1: {first} is below {serial_hex(minimum)} (serials are positive): set it past the highest serial in ca.db"
        )
    return value


def _read_text(path: Path) -> str:
    """ca.db as text: X509_NAME_oneline output is ASCII with \\xHH escapes; Latin-1 maps every byte."""
    return read_bytes(path).decode("latin-1")


# ------------------------------------------------------------------ changing a CA
#
# The crash-safe machinery (lock, write-ahead journal, recovery, signals)
# is generic and lives in ``authority.journal``; for a CA the store folder is
# ``ca_conf/``: its journal is ``ca_conf/.journal`` and its lock
# ``ca_conf/.lock``, which ``openssl ca`` never reads (it opens only the
# files named in ca.conf), and the staged files sit beside their targets in
# ``ca_conf/`` and ``ca_conf/repository/``.

write_atomic = files.write_atomic  # a single file outside any store (user output files)
Transaction = journal.Transaction
Interrupted = journal.Interrupted
Recovery = journal.Recovery
LockBusyError = journal.LockBusyError


def _root(where) -> Path:
    return where.conf if isinstance(where, CAPaths) else Path(where)


def locked(where, timeout: float | None = None):
    """The lock of a CA (``CAPaths``) or of any store folder; recovers a killed change first."""
    return journal.locked(_root(where), timeout)


def transaction(where=None, label: str = "change"):
    """One crash-safe change to a CA (``CAPaths``) or store folder; without ``where``, of the lock held.

    ``with store.transaction(paths, "issue 02") as tx: tx.create(...); tx.replace(...)``:
    see ``authority.journal`` for what happens at each step and after a kill.
    """
    return journal.transaction(None if where is None else _root(where), label)


def recover(paths: CAPaths) -> Recovery | None:
    """Finish or undo a change a killed process left in this CA (takes the lock)."""
    if not (paths.conf / journal.JOURNAL_NAME).exists():
        return None
    with locked(paths):
        return None  # locked() recovered and reported it


def read_bytes(path: Path) -> bytes:
    """A CA file as the open transaction will leave it (what a later step of renew must see)."""
    return journal.read_bytes(path)
