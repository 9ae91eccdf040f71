"""What is this file?  Certificates, CSRs, CRLs, keys and PKCS#12, in PEM or DER.

Most format trouble at a site is a file that is not what its name says: a
".pem" key that is PKCS#8 where a script wanted PKCS#1, a ".cer" that is
DER, a ".pfx" without the key. ``identify`` looks at the bytes, never at
the name: PEM is recognised by its ``-----BEGIN <label>-----`` lines (RFC
7468), DER by the shape of its ASN.1 structure, and every object is then
loaded with ``cryptography`` to prove it is not damaged. It never needs a
password: encrypted keys and protected .pfx files are named as such.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from dataclasses import dataclass, field, replace

from genesys_lab.x509 import der as _der
from genesys_lab.x509.describe import readable_name


class Kind(enum.Enum):
    """What one object is; the value is how messages name it."""

    CERTIFICATE = "certificate"
    CSR = "certificate signing request (CSR)"
    CRL = "certificate revocation list (CRL)"
    RSA_KEY = "PKCS#1 RSA private key"
    ENCRYPTED_RSA_KEY = "encrypted PKCS#1 RSA private key"
    PKCS8_KEY = "PKCS#8 private key"
    ENCRYPTED_PKCS8_KEY = "encrypted PKCS#8 private key"
    OTHER_KEY = "private key (not RSA PKCS#1 or PKCS#8)"
    ENCRYPTED_OTHER_KEY = "encrypted private key (traditional OpenSSL, not RSA)"
    PUBLIC_KEY = "public key"
    PKCS12 = "PKCS#12 (.pfx/.p12) file"
    PKCS7 = "PKCS#7 certificate bundle (.p7b)"
    DAMAGED = "damaged or truncated object"
    UNSUPPORTED = "object Python's cryptography refuses"
    UNKNOWN = "unknown data"

    @property
    def is_private_key(self) -> bool:
        return self in _PRIVATE_KEYS


_PRIVATE_KEYS = {
    Kind.RSA_KEY,
    Kind.ENCRYPTED_RSA_KEY,
    Kind.PKCS8_KEY,
    Kind.ENCRYPTED_PKCS8_KEY,
    Kind.OTHER_KEY,
    Kind.ENCRYPTED_OTHER_KEY,
}
_TRADITIONAL = {"RSA PRIVATE KEY": "RSA", "EC PRIVATE KEY": "EC", "DSA PRIVATE KEY": "DSA"}

_PEM_LABELS = {
    "CERTIFICATE": Kind.CERTIFICATE,
    "TRUSTED CERTIFICATE": Kind.CERTIFICATE,
    "X509 CERTIFICATE": Kind.CERTIFICATE,
    "CERTIFICATE REQUEST": Kind.CSR,
    "NEW CERTIFICATE REQUEST": Kind.CSR,
    "X509 CRL": Kind.CRL,
    "RSA PRIVATE KEY": Kind.RSA_KEY,
    "PRIVATE KEY": Kind.PKCS8_KEY,
    "ENCRYPTED PRIVATE KEY": Kind.ENCRYPTED_PKCS8_KEY,
    "EC PRIVATE KEY": Kind.OTHER_KEY,
    "DSA PRIVATE KEY": Kind.OTHER_KEY,
    "PUBLIC KEY": Kind.PUBLIC_KEY,
    "RSA PUBLIC KEY": Kind.PUBLIC_KEY,
    "DSA PUBLIC KEY": Kind.PUBLIC_KEY,
    "PKCS12": Kind.PKCS12,
    "PKCS7": Kind.PKCS7,
    "CMS": Kind.PKCS7,
}
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
_PKCS7_DATA = "1.2.840.113549.1.7.1"
_PKCS7_SIGNED = "1.2.840.113549.1.7.2"


@dataclass(frozen=True)
class Item:
    """One object in a file: its kind, PEM or DER, and a short human description."""

    kind: Kind
    encoding: str  # "PEM" or "DER" ("text" or "binary" for unknown data)
    detail: str = ""  # subject, key size, encryption...
    der: bytes = field(default=b"", repr=False)  # DER bytes: to convert and to match keys, never shown
    pem: bytes = field(default=b"", repr=False)  # the PEM block as found (encrypted PKCS#1 needs its headers)

    def __str__(self) -> str:
        if self.kind is Kind.UNKNOWN:
            return self.detail
        if self.kind is Kind.DAMAGED:
            return f"damaged {self.encoding} object ({self.detail})"
        if self.kind is Kind.UNSUPPORTED:
            return f"{self.encoding} {self.detail}"
        text = f"{self.encoding} {self.kind.value}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Identity:
    """Everything found in one file, in order."""

    source: str
    items: tuple[Item, ...]

    @property
    def kind(self) -> Kind:
        """The kind when the file holds one object (or only one kind of object)."""
        kinds = {i.kind for i in self.items}
        return kinds.pop() if len(kinds) == 1 else Kind.UNKNOWN

    @property
    def several(self) -> bool:
        return len(self.items) > 1

    def of_kind(self, *kinds: Kind) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.kind in kinds)

    def summary(self) -> str:
        if not self.items:
            return "empty file"
        if len(self.items) == 1:
            return str(self.items[0])
        return f"{len(self.items)} PEM objects: " + "; ".join(str(i) for i in self.items)


def read_source(source) -> tuple[bytes, str]:
    """Bytes and a display name from a path or from bytes."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "data"
    from genesys_lab.files import read_user_file

    return read_user_file(source), str(source)


