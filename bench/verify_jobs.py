"""Job 5: verify 1,000 certificates against the CA and a 100,000-row ca.db's CRL (50,000 entries).

The CRL is parsed once and revocation is a dictionary lookup; the
certificates' serials fall inside the revoked range, so half of them are
refused for revocation, as ``openssl verify -crl_check`` refuses them.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from genesys_lab import load_ca
from genesys_lab.authority.crl import generate_crl, load_crl
from genesys_lab.checks.verify import verify

from .crl_jobs import build_large_ca
from .harness import Result, run

CERTS = 1000


def make_certificates(ca, folder: Path, count: int) -> list[Path]:
    """``count`` server certificates with serials 1..count (one shared key: only verification is measured)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from genesys_lab.x509.keys import generate_rsa_key

    folder.mkdir(parents=True, exist_ok=True)
    key = generate_rsa_key(2048)
    now = dt.datetime.now(dt.UTC)
    paths = []
    for n in range(1, count + 1):
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"host{n}")]))
            .issuer_name(ca.certificate.subject)
            .public_key(key.public_key())
            .serial_number(n)
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), False)
            .sign(ca.key, ca.certificate.signature_hash_algorithm)
        )
        path = folder / f"{n:06X}.pem"
        path.write_bytes(cert.public_bytes(Encoding.PEM))
        paths.append(path)
    return paths


def run_jobs(work: Path, args) -> list[Result]:
    root = work / "large"
    if not (root / "ca_conf/ca.db").exists():
        build_large_ca(root)
    ca = load_ca(root)
    generate_crl(ca)
    paths = make_certificates(ca, work / "verify-certs", CERTS)
    start = time.perf_counter()
    crl = load_crl(ca.paths.crl_der)
    verdicts = [verify(p, ca=ca.certificate, crl=crl).valid for p in paths]
    lab = time.perf_counter() - start
    assert verdicts.count(False) == CERTS // 2, "half the certificates are revoked"
    openssl, _ = run(
        ["openssl", "verify", "-crl_check", "-CAfile", ca.paths.cert, "-CRLfile", ca.paths.crl_pem, *paths], check=False
    )
    return [
        Result(
            f"5 verify {CERTS} certificates, 50,000-entry CRL",
            lab,
            openssl,
            None,
            note=f"{CERTS / lab:.0f} certificates/s (OpenSSL: {CERTS / openssl:.0f}/s); CRL parsed once, lookups O(1)",
        )
    ]
