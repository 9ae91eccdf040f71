"""PKCS#10 certificate requests (RFC 2986): make one with a new key, or read any, ``openssl req``'s included.

A request carries the subject, the public key and requested extensions
(the SAN), signed with the matching private key: the signature proves that
whoever sent it holds the key, so it is checked before anything else is
looked at. The private key never leaves the side that made the request.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import FormatError, InvalidNameError, UsageError
from genesys_lab.x509.names import AltNames, Subject, validate_hostname

#: a 16384-bit RSA request with a long SAN list is ~6 KiB as PEM; anything far larger is not a request
MAX_REQUEST_BYTES = 64 * 1024
REQUEST_DIGESTS = ("sha1", "sha256", "sha384", "sha512")


def check_fqdn(name: str, *, option: str = "Name") -> str:
    """A fully qualified host name: a valid DNS name with at least two labels (host.domain).

    The guide asks for the host's full name as an FQDN in the request; a
    bare host name would match no client's idea of the server's name.
    """
    host = validate_hostname(name, option=option)
    if "." not in host:
        raise InvalidNameError(
            f"{option} {host!r} is not a fully qualified domain name: give host and domain, e.g. {host}.example.com"
        )
    return host


@dataclass(frozen=True)
class RequestInfo:
    """What a request asks for, after its signature was checked."""

    subject: object = field(repr=False)  # cryptography Name
    subject_text: str
    common_name: str | None
    san_dns: tuple[str, ...]
    san_ips: tuple[str, ...]
    key_type: str
    key_size: int
    signature_hash: str
    pem: bytes = field(repr=False)
    public_key: object = field(repr=False)


def _decode(data: bytes, source: str) -> bytes:
    """PEM (NEW) CERTIFICATE REQUEST, bare Base64 as pasted into a web form, or DER."""
    if len(data) > MAX_REQUEST_BYTES:
        raise FormatError(f"{source} is {len(data)} bytes: a certificate request is a few KiB; give the .csr file itself")
    text = data.strip()
    match = re.search(rb"-----BEGIN (NEW )?CERTIFICATE REQUEST-----(.*?)-----END (NEW )?CERTIFICATE REQUEST-----", text, re.S)
    if match:
        text = match.group(2)
    elif text[:1] == b"\x30":
        return text
    try:
        return base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(
            f"{source} is not a PKCS#10 request: expected -----BEGIN CERTIFICATE REQUEST----- (Base64) or DER"
        ) from None


def load_request(data: bytes, *, source: str = "request") -> RequestInfo:
    """Parse a request and check its signature; any failure is one FormatError naming ``source``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding

    der = _decode(data, source)
    try:
        csr = x509.load_der_x509_csr(der)
        valid = csr.is_signature_valid
        public_key = csr.public_key()
    except (ValueError, TypeError):
        raise FormatError(
            f"{source} is not a readable PKCS#10 request (RFC 2986): make it again with openssl req or create-request"
        ) from None
    if not valid:
        raise FormatError(
            f"{source}: the request's signature does not match its public key (altered after signing?): make the request again"
        )
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise FormatError(
            f"{source} holds a {type(public_key).__name__} key: the lab's templates take RSA keys; make an RSA request"
        )
    from genesys_lab.x509.describe import readable_name

    dns, ips = _requested_san(csr, source)
    cns = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    hash_name = csr.signature_hash_algorithm.name if csr.signature_hash_algorithm else "none"
    return RequestInfo(
        csr.subject,
        readable_name(csr.subject),
        str(cns[0].value) if cns else None,
        dns,
        ips,
        "RSA",
        public_key.key_size,
        hash_name,
        csr.public_bytes(Encoding.PEM),
        public_key,
    )


def _requested_san(csr, source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from cryptography import x509

    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return (), ()
    except ValueError:
        raise FormatError(f"{source}: its requested extensions cannot be parsed: make the request again") from None
    dns = tuple(san.get_values_for_type(x509.DNSName))
    ips = tuple(str(a) for a in san.get_values_for_type(x509.IPAddress))
    return dns, ips


def build_request(
    host: str,
    *,
    key,
    cn: str | None = None,
    san_domains=(),
    san_ips=(),
    ip: str | None = None,
    digest: str = "sha256",
    email=None,
    org_unit=None,
    org=None,
    locality=None,
    state=None,
    country=None,
):
    """A signed PKCS#10 request for ``host`` (FQDN) with its SAN, as CertEnroll or ``openssl req`` would send it."""
    from cryptography import x509

    from genesys_lab.x509.profiles import Digest

    host = check_fqdn(host, option="--host")
    if digest not in REQUEST_DIGESTS:
        raise UsageError(f"hash algorithm {digest!r} is not offered: use one of {', '.join(REQUEST_DIGESTS)}")
    subject = Subject(CN=cn or host, E=email, OU=org_unit, O=org, L=locality, S=state, C=country)
    alt = AltNames.for_host(host, ip, san_domains, san_ips)
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject.to_x509()).add_extension(alt.to_x509(), critical=False)
    if digest == "sha1":
        return _sign_sha1(builder, key)
    return builder.sign(key, Digest.parse(digest).hash())


def _sign_sha1(builder, key):
    """cryptography refuses SHA-1 signatures; the form still offers it (old Windows did), so sign by hand."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from genesys_lab.x509 import der as _der

    tbs = builder.sign(key, hashes.SHA256()).tbs_certrequest_bytes
    algorithm = bytes.fromhex("300d06092a864886f70d0101050500")
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    return x509.load_der_x509_csr(_der.sequence(tbs, algorithm, _der.bit_string(signature)))


@dataclass(frozen=True)
class WrittenRequest:
    request_file: Path
    key_file: Path
    info: RequestInfo


def key_path_for(out: Path) -> Path:
    """The new key beside the request: ``req.csr`` -> ``req_priv_key.pem`` (the Security Pack's naming)."""
    return out.with_name(f"{out.stem}_priv_key.pem")


def create_request(out: Path | str, host: str, *, key_size: int = 2048, **fields) -> WrittenRequest:
    """``create-request``: a new RSA key (mode 0600) beside a new request for ``host``; refuses to overwrite either."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from genesys_lab.authority import store
    from genesys_lab.x509 import keys

    out = Path(out)
    key_file = key_path_for(out)
    bits = keys.check_key_size(key_size)
    check_fqdn(host, option="--host")
    for path in (out, key_file):
        if path.exists():
            raise UsageError(f"{path} already exists: choose another --out, or remove the old request and key first")
    if not out.parent.is_dir():
        raise UsageError(f"folder {out.parent} does not exist: create it first")
    key = keys.generate_rsa_key(bits)
    csr = build_request(host, key=key, **fields)
    # Files of the user's choosing, outside any CA: each written whole (temporary file, then rename),
    # the key with its final mode 0600 from the start; the key first, so a request never lacks its key.
    store.write_atomic(key_file, keys.pkcs1_pem(key), 0o600)
    store.write_atomic(out, csr.public_bytes(Encoding.PEM), 0o644)
    return WrittenRequest(out, key_file, load_request(out.read_bytes(), source=str(out)))


def read_request_file(path: Path | str) -> RequestInfo:
    from genesys_lab.files import read_user_file

    path = Path(path)
    data = read_user_file(path, "request file")
    return load_request(data, source=str(path))
