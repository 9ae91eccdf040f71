"""Describe a certificate as plain data: what a learner reads off ``openssl x509 -text`` or Windows' dialog."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from genesys_lab.errors import FormatError

_SIG_NAMES = {
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
    "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
    "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
    "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
    "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
}
_KU = [
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
]
_KU_OPENSSL = {
    "digital_signature": "digitalSignature",
    "content_commitment": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "cRLSign",
}


@dataclass(frozen=True)
class CertificateInfo:
    """The fields of a certificate that matter to a Genesys administrator."""

    subject: tuple[tuple[str, str], ...]
    issuer: tuple[tuple[str, str], ...]
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    days_left: int
    key_type: str
    key_size: int
    signature_algorithm: str
    san_dns: tuple[str, ...]
    san_ip: tuple[str, ...]
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    is_ca: bool
    thumbprint_sha1: str
    fingerprint_sha256: str

    @property
    def common_name(self) -> str | None:
        return dict(self.subject).get("CN")

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer

    def to_dict(self) -> dict:
        data = asdict(self)
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        return data


def load_certificate(source):
    """A certificate from a path, PEM or DER bytes, or a cryptography Certificate (``x509.read``'s one reader).

    A file with several certificates is refused with a message naming each: describe and
    ``inspect`` show one certificate and must not pick one silently.
    """
    from genesys_lab.x509.read import read_certificate

    return read_certificate(source)


def readable_name(name) -> str:
    """A distinguished name as people read it, in certificate order: ``C=US, O=Genesys, CN=Lab CA``.

    Unlike RFC 4514 text it keeps the order of ``openssl x509 -subject`` and
    spells emailAddress by name instead of as an OID.
    """
    return ", ".join(f"{key}={value}" for key, value in name_fields(name))


def name_fields(name) -> tuple[tuple[str, str], ...]:
    from genesys_lab.x509.names import _SHORT

    return tuple((_SHORT.get(a.oid.dotted_string, a.oid.dotted_string), str(a.value)) for a in name)


def describe(source, *, now: dt.datetime | None = None) -> CertificateInfo:
    """Read every field of interest; ``now`` fixes the clock for "days left"."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    cert = load_certificate(source)
    now = now or dt.datetime.now(dt.UTC)
    key = cert.public_key()
    key_type = (
        "RSA" if isinstance(key, rsa.RSAPublicKey) else "EC" if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
    )
    sig_oid = cert.signature_algorithm_oid.dotted_string
    return CertificateInfo(
        subject=name_fields(cert.subject),
        issuer=name_fields(cert.issuer),
        serial=_serial_text(cert.serial_number),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        days_left=(cert.not_valid_after_utc - now).days,
        key_type=key_type,
        key_size=getattr(key, "key_size", 0),
        signature_algorithm=_SIG_NAMES.get(sig_oid, sig_oid),
        san_dns=_san(cert, "dns"),
        san_ip=_san(cert, "ip"),
        key_usage=_key_usage(cert),
        extended_key_usage=_eku(cert),
        is_ca=_is_ca(cert),
        # Windows' certificate dialog shows the SHA-1 hash of the DER as the Thumbprint.
        thumbprint_sha1=cert.fingerprint(hashes.SHA1()).hex(),
        fingerprint_sha256=":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256())),
    )


def _serial_text(number: int) -> str:
    from genesys_lab.authority.store import serial_hex

    return serial_hex(number)


def extension(obj, cls):
    """The value of one extension of a certificate or CRL, or None when it is absent.

    ``cryptography`` parses extensions lazily and raises ValueError for a
    malformed one (an empty extendedKeyUsage, say, which RFC 5280 forbids);
    that becomes a FormatError naming the problem instead of a traceback.
    """
    from cryptography import x509

    try:
        return obj.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:
        raise FormatError(f"the certificate has a malformed extension ({exc}): it breaks RFC 5280; re-issue it") from None


def all_extensions(obj) -> list:
    """Every extension of a certificate or CRL; a malformed one is a FormatError (see ``extension``)."""
    try:
        return list(obj.extensions)
    except ValueError as exc:
        raise FormatError(f"the certificate has a malformed extension ({exc}): it breaks RFC 5280; re-issue it") from None


def _san(cert, kind: str) -> tuple[str, ...]:
    from cryptography import x509

    san = extension(cert, x509.SubjectAlternativeName)
    if san is None:
        return ()
    if kind == "dns":
        return tuple(san.get_values_for_type(x509.DNSName))
    return tuple(str(a) for a in san.get_values_for_type(x509.IPAddress))


def _key_usage(cert) -> tuple[str, ...]:
    from cryptography import x509

    ku = extension(cert, x509.KeyUsage)
    if ku is None:
        return ()
    return tuple(_KU_OPENSSL[n] for n in _KU if getattr(ku, n))


def _eku(cert) -> tuple[str, ...]:
    from cryptography import x509

    eku = extension(cert, x509.ExtendedKeyUsage)
    if eku is None:
        return ()
    names = {
        "1.3.6.1.5.5.7.3.1": "serverAuth",
        "1.3.6.1.5.5.7.3.2": "clientAuth",
        "1.3.6.1.5.5.7.3.3": "codeSigning",
        "1.3.6.1.5.5.7.3.4": "emailProtection",
        "1.3.6.1.5.5.7.3.8": "timeStamping",
        "1.3.6.1.5.5.7.3.9": "OCSPSigning",
        "2.5.29.37.0": "anyExtendedKeyUsage",
    }
    return tuple(names.get(o.dotted_string, o.dotted_string) for o in eku)


def _is_ca(cert) -> bool:
    from cryptography import x509

    bc = extension(cert, x509.BasicConstraints)
    return bool(bc and bc.ca)
