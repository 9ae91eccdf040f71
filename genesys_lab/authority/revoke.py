"""Revoke a certificate the way ``openssl ca -revoke -crl_reason`` does.

Why mirror OpenSSL byte for byte: a Genesys site keeps running its CA with
``openssl ca`` (``-gencrl``, ``-status``) after the lab touched it, so the one
line we change in ca.db must be the line OpenSSL would have written: status
``V`` becomes ``R``, the third field becomes the revocation time as
``YYMMDDHHMMSSZ`` (GeneralizedTime from 2050, RFC 5280 4.1.2.5) followed by
``,reason`` when a reason was given. Every other byte of ca.db stays as it was.

The reasons are exactly those ``openssl ca -crl_reason`` accepts (OpenSSL 3.0
``apps/ca.c``: the first eight entries of ``crl_reasons``). OpenSSL compares
them case-insensitively and stores its own spelling (``keycompromise`` ->
``keyCompromise``); so do we.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.authority import reasons, store
from genesys_lab.errors import FormatError, RevocationError


class Reason(enum.Enum):
    """CRLReason (RFC 5280 5.3.1); the value is OpenSSL's spelling in ca.db and on its command line."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "keyCompromise"
    CA_COMPROMISE = "CACompromise"
    AFFILIATION_CHANGED = "affiliationChanged"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessationOfOperation"
    CERTIFICATE_HOLD = "certificateHold"
    REMOVE_FROM_CRL = "removeFromCRL"

    @property
    def code(self) -> int:
        """The ENUMERATED value in a CRL entry (``authority.reasons``); 7 is unused, so removeFromCRL is 8."""
        return reasons.CODES[self.value]

    @classmethod
    def parse(cls, value: str | Reason) -> Reason:
        """Case-insensitive, as OpenSSL's ``OPENSSL_strcasecmp`` lookup; the error lists every valid name."""
        from genesys_lab.x509.profiles import parse_choice

        return parse_choice(
            cls,
            value,
            words=f"is not one openssl ca -crl_reason accepts: use one of {', '.join(names())}",
            error=RevocationError,
            prefix="reason ",
        )


def names() -> list[str]:
    """The reason names in OpenSSL's spelling and order (for help texts and error messages)."""
    return list(reasons.OPENSSL_CA_REASONS)


@dataclass(frozen=True)
class Revocation:
    """What revoke() changed: the certificate and its new ca.db line."""

    serial: str  # as in ca.db and file names: "02", "0A"
    subject: str  # ca.db form: /CN=...
    revoked_at: dt.datetime
    reason: Reason | None
    line: str  # the new ca.db line, exactly as written


def revoke(ca, serial_or_cert_path, reason=None, *, when: dt.datetime | None = None) -> Revocation:
    """Mark a certificate revoked in ca.db, as ``openssl ca -revoke CERT [-crl_reason R]`` does.

    ``serial_or_cert_path``: a serial as in the file names (``02``, ``0A``,
    ``0x0a``; an int works too) or the certificate file (a ``Path``, or a
    string that is not a hex serial). Refuses, changing nothing, when the
    serial is unknown, the certificate is already revoked, the file was not
    issued by this CA, or the reason is not OpenSSL's. The CRL is not touched:
    publish with ``generate_crl`` (``openssl ca -gencrl``), as with OpenSSL.
    """
    ca = _as_ca(ca)
    parsed = Reason.parse(reason) if reason is not None else None
    number, cert = _target(ca, serial_or_cert_path)
    moment = _moment(when)
    with store.transaction(ca.paths, f"revoke {store.serial_hex(number)}") as tx:
        text = tx.read_bytes(ca.paths.db).decode("latin-1")
        start, end, record = _find(ca, text, number)
        _check_revocable(record, cert)
        revocation = store.format_time(moment) + (f",{parsed.value}" if parsed else "")
        fields = text[start:end].split("\t")
        fields[0], fields[2] = "R", revocation
        line = "\t".join(fields)
        tx.replace(ca.paths.db, (text[:start] + line + text[end:]).encode("latin-1"))
    return Revocation(record.serial, record.subject, moment, parsed, line)


def _as_ca(ca):
    from genesys_lab.authority.ca import load_ca

    return load_ca(ca)


def _moment(when: dt.datetime | None) -> dt.datetime:
    """ca.db keeps whole seconds in UTC; a naive datetime is taken as UTC."""
    moment = when or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _target(ca, value) -> tuple[int, object | None]:
    """(serial number, certificate or None): a hex string or int is a serial, anything else a file."""
    if isinstance(value, int):
        return value, None
    if isinstance(value, str) and store.looks_like_serial(value):
        return store.parse_serial(value), None
    path = Path(value)
    if not path.is_file():
        raise RevocationError(
            f"{value!r} is neither a serial (hex, as in the file names: 02, 0A) nor a certificate file: give one of those"
        )
    from genesys_lab.x509.describe import load_certificate

    try:
        cert = load_certificate(path)
    except FormatError as exc:
        raise RevocationError(f"cannot revoke {path}: {exc}") from None
    if cert.issuer != ca.certificate.subject:
        from genesys_lab.x509.names import oneline

        raise RevocationError(
            f"{path} was issued by {oneline(cert.issuer)}, not by this CA ({oneline(ca.certificate.subject)}): revoke it with the CA that issued it"
        )
    return cert.serial_number, cert


def _find(ca, text: str, number: int) -> tuple[int, int, store.DbRecord]:
    """The serial's line in ca.db: only that line is parsed (ca.db may hold 100,000)."""
    span = store.locate_db_line(text, number)
    if span is None:
        raise RevocationError(
            f"serial {store.serial_hex(number)} is not in {ca.paths.db}: check the serial with 'genesys-lab list' (serials are hex, as in the file names)"
        )
    record = store.parse_db_line(text[span[0] : span[1]], path=ca.paths.db, number=text.count("\n", 0, span[0]) + 1)
    return span[0], span[1], record


def _check_revocable(record: store.DbRecord, cert) -> None:
    """OpenSSL's two refusals: already revoked, and a certificate whose subject is not the one in ca.db."""
    if record.status == "R":
        when = f"{record.revoked_at:%Y-%m-%d %H:%M:%S} UTC" if record.revoked_at else "earlier"
        why = f", reason {record.reason}" if record.reason else ""
        raise RevocationError(
            f"serial {record.serial} is already revoked ({when}{why}): nothing to do; run 'genesys-lab gen-crl' if the CRL does not list it yet"
        )
    if cert is not None:
        from genesys_lab.x509.names import oneline

        if oneline(cert.subject) != record.subject:
            raise RevocationError(
                f"serial {record.serial} in ca.db is {record.subject}, but the file's subject is {oneline(cert.subject)}: it is not this CA's certificate {record.serial}"
            )
