"""Publish the CA's certificate revocation list, as ``openssl ca -gencrl`` does, and read CRLs back.

What goes in (RFC 5280 5.1, and what OpenSSL 3.0 writes from our ca.conf):
version v2; the CA's subject as issuer; thisUpdate now and nextUpdate
``days`` later; one entry per ``R`` line of ca.db, sorted by serial (OpenSSL's
``X509_CRL_sort``), with the reason code; the CRL extensions
authorityKeyIdentifier (keyid only, ``crl_ext``) and cRLNumber taken from
``crlnumber``, which is then incremented, so OpenSSL and the lab can take
turns publishing without reusing a number.

Why we encode the TBSCertList ourselves (with ``_der``) instead of using
``cryptography``'s CertificateRevocationListBuilder: the builder copies its
entry list on every ``add_revoked_certificate``, which is quadratic, and a
CA with 100,000 revoked certificates must still publish in a moment; it also
refuses SHA-1, which ca.conf's ``default_md`` may ask for. Encoding the list
in one pass and signing the bytes with the CA key solves both. The revocation
times in ca.db are already ASN.1 time strings, so they are copied, not parsed.

One deliberate difference: for reason ``unspecified`` OpenSSL writes a
reasonCode entry extension with value 0; RFC 5280 5.3.1 says that extension
SHOULD be absent instead, so we leave it out. Both mean the same to a
verifier (``_OMIT_UNSPECIFIED`` switches to OpenSSL's form).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from genesys_lab.authority import reasons, store
from genesys_lab.authority.defaults import DEFAULT_CRL_DAYS
from genesys_lab.errors import CADatabaseError, FormatError, GenesysLabError, UsageError
from genesys_lab.x509 import der as _der
from genesys_lab.x509.describe import extension
from genesys_lab.x509.profiles import Digest

_OMIT_UNSPECIFIED = True

# OIDs (RFC 5280 5.2, 5.3; RFC 4055 / RFC 5758 signature algorithms)
_AKI, _CRL_NUMBER, _REASON = "2.5.29.35", "2.5.29.20", "2.5.29.21"
_HOLD_CODE, _INVALIDITY = "2.5.29.23", "2.5.29.24"
_RSA_SIG = {
    Digest.SHA1: "1.2.840.113549.1.1.5",
    Digest.SHA224: "1.2.840.113549.1.1.14",
    Digest.SHA256: "1.2.840.113549.1.1.11",
    Digest.SHA384: "1.2.840.113549.1.1.12",
    Digest.SHA512: "1.2.840.113549.1.1.13",
}
_ECDSA_SIG = {
    Digest.SHA1: "1.2.840.10045.4.1",
    Digest.SHA224: "1.2.840.10045.4.3.1",
    Digest.SHA256: "1.2.840.10045.4.3.2",
    Digest.SHA384: "1.2.840.10045.4.3.3",
    Digest.SHA512: "1.2.840.10045.4.3.4",
}
_HOLD_OIDS = {
    "holdinstructionnone": "1.2.840.10040.2.1",
    "holdinstructioncallissuer": "1.2.840.10040.2.2",
    "holdinstructionreject": "1.2.840.10040.2.3",
}

# ca.db reason text -> CRLReason code, and code -> name: the one table in authority.reasons.
_DB_REASONS = reasons.DB_CODES
REASON_NAMES = reasons.NAMES

_TIME = re.compile(r"\d{12}Z|\d{14}Z")


class CrlUnavailableError(GenesysLabError):
    """A CRL could not be fetched from its distribution point (slow, unreachable, or not a CRL)."""


@dataclass(frozen=True)
class RevokedEntry:
    """One revokedCertificates entry: serial, when, and the reason (None when the CRL gives none)."""

    serial: int
    revoked_at: dt.datetime
    reason: str | None

    @property
    def serial_hex(self) -> str:
        return store.serial_hex(self.serial)


@dataclass(frozen=True)
class CrlInfo:
    """A CRL's fields, with an index built once so ``is_revoked`` is O(1) even at 100,000 entries."""

    issuer: str  # ca.db / X509_NAME_oneline form
    number: int | None
    this_update: dt.datetime
    next_update: dt.datetime | None
    digest: str  # sha256, sha1, ...
    authority_key_id: str | None  # hex, as openssl prints it without colons
    der: bytes = field(repr=False, compare=False)
    path: Path | None = None
    read_entries: Callable[[], tuple[RevokedEntry, ...]] = field(default=tuple, repr=False, compare=False)
    size: int | None = field(default=None, compare=False)  # the number of entries, when known without decoding

    @cached_property
    def entries(self) -> tuple[RevokedEntry, ...]:
        """Decoded on first use: a CRL checked for one serial need not turn 100,000 entries into objects."""
        return tuple(self.read_entries())

    @cached_property
    def _index(self) -> dict:
        return {e.serial: e for e in self.entries}

    @property
    def count(self) -> int:
        return self.size if self.size is not None else len(self.entries)

    def entry(self, serial: int | str) -> RevokedEntry | None:
        number = serial if isinstance(serial, int) else store.parse_serial(serial)
        return self._index.get(number)

    def is_revoked(self, serial: int | str) -> bool:
        return self.entry(serial) is not None

    def is_current(self, now: dt.datetime | None = None) -> bool:
        """thisUpdate <= now < nextUpdate: a verifier rejects a CRL outside that window."""
        now = now or dt.datetime.now(dt.UTC)
        return self.this_update <= now and (self.next_update is None or now < self.next_update)

    def is_signed_by(self, ca_certificate) -> bool:
        """Signature check with the CA's public key (SHA-1 CRLs verify too), remembered per key.

        A verifier checks one CRL for many certificates; re-checking a
        100,000-entry CRL's signature for each would cost more than all the
        rest, so the answer is kept for each CA key this CRL was checked against.
        """
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        public_key = ca_certificate.public_key()
        spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        if spki not in self._signature_checked:
            self._signature_checked[spki] = _signature_valid(self.der, public_key)
        return self._signature_checked[spki]

    @cached_property
    def _signature_checked(self) -> dict:
        return {}

    def pem(self) -> bytes:
        return _pem(self.der)

    def to_rows(self) -> list[dict]:
        """One dict per entry, serials written as in ca.db and file names (for tables)."""
        return [{"serial": e.serial_hex, "revoked_at": e.revoked_at, "reason": e.reason or ""} for e in self.entries]