def identify(source) -> Identity:
    """Say what a file (path) or bytes hold, without any password."""
    data, name = read_source(source)
    if not data.strip():
        return Identity(name, ())
    if b"-----BEGIN " in data:
        return Identity(name, _pem_items(data))
    return Identity(name, (_der_item(data),))


# -- PEM ---------------------------------------------------------------------


def _pem_items(data: bytes) -> tuple[Item, ...]:
    items = []
    for match in _PEM_BLOCK.finditer(data):
        label, body, end = (g.decode("ascii", "replace") for g in match.groups())
        items.append(replace(_pem_item(label, body, end), pem=match.group(0) + b"\n"))
    begins = data.count(b"-----BEGIN ")
    if begins > len(items):  # a BEGIN line without its END: the file was cut short
        label = data[data.rfind(b"-----BEGIN ") + 11 :].split(b"-----")[0].decode("ascii", "replace")
        items.append(Item(Kind.DAMAGED, "PEM", f"BEGIN {label} without its END line: the file is truncated"))
    return tuple(items)


def _pem_item(label: str, body: str, end: str) -> Item:
    kind = _PEM_LABELS.get(label, Kind.UNKNOWN)
    if end != label:
        return Item(Kind.DAMAGED, "PEM", f"BEGIN {label} ends with END {end}")
    body = body.replace("\r\n", "\n")  # a PEM file saved by a Windows editor
    headers, _, b64 = body.rpartition("\n\n") if "Proc-Type:" in body else ("", "", body)
    try:
        der = base64.b64decode("".join(b64.split()), validate=True)
    except (binascii.Error, ValueError):
        return Item(Kind.DAMAGED, "PEM", f"{label}: the base64 text is damaged")
    if label in _TRADITIONAL and "ENCRYPTED" in headers:
        cipher = re.search(r"DEK-Info:\s*([A-Za-z0-9-]+)", headers)
        encrypted = Kind.ENCRYPTED_RSA_KEY if label == "RSA PRIVATE KEY" else Kind.ENCRYPTED_OTHER_KEY
        algorithm = "" if label == "RSA PRIVATE KEY" else f"{_TRADITIONAL[label]}, "
        detail = f"{algorithm}traditional OpenSSL encryption, {cipher.group(1) if cipher else '?'}"
        return Item(encrypted, "PEM", detail, der)
    if kind is Kind.UNKNOWN:
        return Item(Kind.UNKNOWN, "PEM", f"PEM block with the unknown label {label}", der)
    detail, ok = _check(kind, der)
    if ok is None:
        return Item(Kind.UNSUPPORTED, "PEM", f"{label}: {detail}", der)
    return Item(kind if ok else Kind.DAMAGED, "PEM", detail if ok else f"{label}: {detail}", der)


# -- DER ---------------------------------------------------------------------


