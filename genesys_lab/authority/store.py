"""The CA directory on disk, in the Security Pack layout that ``openssl ca`` keeps.

Files (DESIGN.md): ``ca_conf/{ca.conf, ca_cert.pem, ca_cert.pfx,
ca_priv_key.pem, ca.db, ca.db.attr, serial.num, crlnumber, repository/}``.
ca.db is OpenSSL's text database (``index.txt``): one line per certificate,
six tab-separated fields — status (V valid, R revoked, E expired), expiry,
revocation ``time[,reason]`` (empty unless R), serial in upper-case hex,
file name (always ``unknown``), subject as ``X509_NAME_oneline``.

Every write goes to a temporary file in the same folder and is renamed into
place, and one ``filelock`` lock serializes writers, so an interrupted or
concurrent issuance never leaves a half-written file or a reused serial.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

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
    moment = moment.astimezone(dt.timezone.utc)
    if moment.year < 2050:
        return moment.strftime("%y%m%d%H%M%SZ")
    return moment.strftime("%Y%m%d%H%M%SZ")


def parse_time(text: str) -> dt.datetime:
    fmt = "%y%m%d%H%M%SZ" if len(text) == 13 else "%Y%m%d%H%M%SZ"
    return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.timezone.utc)


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
    text = path.read_text(encoding="latin-1")  # X509_NAME_oneline output is ASCII with \xHH escapes
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
    text = path.read_text(encoding="latin-1")
    span = locate_db_line(text, number)
    if span is None:
        return None
    return parse_db_line(text[span[0] : span[1]], path=path, number=text.count("\n", 0, span[0]) + 1)


def read_hex_counter(path: Path) -> int:
    """serial.num and crlnumber: one line of hex, as ``openssl ca`` keeps them."""
    try:
        text = path.read_text(encoding="ascii").strip()
        return int(text.splitlines()[0], 16)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise CADatabaseError(f"{path}, line 1: expected a hexadecimal number such as 01; fix or restore the file") from None


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temporary file created with its final mode, then rename over the target.

    Creating the file with its mode (not chmod afterwards) means a key is
    never readable by others, not even for a moment.
    """
    tmp = _write_temporary(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def create_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a file that must not exist yet (repository files): never overwrite one.

    The complete temporary file is hard-linked to its name, which fails if
    the name exists, so even a writer outside the lock cannot be overwritten.
    """
    if path.exists():
        raise CADatabaseError(f"{path} already exists: serial.num is behind the repository; set it past the highest serial")
    tmp = _write_temporary(path, data, mode)
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise CADatabaseError(
            f"{path} already exists: serial.num is behind the repository; set it past the highest serial"
        ) from None
    except OSError:  # a file system without hard links: the lock and the check above must do
        os.replace(tmp, path)
    finally:
        _discard(tmp)


def _write_temporary(path: Path, data: bytes, mode: int) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


_LOCKS: dict[str, object] = {}


@contextlib.contextmanager
def locked(paths: CAPaths, timeout: float = 60):
    """Serialize writers of one CA (processes and threads) with a ``filelock`` lock file.

    One FileLock object per lock file, so a change made of several changes
    (renew = issue + record + revoke) can hold the lock throughout: filelock
    counts re-entries by the same thread instead of deadlocking on itself.
    """
    from filelock import FileLock

    key = str(paths.lock.resolve())
    lock = _LOCKS.get(key)
    if lock is None:
        lock = _LOCKS.setdefault(key, FileLock(key, timeout=timeout))
    with lock:
        yield


class Transaction:
    """The file changes of one change to a CA, undone in reverse order if it fails part-way."""

    def __init__(self):
        self.created: list[Path] = []
        self._undo: list[tuple[Path, bytes | None, int]] = []  # (path, old bytes or None if new, old mode)

    def create(self, path: Path, data: bytes, mode: int = 0o644) -> None:
        create_new(path, data, mode)
        self.created.append(path)
        self._undo.append((path, None, mode))

    def replace(self, path: Path, data: bytes, mode: int | None = None) -> None:
        """Replace a file, keeping its mode unless one is given (ca.db may have been made 0600)."""
        exists = path.exists()
        old = path.read_bytes() if exists else None
        old_mode = path.stat().st_mode & 0o777 if exists else 0o644
        write_atomic(path, data, old_mode if mode is None else mode)
        self._undo.append((path, old, old_mode))

    def rollback(self) -> None:
        for path, old, mode in reversed(self._undo):
            if old is None:
                _discard(path)
            else:
                write_atomic(path, old, mode)


_ACTIVE: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar("genesys_lab_transaction", default=None)


@contextlib.contextmanager
def transaction():
    """Group file changes so that either all of them land or none does.

    Inside another transaction this joins it: a composite change (renew)
    is then undone as a whole, not just its last step.
    """
    outer = _ACTIVE.get()
    if outer is not None:
        yield outer
        return
    tx = Transaction()
    token = _ACTIVE.set(tx)
    try:
        yield tx
    except BaseException:
        tx.rollback()
        raise
    finally:
        _ACTIVE.reset(token)