def distribution_points(certificate) -> tuple[str, ...]:
    """The URLs of a certificate's CRL Distribution Points extension (RFC 5280 4.2.1.13), in order."""
    from cryptography import x509

    from genesys_lab.x509.describe import load_certificate

    cdp = extension(load_certificate(certificate), x509.CRLDistributionPoints)
    return tuple(
        name.value for point in cdp or () for name in point.full_name or () if isinstance(name, x509.UniformResourceIdentifier)
    )


# ------------------------------------------------------------------ generate


def generate_crl(ca, days=DEFAULT_CRL_DAYS, *, now: dt.datetime | None = None) -> CrlInfo:
    """Write ``ca_conf/crl.pem`` and ``crl.der`` from ca.db and advance ``crlnumber`` (``openssl ca -gencrl``).

    All three files change in one locked transaction: a failure leaves the
    old CRL and the old number in place.
    """
    from genesys_lab.authority.ca import check_days, load_ca

    ca = load_ca(ca)
    days = check_days(days, "--days")
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    digest = config_digest(ca.paths.config)
    key, cert = ca.key, ca.certificate
    algorithm = _signature_algorithm(key, digest)
    with store.transaction(ca.paths, "gen-crl") as tx:
        number = _crl_number(ca.paths.crlnumber)
        rows = revoked_rows(ca.paths.db)
        tbs = _tbs(cert, algorithm, now, now + dt.timedelta(days=days), rows, number)
        der = _der.sequence(tbs, algorithm, _der.bit_string(_sign(key, tbs, digest)))
        tx.replace(ca.paths.crl_der, der)
        tx.replace(ca.paths.crl_pem, _pem(der))
        tx.replace(ca.paths.crlnumber, (store.serial_hex(number + 1) + "\n").encode())
    return CrlInfo(
        _issuer_text(cert),
        number,
        now,
        now + dt.timedelta(days=days),
        digest.value,
        _aki(cert).hex().upper(),
        der,
        ca.paths.crl_pem,
        lambda: _entries(rows),
        len(rows),
    )


