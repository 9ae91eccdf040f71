"""What tests share: the real tools as judges, the CA factory, and a snapshot to prove a refusal changed nothing.

Test modules import these (``from helpers import run_tool, snapshot``); the
fixtures built on them live in conftest.py, which nothing imports.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from genesys_lab import create_ca
from genesys_lab.x509.profiles import Digest
from genesys_lab.x509.signing import sign_certificate


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install it, or run .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " — required under CI=true")
    pytest.skip(message)


def run_tool(*args, cwd=None, input=None, check=True) -> subprocess.CompletedProcess:
    """Run a real tool; on failure the assertion shows its stderr."""
    proc = subprocess.run([str(a) for a in args], cwd=cwd, input=input, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def openssl_ca(openssl, ca, *args, check=True) -> subprocess.CompletedProcess:
    """``openssl ca -config ca_conf/ca.conf ...`` run from the CA directory, as the Security Pack does."""
    return run_tool(openssl, "ca", "-config", "ca_conf/ca.conf", *args, cwd=ca.paths.root, check=check)


GUIDE_CA = dict(
    email="youremail@yourdomain.com",
    org_unit="Department",
    org="Genesys Telecommunication Labs",
    locality="Daly City",
    state="CA",
    country="US",
)
#: the guide's create_ca.sh example as command-line arguments (the same values as GUIDE_CA)
GUIDE_CA_ARGS = ["-CN", "Basic Certification Authority", "-E", "youremail@yourdomain.com", "-OU", "Department",
                 "-O", "Genesys Telecommunication Labs", "-L", "Daly City", "-S", "CA", "-C", "US"]  # fmt: skip


def make_ca(root, cn: str = "Test CA", *, key_size: int = 1024, **kwargs):
    """The one CA factory: a new CA in ``root`` (1024-bit key by default: fast; tests that need 2048 say so)."""
    return create_ca(root, cn, key_size=key_size, **kwargs).ca


def snapshot(directory: Path) -> dict:
    """Every file under a directory with its bytes and mode, to prove a refusal changed nothing."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(Path(directory).rglob("*"))
        if p.is_file()
    }


def under_ci() -> bool:
    return os.environ.get("CI") == "true"


@contextmanager
def deadline(seconds: int = 10):
    """Fail (instead of hanging) when the body runs longer than ``seconds`` (SIGALRM; main thread only)."""

    def expired(_signum, _frame):
        raise TimeoutError(f"took longer than {seconds} s: a reader must not hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- certificates made in memory (verify, lint and differential tests) ---------------------

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
EKU = {
    "server": ExtendedKeyUsageOID.SERVER_AUTH,
    "client": ExtendedKeyUsageOID.CLIENT_AUTH,
    "any": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
}
KU_NAMES = [
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
]


def _key_usage(*on):
    return x509.KeyUsage(**{n: n in on for n in KU_NAMES})


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Genesys Lab"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Issuer:
    """A CA certificate made in memory and its key (for verify and lint tests that need odd CAs)."""

    cert: x509.Certificate
    key: object


def make_ca_cert(
    cn,
    key,
    *,
    signer: Issuer | None = None,
    ca_flag=True,
    ku=("key_cert_sign", "crl_sign"),
    days=3650,
    path_length=None,
    eku=None,
) -> Issuer:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(signer.cert.subject if signer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + days * DAY)
        .add_extension(x509.BasicConstraints(ca=ca_flag, path_length=path_length if ca_flag else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ku is not None:
        builder = builder.add_extension(_key_usage(*ku), critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([EKU[e] for e in eku]), critical=False)
    sign_key = signer.key if signer else key
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(sign_key.public_key()), critical=False)
    return Issuer(builder.sign(sign_key, hashes.SHA256()), key)


def make_leaf(
    issuer: Issuer,
    key,
    *,
    cn="app01.example.com",
    dns=("app01.example.com",),
    ips=("10.0.0.5",),
    eku=("server", "client"),
    ku=("digital_signature", "key_encipherment"),
    start=None,
    end=None,
    digest=Digest.SHA256,
    serial=0x1001,
    extensions=(),
):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start or NOW - DAY)
        .not_valid_after(end or NOW + 100 * DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    if ku is not None:
        builder = builder.add_extension(_key_usage(*ku), critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([EKU[e] for e in eku]), critical=False)
    names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    return sign_certificate(builder, issuer.key, digest)


def make_crl(issuer_name, key, revoked=(), *, last=None, next_=None):
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_name)
        .last_update(last or NOW - DAY)
        .next_update(next_ or NOW + 30 * DAY)
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - DAY).build()
        )
    return builder.sign(key, hashes.SHA256())