def _der_item(data: bytes) -> Item:
    try:
        top = _der.decode(data).expect(_der.SEQUENCE).children()
    except (_der.DERError, IndexError):
        if _looks_like_text(data):
            return Item(Kind.UNKNOWN, "text", "text file with no PEM block (not a certificate, key or PKCS#12 file)")
        return Item(Kind.UNKNOWN, "binary", "binary data that is not DER (truncated, damaged, or another format)")
    kind = _der_shape(top)
    if kind is Kind.UNKNOWN:
        return Item(Kind.UNKNOWN, "DER", "DER structure that is no certificate, key, CRL or PKCS#12 file", data)
    detail, ok = _check(kind, data)
    if not ok and kind in _SIGNED:  # a v1 certificate looks like a CRL by its first members
        for other in _SIGNED - {kind}:
            other_detail, other_ok = _check(other, data)
            if other_ok:
                return Item(other, "DER", other_detail, data)
    if ok is None:
        return Item(Kind.UNSUPPORTED, "DER", f"{kind.value}: {detail}", data)
    return Item(kind if ok else Kind.DAMAGED, "DER", detail if ok else f"looks like a {kind.value} but {detail}", data)


_SIGNED = frozenset({Kind.CERTIFICATE, Kind.CSR, Kind.CRL})


def _der_shape(top) -> Kind:
    """Tell the structures apart by their first members (RFC 5280, 2986, 8017, 5958, 7292)."""
    tags = [e.tag for e in top]
    if tags[:3] == [_der.SEQUENCE, _der.SEQUENCE, _der.BIT_STRING]:
        return _signed_kind(top[0])
    if len(top) >= 9 and all(t == _der.INTEGER for t in tags[:9]):
        return Kind.RSA_KEY
    if len(top) == 6 and all(t == _der.INTEGER for t in tags) and top[0].as_int() == 0:
        return Kind.OTHER_KEY  # DSA: version 0, p, q, g, y, x (OpenSSL's traditional DSA key)
    if tags[:2] == [_der.INTEGER, _der.OCTET_STRING] and top[0].as_int() == 1:
        return Kind.OTHER_KEY  # EC: ECPrivateKey (RFC 5915), version 1
    if tags == [_der.INTEGER, _der.INTEGER]:
        return Kind.PUBLIC_KEY  # PKCS#1 RSAPublicKey (RFC 8017 A.1.1): modulus, exponent
    if tags[:3] == [_der.INTEGER, _der.SEQUENCE, _der.OCTET_STRING]:
        return Kind.PKCS8_KEY
    if tags == [_der.SEQUENCE, _der.OCTET_STRING]:
        return Kind.ENCRYPTED_PKCS8_KEY
    if tags[:2] == [_der.INTEGER, _der.SEQUENCE] and top[0].as_int() == 3:
        oid = top[1].children()[0] if top[1].children() else None
        if oid is not None and oid.tag == _der.OID and oid.as_oid() in (_PKCS7_DATA, _PKCS7_SIGNED):
            return Kind.PKCS12
    if tags[:2] == [_der.OID, 0xA0] and top[0].as_oid() == _PKCS7_SIGNED:
        return Kind.PKCS7  # ContentInfo { signedData, [0] } (RFC 2315)
    if tags[:2] == [_der.SEQUENCE, _der.BIT_STRING]:
        return Kind.PUBLIC_KEY
    return Kind.UNKNOWN


def _signed_kind(tbs) -> Kind:
    """Certificate, CSR or CRL: all three are SEQUENCE {tbs, algorithm, signature}."""
    first = tbs.children()[0] if tbs.children() else None
    if first is not None and first.is_context(0):
        return Kind.CERTIFICATE  # [0] version: every v3 certificate
    kids = tbs.children()
    if len(kids) >= 4 and kids[0].tag == _der.INTEGER and kids[2].tag == _der.SEQUENCE and kids[3].is_context(0):
        return Kind.CSR  # version, subject, SPKI, [0] attributes
    return Kind.CRL


def _looks_like_text(data: bytes) -> bool:
    sample = data[:512]
    return all(32 <= b < 127 or b in (9, 10, 13) for b in sample)


# -- loading each object to prove it is whole --------------------------------