def config_digest(config: Path) -> Digest:
    """ca.conf's ``default_md`` (what ``openssl ca`` signs with); ``default`` means sha256 in OpenSSL 3."""
    from genesys_lab.authority.caconf import read_config

    text = read_config(config)
    if text is None:
        return Digest.SHA256
    match = re.search(r"^\s*default_md\s*=\s*([^\s#]+)", text, re.MULTILINE)
    if not match or match.group(1).lower() == "default":
        return Digest.SHA256
    try:
        return Digest.parse(match.group(1))
    except UsageError:
        raise CADatabaseError(
            f"{config}: default_md = {match.group(1)} is not one of sha1, sha224, sha256, sha384, sha512: set it to sha256"
        ) from None


def _crl_number(path: Path) -> int:
    """The next CRL number; a CA made without crlnumber starts at 01, as OpenSSL's docs tell you to create it."""
    return store.read_hex_counter(path) if path.exists() else 1


_R_LINE = re.compile(r"^R\t[^\t\n]*\t(\d{12}Z|\d{14}Z)(?:,([^\t\n,]*))?\t([0-9A-F]+)\t[^\t\n]*\t[^\n]*$", re.MULTILINE)


def revoked_rows(db: Path) -> list[tuple[int, str, int | None, bytes]]:
    """(serial, revocation time text, reason code, extra entry extensions) for every R line, by serial.

    One regular-expression pass over the whole of ca.db picks out the R
    lines in C, so 50,000 valid lines cost nothing in Python. The time is
    checked, not parsed: it goes into the CRL as is. If any R line does not
    fit the common form (a damaged line, or OpenSSL's ``keyTime,...`` and
    ``holdInstruction,...`` forms), the careful line-by-line reader takes
    over and either handles it or names the line.
    """
    text = db.read_bytes().decode("latin-1")
    matches = _R_LINE.findall(text)
    expected = text.count("\nR\t") + text.startswith("R\t")
    if len(matches) != expected:
        return _revoked_rows_line_by_line(text, db)
    codes = {name: code for name, code in _DB_REASONS.items() if name not in ("keytime", "cakeytime", "holdinstruction")}
    rows = []
    for stamp, reason, serial in matches:
        code = codes.get(reason.lower()) if reason else None
        if reason and code is None:
            return _revoked_rows_line_by_line(text, db)
        rows.append((int(serial, 16), stamp, code, b""))
    rows.sort(key=lambda r: r[0])
    return rows


def _revoked_rows_line_by_line(text: str, db: Path) -> list[tuple[int, str, int | None, bytes]]:
    rows = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.startswith("R\t"):
            continue
        fields = line.split("\t")
        if len(fields) != 6 or not re.fullmatch(r"[0-9A-F]+", fields[3]):
            store.parse_db_line(line, path=db, number=number)  # raises with the precise message
            raise CADatabaseError(f"{db}, line {number}: not a ca.db line; restore ca.db from a backup")
        rows.append((int(fields[3], 16), *_revocation(fields[2], db, number)))
    rows.sort(key=lambda r: r[0])
    return rows


