"""Sign certificates with any of the guide's five digests, SHA-1 included.

``cryptography`` refuses to sign with SHA-1, but the guide still lists it
(``-dgst sha1``, "not recommended"), and learners must be able to make one
to see why the linter flags it. So SHA-1 takes one extra, small step: sign
with SHA-256, then swap the AlgorithmIdentifier (same length, only the last
OID arc differs: 1.2.840.113549.1.1.11 -> .5) in the to-be-signed part and
sign those bytes again with RSA PKCS#1 v1.5 over SHA-1.
"""

from __future__ import annotations

from genesys_lab.x509.profiles import Digest

_SHA256_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")
_SHA1_RSA = bytes.fromhex("300d06092a864886f70d0101050500")


def sign_certificate(builder, key, digest: Digest):
    """Sign a CertificateBuilder; returns a cryptography Certificate."""
    if digest is not Digest.SHA1:
        return builder.sign(key, digest.hash())
    return _resign_sha1(builder.sign(key, Digest.SHA256.hash()), key)


def _resign_sha1(cert, key):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    tbs = cert.tbs_certificate_bytes
    at = _tbs_signature_offset(tbs)
    if tbs[at : at + len(_SHA256_RSA)] != _SHA256_RSA:
        raise ValueError("SHA-1 signing supports RSA keys only")
    tbs = tbs[:at] + _SHA1_RSA + tbs[at + len(_SHA1_RSA) :]
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())
    from genesys_lab.x509 import der as _der

    return x509.load_der_x509_certificate(_der.sequence(tbs, _SHA1_RSA, _der.bit_string(signature)))


def _tbs_signature_offset(tbs: bytes) -> int:
    """Where TBSCertificate's ``signature`` field starts (RFC 5280 4.1): after version and serial."""
    from genesys_lab.x509 import der as _der

    _, pos, _ = _der.header(tbs, 0)  # into the SEQUENCE
    if tbs[pos] == 0xA0:  # [0] EXPLICIT version
        pos = _der.header(tbs, pos)[2]
    return _der.header(tbs, pos)[2]  # past serialNumber
