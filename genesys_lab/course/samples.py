"""Deliberately flawed demonstration certificates, for learners to inspect and lint.

Two flaws come straight from the public API and need nothing here:
``ca.issue(..., key_size=1024)`` (weak key) and ``ca.issue(..., digest="sha1")``.
The others cannot be made with ``create_cert.sh``, on purpose: it always
writes a SAN, a validity of at least one day and the profile's EKU. So this
module signs them directly with the CA key:

- ``without_san``: only the CN names the host. Browsers and modern TLS
  libraries ignore the CN when checking a host name (RFC 6125 6.4.4), so
  such a certificate fails host name checks.
- ``expired``: a validity window that ended in the past.
- ``wrong_eku``: an extended key usage that allows neither serverAuth nor
  clientAuth, so OpenSSL refuses it for TLS ("unsuitable certificate purpose").
- ``server_only``: serverAuth without clientAuth, which a Genesys server
  cannot use to connect to another server as a client.

Demonstration certificates are returned, never written to the CA directory
and never recorded in ca.db: they carry a random serial, so they cannot
clash with the serials ``openssl ca`` hands out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from genesys_lab.x509 import keys
from genesys_lab.x509.names import AltNames, Subject
from genesys_lab.x509.profiles import Digest, Profile, host_extensions
from genesys_lab.x509.signing import sign_certificate

_EKU_OIDS = {"emailProtection": "1.3.6.1.5.5.7.3.4", "codeSigning": "1.3.6.1.5.5.7.3.3", "timeStamping": "1.3.6.1.5.5.7.3.8"}
_TLS_EKU_OIDS = {"serverAuth": "1.3.6.1.5.5.7.3.1", "clientAuth": "1.3.6.1.5.5.7.3.2"}


@dataclass(frozen=True)
class DemoCertificate:
    """A flawed certificate and one sentence on what is wrong with it."""

    flaw: str
    explanation: str
    certificate: object = field(repr=False)
    key: object = field(repr=False, default=None)  # its private key, for handshakes that must fail

    def write(self, folder, stem: str):
        """Write ``<stem>_cert.pem`` and ``<stem>_priv_key.pem`` (0600) into a scratch folder, never a CA."""
        from pathlib import Path

        from cryptography.hazmat.primitives.serialization import Encoding

        from genesys_lab.authority import store
        from genesys_lab.authority.repository import pair_names

        names = pair_names(Path(folder), stem)
        cert_path, key_path = names.cert, names.key
        store.write_atomic(cert_path, self.certificate.public_bytes(Encoding.PEM))
        store.write_atomic(key_path, keys.pkcs1_pem(self.key), 0o600)
        return cert_path, key_path


def without_san(ca, host: str, cn: str, *, key=None) -> DemoCertificate:
    cert, key = _sign(ca, host, cn, key=key, keep_san=False)
    return DemoCertificate("no SAN", "the host name is only in the CN; TLS clients check the SAN", cert, key)


def expired(ca, host: str, cn: str, *, ended_days_ago: int = 10, key=None) -> DemoCertificate:
    end = _now() - dt.timedelta(days=ended_days_ago)
    cert, key = _sign(ca, host, cn, key=key, window=(end - dt.timedelta(days=100), end))
    return DemoCertificate("expired", f"its validity ended {ended_days_ago} days ago", cert, key)


def server_only(ca, host: str, cn: str, *, key=None) -> DemoCertificate:
    cert, key = _sign(ca, host, cn, key=key, eku="serverAuth")
    return DemoCertificate("serverAuth only", "no clientAuth: it cannot authenticate as a TLS client", cert, key)


def wrong_eku(ca, host: str, cn: str, *, usage: str = "emailProtection", key=None) -> DemoCertificate:
    if usage not in _EKU_OIDS:
        from genesys_lab.errors import UsageError

        raise UsageError(f"usage {usage!r} is not one of {', '.join(_EKU_OIDS)}: pick one of those")
    cert, key = _sign(ca, host, cn, key=key, eku=usage)
    return DemoCertificate("wrong EKU", f"extended key usage is {usage} only: no serverAuth, no clientAuth", cert, key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _sign(ca, host, cn, *, key=None, keep_san=True, eku=None, window=None):
    """(certificate, key): a server-profile certificate with one thing changed, signed by the CA key."""
    from cryptography import x509

    host_key = key if key is not None else keys.generate_rsa_key(ca.certificate.public_key().key_size)
    start, end = window or (_now(), _now() + dt.timedelta(days=100))
    builder = (
        x509.CertificateBuilder()
        .subject_name(Subject(CN=cn).to_x509())
        .issuer_name(ca.certificate.subject)
        .public_key(host_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    for ext, critical in host_extensions(Profile.SERVER, host_key.public_key(), ca.key.public_key(), AltNames.for_host(host)):
        if isinstance(ext, x509.SubjectAlternativeName) and not keep_san:
            continue
        if isinstance(ext, x509.ExtendedKeyUsage) and eku:
            ext = x509.ExtendedKeyUsage([x509.ObjectIdentifier({**_EKU_OIDS, **_TLS_EKU_OIDS}[eku])])
        builder = builder.add_extension(ext, critical)
    return sign_certificate(builder, ca.key, Digest.SHA256), host_key