def _revocation(field_text: str, db: Path, number: int) -> tuple[str, int | None, bytes]:
    stamp, *rest = field_text.split(",")
    if not _TIME.fullmatch(stamp):
        raise CADatabaseError(f"{db}, line {number}: revocation time {stamp!r} is not YYMMDDHHMMSSZ; restore ca.db from a backup")
    if not rest:
        return stamp, None, b""
    code = _DB_REASONS.get(rest[0].lower())
    if code is None:
        raise CADatabaseError(
            f"{db}, line {number}: revocation reason {rest[0]!r} is unknown to openssl ca; use one of {', '.join(REASON_NAMES[c] for c in (0, 1, 2, 3, 4, 5, 6, 8))}"
        )
    return stamp, code, _extra_extensions(rest, db, number)


def _extra_extensions(rest: list[str], db: Path, number: int) -> bytes:
    """invalidityDate (keyTime/CAkeyTime) or holdInstructionCode (holdInstruction), as OpenSSL adds them."""
    kind = rest[0].lower()
    if kind not in ("keytime", "cakeytime", "holdinstruction"):
        return b""
    if len(rest) < 2:
        raise CADatabaseError(f"{db}, line {number}: {rest[0]} needs a value after a comma; restore ca.db from a backup")
    if kind == "holdinstruction":
        oid = _HOLD_OIDS.get(rest[1].lower(), rest[1])
        return _extension(_HOLD_CODE, _der.oid(oid))
    if not re.fullmatch(r"\d{14}Z", rest[1]):
        raise CADatabaseError(f"{db}, line {number}: compromise time {rest[1]!r} is not YYYYMMDDHHMMSSZ")
    return _extension(_INVALIDITY, _der.tlv(_der.GENERALIZED_TIME, rest[1].encode()))


# ------------------------------------------------------------------ encoding


def _extension(oid: str, value: bytes, critical: bool = False) -> bytes:
    flag = _der.tlv(0x01, b"\xff") if critical else b""
    return _der.sequence(_der.oid(oid), flag, _der.octet_string(value))


def _time(text: str) -> bytes:
    return _der.tlv(_der.UTC_TIME if len(text) == 13 else _der.GENERALIZED_TIME, text.encode("ascii"))


def _revoked_list(rows) -> bytes:
    """revokedCertificates in one pass; reason extensions and time encodings are built once and reused."""
    reason_ext: dict[int | None, bytes] = {code: _extension(_REASON, _der.tlv(0x0A, bytes([code]))) for code in REASON_NAMES}
    if _OMIT_UNSPECIFIED:
        reason_ext[0] = b""
    reason_ext[None] = b""
    wrapped = {code: _der.sequence(ext) if ext else b"" for code, ext in reason_ext.items()}
    times: dict[str, bytes] = {}
    integer, tlv, seq = _der.integer, _der.tlv, _der.SEQUENCE
    parts = []
    for serial, stamp, code, extra in rows:
        when = times.get(stamp) or times.setdefault(stamp, _time(stamp))
        exts = tlv(seq, reason_ext[code] + extra) if extra else wrapped[code]
        parts.append(tlv(seq, integer(serial) + when + exts))
    return tlv(seq, b"".join(parts))


def _tbs(cert, algorithm: bytes, this: dt.datetime, nxt: dt.datetime, rows, number: int) -> bytes:
    """TBSCertList (RFC 5280 5.1.2): v2, AKI then cRLNumber as OpenSSL orders them."""
    extensions = _der.sequence(
        _extension(_AKI, _der.sequence(_der.implicit(0, _aki(cert)))), _extension(_CRL_NUMBER, _der.integer(number))
    )
    return _der.sequence(
        _der.integer(1),
        algorithm,
        cert.subject.public_bytes(),
        _time(store.format_time(this)),
        _time(store.format_time(nxt)),
        _revoked_list(rows) if rows else b"",
        _der.explicit(0, extensions),
    )


def _aki(cert) -> bytes:
    """keyIdentifier = the CA certificate's subjectKeyIdentifier (``keyid:always``)."""
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _signature_algorithm(key, digest: Digest) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return _der.sequence(_der.oid(_RSA_SIG[digest]), _der.null())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _der.sequence(_der.oid(_ECDSA_SIG[digest]))
    raise FormatError(f"the CA key is a {type(key).__name__}: CRLs can be signed with RSA or EC CA keys only")


