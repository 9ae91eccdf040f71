"""The one certificate reader: a path, PEM or DER bytes, or a certificate object in; a whole certificate out.

Every front end and core module that takes "a certificate" (describe and
``inspect``, verify, convert and ``pkcs12 export``, the exercises, the
anatomy viewer) calls ``read_certificate`` or ``read_certificates``, so the
same file gives the same answer everywhere.

Why "whole": ``cryptography`` parses a certificate lazily, so a file that
loads can still raise later, from wherever a field is first touched:
``InvalidVersion``, ``DuplicateExtension``, ``UnsupportedGeneralNameType``
(an x400Address or EDIPartyName in a SAN), ``UnsupportedAlgorithm`` (an
unknown key OID, an explicit or unsupported EC curve), ``ValueError`` (a
name attribute that is not valid UTF-8). The reader touches each of those
once, at reading time, and turns any failure into one ``FormatError`` line
that names the file and says when OpenSSL may still read what
``cryptography`` refuses (it is stricter than OpenSSL in several places).

Several certificates in one file (a chain file: host first, then its CA,
RFC 8446 4.4.2's order) are explicit: ``read_certificates`` returns all of
them; ``read_certificate`` refuses such a file by default, naming each
certificate, or with ``multiple=Multiple.FIRST`` returns the first one.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genesys_lab.errors import FormatError, UsageError

if TYPE_CHECKING:
    from cryptography import x509

_CERT_LABELS = {"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"}
PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
_BYTES = (bytes, bytearray, memoryview)


class Multiple(enum.Enum):
    """What ``read_certificate`` does with a file that holds several certificates."""

    REFUSE = "refuse"  # a FormatError that names each certificate and how to give just one
    FIRST = "first"  # the first certificate: the leaf of a chain file (RFC 8446 4.4.2 order)


def read_certificate(
    source: Any, *, multiple: Multiple | str = Multiple.REFUSE, what: str = "certificate", whole_only: bool = True
) -> x509.Certificate:
    """One whole certificate from a path, PEM/DER bytes, a certificate, or an object holding one.

    An object with a ``.certificate`` attribute (a CertificateAuthority, an
    IssuedCertificate) gives that certificate. ``multiple`` says what a file
    with several certificates means (``Multiple``); the default refuses it.
    ``whole_only=False`` is for ``verify`` alone: it reads each extension
    itself and reports an unreadable one as a failing check, with what
    OpenSSL does with it, so its verdict stays comparable with openssl's.
    """
    certs, name = _read(source, what, whole_only)
    if len(certs) > 1 and Multiple(multiple) is Multiple.REFUSE:
        raise FormatError(
            f"{name} holds {len(certs)} certificates ({_listing(certs)}): give a file with just one "
            "(the first is usually the host certificate, the others its CAs)"
        )
    return certs[0]


def read_certificates(source: Any, *, what: str = "certificate", whole_only: bool = True) -> list[x509.Certificate]:
    """Every certificate of a PEM file (one or several) or a DER file, each proved whole (see read_certificate)."""
    return _read(source, what, whole_only)[0]


def source_name(source: Any) -> str:
    """How messages name a source: its path, or "data" for bytes and objects."""
    return str(source) if isinstance(source, (str, Path)) else "data"


def _read(source: Any, what: str, whole_only: bool = True) -> tuple[list[x509.Certificate], str]:
    from cryptography import x509

    inner = getattr(source, "certificate", None)
    if isinstance(inner, x509.Certificate) and not isinstance(source, (str, Path, *_BYTES)):
        source = inner
    check = whole if whole_only else (lambda cert, _name: cert)
    if isinstance(source, x509.Certificate):
        return [check(source, "the certificate")], "the certificate"
    if isinstance(source, (str, Path)):
        from genesys_lab.files import read_user_file

        data, name = read_user_file(source, what), str(source)
    elif isinstance(source, _BYTES):
        data, name = bytes(source), "data"
    else:
        raise UsageError(f"{type(source).__name__} is not a certificate: give a file path, PEM/DER bytes or a certificate object")
    ders = _pem_certificates(data, name) if b"-----BEGIN " in data else [data]
    return [check(_load_der(der, name), name) for der in ders], name


def _pem_certificates(data: bytes, name: str) -> list[bytes]:
    """The DER of each certificate block; any other block makes the file "not a certificate file"."""
    blocks = list(PEM_BLOCK.finditer(data))
    labels = [m.group(1).decode("ascii", "replace") for m in blocks]
    if not blocks or any(label not in _CERT_LABELS for label in labels):
        found = ", ".join(dict.fromkeys(labels)) if labels else "no complete PEM block"
        raise FormatError(
            f"{name} is not a certificate file (it holds {found}): run 'genesys-lab identify {name}' to see what it is"
        )
    ders: list[bytes] = []
    for match in blocks:
        if match.group(3) != match.group(1):
            raise FormatError(f"{name}: a BEGIN {labels[len(ders)]} block ends with another label: the file is damaged")
        try:
            ders.append(base64.b64decode(b"".join(match.group(2).split()), validate=True))
        except (binascii.Error, ValueError):
            raise FormatError(f"{name}: the base64 text of certificate {len(ders) + 1} is damaged") from None
    return ders


def _load_der(der: bytes, name: str) -> x509.Certificate:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:
        raise FormatError(f"{name}: {_stricter(exc, 'a version number X.509 does not define', name)}") from None
    except (ValueError, TypeError) as exc:
        raise FormatError(
            f"{name} is not a PEM or DER certificate ({_short(exc)}): run 'genesys-lab identify {name}' to see what it is"
        ) from None


def whole(cert: x509.Certificate, name: str) -> x509.Certificate:
    """``cert`` after touching every lazily parsed part, or one FormatError that says which part failed."""
    for part, touch in _PARTS:
        try:
            touch(cert)
        except Exception as exc:  # DuplicateExtension, UnsupportedGeneralNameType, UnsupportedAlgorithm, ValueError...
            raise FormatError(f"{name}: {_stricter(exc, part, name)}") from None
    return cert


def _names(cert) -> None:
    for attribute in (*cert.subject, *cert.issuer):
        _ = attribute.value


_PARTS = (
    ("a malformed subject or issuer name", _names),
    ("malformed validity dates", lambda c: (c.not_valid_before_utc, c.not_valid_after_utc, c.serial_number)),
    ("a malformed extension", lambda c: list(c.extensions)),
    ("a public key it cannot read", lambda c: c.public_key()),
    ("an unknown signature algorithm", lambda c: c.signature_hash_algorithm),
)


def _stricter(exc: Exception, part: str, name: str) -> str:
    """Name what failed and that OpenSSL, laxer than cryptography in places, may still read it."""
    shown = name if name not in ("data", "the certificate") else "FILE"
    return (
        f"the certificate has {part} ({type(exc).__name__}: {_short(exc)}); Python's cryptography refuses it where "
        f"OpenSSL may be more lenient (openssl x509 -noout -text -in {shown} shows it), "
        "but Genesys and Java may refuse it too: re-issue it"
    )


def _short(exc: BaseException) -> str:
    return str(exc).split("\n")[0][:120] or type(exc).__name__


def _listing(certs: list[x509.Certificate]) -> str:
    from genesys_lab.x509.describe import readable_name

    return "; ".join(f"{n}: {readable_name(c.subject) or '(empty subject)'}" for n, c in enumerate(certs, 1))