def _check(kind: Kind, der: bytes) -> tuple[str, bool | None]:
    """(detail, True) when the object loads; (why, False) when it is damaged; (why, None) when
    Python's cryptography refuses what may be valid elsewhere (it is stricter than OpenSSL in places)."""
    from cryptography.exceptions import UnsupportedAlgorithm

    from genesys_lab.errors import FormatError as _FormatError

    try:
        return _describe(kind, der), True
    except _FormatError as exc:  # the certificate reader's own verdict (x509.read.whole)
        return str(exc).split(": ", 1)[-1], None
    except (ValueError, TypeError, _der.DERError, IndexError) as exc:
        if type(exc).__name__ in ("DuplicateExtension", "UnsupportedGeneralNameType"):
            return _refused(exc), None
        return f"it does not load ({_short(exc)})", False
    except (UnsupportedAlgorithm, Exception) as exc:  # InvalidVersion, UnsupportedAlgorithm, ...
        return _refused(exc), None


def _refused(exc: Exception) -> str:
    return (
        f"Python's cryptography refuses it ({type(exc).__name__}: {_short(exc)}); "
        "OpenSSL may be more lenient (try openssl x509 / crl / req / pkey -text), but Java and Genesys may refuse it too"
    )


def _describe(kind: Kind, der: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from genesys_lab.x509.read import whole

    if kind is Kind.CERTIFICATE:
        cert = whole(x509.load_der_x509_certificate(der), "certificate")
        return f"subject {readable_name(cert.subject)}"
    if kind is Kind.CSR:
        csr = x509.load_der_x509_csr(der)
        _ = list(csr.extensions), csr.public_key()
        return f"subject {readable_name(csr.subject)}"
    if kind is Kind.CRL:
        crl = x509.load_der_x509_crl(der)
        _ = list(crl.extensions)
        return f"issuer {readable_name(crl.issuer)}, {len(crl)} revoked"
    if kind in (Kind.RSA_KEY, Kind.PKCS8_KEY, Kind.OTHER_KEY):
        return _key_text(serialization.load_der_private_key(der, password=None))
    if kind is Kind.ENCRYPTED_PKCS8_KEY:
        return pbes_text(der)
    if kind is Kind.PUBLIC_KEY:
        return _key_text(serialization.load_der_public_key(der))
    if kind is Kind.PKCS12:
        return _pkcs12_text(der)
    if kind is Kind.PKCS7:
        return f"{_pkcs7_count(der)} certificate(s)"
    return ""


def _pkcs7_count(der: bytes) -> int:
    """Certificates in a .p7b; OpenSSL writes their SET unsorted, which cryptography accepts with a warning."""
    import warnings

    from cryptography.hazmat.primitives.serialization import pkcs7

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return len(pkcs7.load_der_pkcs7_certificates(der))


def _pkcs12_text(der: bytes) -> str:
    """What a .pfx holds when it opens with the empty password (the Security Pack's default)."""
    from genesys_lab.errors import FormatError as _FormatError
    from genesys_lab.errors import PasswordError
    from genesys_lab.formats.pkcs12 import read_pkcs12

    try:
        contents = read_pkcs12(der, "")
    except PasswordError:
        return "protected by a password"
    except _FormatError as exc:
        return str(exc).split(":")[0]
    certs = len(contents.chain) + (contents.cert is not None)
    held = ("a private key, " if contents.key is not None else "no private key, ") + f"{certs} certificate(s)"
    return f"empty password; {held}"


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:80] or type(exc).__name__


def _key_text(key) -> str:
    name = type(key).__name__.lstrip("_").replace("PrivateKey", "").replace("PublicKey", "")
    size = getattr(key, "key_size", None)
    return f"{name} {size} bits" if size else name


_CIPHERS = {
    "2.16.840.1.101.3.4.1.2": "AES-128-CBC",
    "2.16.840.1.101.3.4.1.22": "AES-192-CBC",
    "2.16.840.1.101.3.4.1.42": "AES-256-CBC",
    "1.2.840.113549.3.7": "DES-EDE3-CBC",
}


def pbes_text(der: bytes) -> str:
    """How an EncryptedPrivateKeyInfo is protected: "PBES2, AES-256-CBC" (RFC 8018 A.4)."""
    alg = _der.decode(der).children()[0].children()
    oid = alg[0].as_oid()
    if oid != "1.2.840.113549.1.5.13":
        return f"password-based encryption {oid}"
    scheme = alg[1].children()[1].children()[0].as_oid()
    return f"PBES2, {_CIPHERS.get(scheme, scheme)}"