def _sign(key, data: bytes, digest: Digest) -> bytes:
    """Sign the TBSCertList bytes directly: no builder, so SHA-1 works as ca.conf asks."""
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(digest.hash()))
    return key.sign(data, padding.PKCS1v15(), digest.hash())


def _signature_valid(der: bytes, public_key) -> bool:
    """Verify the CRL's signature over its TBSCertList bytes, without re-parsing its entries."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    try:
        tbs, algorithm, signature = _der.split_signed(der)
        oid = _der.decode(algorithm).children()[0].as_oid()
    except _der.DERError:
        return False
    digest = {v: k for k, v in _RSA_SIG.items()}.get(oid) or {v: k for k, v in _ECDSA_SIG.items()}.get(oid)
    if digest is None:  # an algorithm we do not sign with (RSA-PSS, Ed25519): let cryptography judge
        try:
            return x509.load_der_x509_crl(der).is_signature_valid(public_key)
        except Exception:  # UnsupportedAlgorithm, TypeError (key type): not a signature this key made
            return False
    try:
        if isinstance(public_key, rsa.RSAPublicKey) and oid in _RSA_SIG.values():
            public_key.verify(signature, tbs, padding.PKCS1v15(), digest.hash())
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and oid in _ECDSA_SIG.values():
            public_key.verify(signature, tbs, ec.ECDSA(digest.hash()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _pem(der: bytes) -> bytes:
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return ("-----BEGIN X509 CRL-----\n" + "\n".join(lines) + "\n-----END X509 CRL-----\n").encode("ascii")


def _issuer_text(cert) -> str:
    from genesys_lab.x509.names import oneline

    return oneline(cert.subject)


def _entries(rows):
    """The entries as the CRL states them (so they equal what load_crl reads back)."""
    omitted = (None, 0) if _OMIT_UNSPECIFIED else (None,)
    for serial, stamp, code, _extra in rows:
        yield RevokedEntry(serial, _parse_asn1_time(stamp), None if code in omitted else REASON_NAMES[code])


def _parse_asn1_time(text: str) -> dt.datetime:
    """YYMMDDHHMMSSZ (UTCTime: 50..99 is 19xx) or YYYYMMDDHHMMSSZ, without strptime (100,000 of them)."""
    if len(text) == 13:
        year = int(text[:2])
        year += 1900 if year >= 50 else 2000
        rest = text[2:]
    else:
        year, rest = int(text[:4]), text[4:]
    return dt.datetime(year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6]), int(rest[6:8]), int(rest[8:10]), tzinfo=dt.UTC)


# ------------------------------------------------------------------ read


def load_crl(path: Path | str) -> CrlInfo:
    """Read a CRL file (PEM or DER, whoever made it) into a CrlInfo."""
    path = Path(path)
    from genesys_lab.files import read_user_file

    data = read_user_file(path, "CRL")
    return parse_crl(data, source=str(path), path=path)


def parse_crl(data: bytes, *, source: str = "data", path: Path | None = None) -> CrlInfo:
    """A CrlInfo from PEM or DER bytes; any failure, now or when the entries are first read, is one FormatError."""
    from cryptography import x509

    try:
        crl = x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data)
    except ValueError:
        raise FormatError(f"{source} is not a PEM or DER CRL: make one with 'genesys-lab gen-crl'") from None
    except Exception as exc:  # InvalidVersion: a version RFC 5280 does not define
        raise FormatError(f"{source}: {_refused(exc)}") from None
    from genesys_lab.x509.names import oneline

    try:
        number = extension(crl, x509.CRLNumber)
        aki = extension(crl, x509.AuthorityKeyIdentifier)
        hash_alg = crl.signature_hash_algorithm
        fields = (oneline(crl.issuer), crl.last_update_utc, crl.next_update_utc, len(crl))
    except FormatError:
        raise
    except Exception as exc:  # UnsupportedAlgorithm, DuplicateExtension, a name that is not UTF-8
        raise FormatError(f"{source}: {_refused(exc)}") from None
    return CrlInfo(
        fields[0],
        number.crl_number if number else None,
        fields[1],
        fields[2],
        hash_alg.name if hash_alg else "none",
        aki.key_identifier.hex().upper() if aki and aki.key_identifier else None,
        _der_of(data, crl),
        path,
        lambda: _read_entries(crl, source),
        fields[3],
    )


def _refused(exc: Exception) -> str:
    text = str(exc).split("\n")[0][:120] or type(exc).__name__
    return (
        f"the CRL does not load in Python's cryptography ({type(exc).__name__}: {text}); OpenSSL may be more lenient "
        "(openssl crl -noout -text -in FILE shows it): publish a new CRL from its CA"
    )


def _der_of(data: bytes, crl) -> bytes:
    """The CRL's DER: the bytes themselves, or the PEM block's base64 (without importing the serializer)."""
    if b"-----BEGIN" not in data:
        return data
    match = re.search(rb"-----BEGIN X509 CRL-----(.*?)-----END X509 CRL-----", data, re.DOTALL)
    if match is None:
        return crl.public_bytes(_der_encoding())
    return base64.b64decode(b"".join(match.group(1).split()))


def _der_encoding():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _read_entries(crl, source: str = "data"):
    """The entries, decoded on demand: cryptography parses each entry (and its extensions) lazily,
    so an unknown reason code, a broken certificateIssuer or fractional seconds surface only here."""
    from cryptography import x509

    number = 0
    try:
        for revoked in crl:
            number += 1
            reason = None
            exts = revoked.extensions
            if len(exts):
                value = extension(revoked, x509.CRLReason)
                if value is not None:
                    reason = REASON_NAMES.get(_REASON_CODES[value.reason])
            yield RevokedEntry(revoked.serial_number, revoked.revocation_date_utc, reason)
    except FormatError as exc:
        raise FormatError(f"{source}, entry {number}: {exc}") from None
    except Exception as exc:  # ValueError (unknown reason code, bad time), DuplicateExtension
        raise FormatError(f"{source}, entry {number}: {_refused(exc)}") from None


class _ReasonCodes(dict):
    """cryptography ReasonFlags -> code, from authority.reasons."""

    def __missing__(self, flag):
        code = reasons.FLAG_CODES[flag.name]
        self[flag] = code
        return code


_REASON_CODES = _ReasonCodes()


# ------------------------------------------------------------------ fetch


def fetch_crl(url: str, *, timeout: float = 5.0) -> CrlInfo:
    """Download a CRL from a distribution point with a deadline, as a careful verifier should.

    The guide's warning: a slow or unreachable CDP makes verification wait
    (15 s by default on Windows). With a short ``timeout`` the wait is bounded
    and the failure is explicit.
    """
    import socket
    import urllib.error
    import urllib.request

    if not url.startswith(("http://", "https://")):
        raise UsageError(f"CRL URL {url!r} is not http(s): use the URL from the certificate's CRL distribution point")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except TimeoutError:
        raise CrlUnavailableError(
            f"CRL download from {url} took longer than {timeout:g} s: use a local, fast CDP (or a CRL file)"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise CrlUnavailableError(
                f"CRL download from {url} took longer than {timeout:g} s: use a local, fast CDP (or a CRL file)"
            ) from None
        raise CrlUnavailableError(
            f"cannot download the CRL from {url} ({reason}): check that the CDP is reachable from this host"
        ) from None
    except OSError as exc:
        raise CrlUnavailableError(
            f"cannot download the CRL from {url} ({exc}): check that the CDP is reachable from this host"
        ) from None
    try:
        return parse_crl(data, source=url)
    except FormatError:
        raise CrlUnavailableError(f"{url} did not return a CRL: serve the CA's crl.der there") from None
