"""A corpus of malformed inputs, made by hand in DER and mutated with a fixed seed.

Each entry is a kind of damage found on real-world files, which
``cryptography`` reports lazily, from wherever a field is first touched:
unknown key algorithms and explicit EC curves (UnsupportedAlgorithm),
undefined version numbers (InvalidVersion), the same extension twice
(DuplicateExtension), x400Address and EDIPartyName in a SAN
(UnsupportedGeneralNameType), a CN that is not UTF-8, CRL entries with an
unknown reason code, a broken certificateIssuer extension or fractional
seconds. The readers under test must turn every one into a GenesysLabError.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from functools import cache

from genesys_lab.x509 import der as d

SHA256_RSA = d.sequence(d.oid("1.2.840.113549.1.1.11"), d.null())
CN = "2.5.4.3"


def pem(label: str, der: bytes) -> bytes:
    text = base64.encodebytes(der).decode().replace("\n", "")
    lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n".encode()


def name(cn: bytes = b"corpus", tag: int = 0x0C) -> bytes:
    """A Name with one CN whose string has tag ``tag`` (UTF8String by default) and raw bytes ``cn``."""
    return d.sequence(d.set_of(d.sequence(d.oid(CN), d.tlv(tag, cn))))


def utc(moment: dt.datetime) -> bytes:
    return d.tlv(d.UTC_TIME, moment.strftime("%y%m%d%H%M%SZ").encode())


@cache
def _rsa():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def rsa_spki() -> bytes:
    from cryptography.hazmat.primitives import serialization as s

    return _rsa().public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)


def extension(oid: str, value: bytes, critical: bool = False) -> bytes:
    return d.sequence(d.oid(oid), *([d.tlv(0x01, b"\xff")] if critical else []), d.octet_string(value))


def san(*general_names: bytes) -> bytes:
    return extension("2.5.29.17", d.sequence(*general_names))


DNS = d.implicit(2, b"host.example.com")
BASIC_CA = extension("2.5.29.19", d.sequence(d.tlv(0x01, b"\xff")), critical=True)


def certificate(
    *,
    version: int = 2,
    subject: bytes | None = None,
    spki: bytes | None = None,
    extensions: tuple[bytes, ...] = (),
    signature_algorithm: bytes = SHA256_RSA,
) -> bytes:
    now = dt.datetime(2026, 1, 1)
    tbs = d.sequence(
        d.explicit(0, d.integer(version)),
        d.integer(7),
        signature_algorithm,
        name(),
        d.sequence(utc(now), utc(now + dt.timedelta(days=365))),
        subject if subject is not None else name(),
        spki if spki is not None else rsa_spki(),
        *([d.explicit(3, d.sequence(*extensions))] if extensions else []),
    )
    return d.sequence(tbs, signature_algorithm, d.bit_string(b"\x00" * 128))


def crl(entries: tuple[bytes, ...] = (), *, version: int = 1) -> bytes:
    now = dt.datetime(2026, 1, 1)
    tbs = d.sequence(
        d.integer(version),
        SHA256_RSA,
        name(),
        utc(now),
        utc(now + dt.timedelta(days=30)),
        *([d.sequence(*entries)] if entries else []),
    )
    return d.sequence(tbs, SHA256_RSA, d.bit_string(b"\x00" * 128))


def entry(serial: int = 5, *, when: bytes | None = None, extensions: tuple[bytes, ...] = ()) -> bytes:
    moment = when if when is not None else utc(dt.datetime(2026, 1, 2))
    return d.sequence(d.integer(serial), moment, *([d.sequence(*extensions)] if extensions else []))


def reason(code: int) -> bytes:
    return extension("2.5.29.21", d.tlv(0x0A, bytes([code])))


def csr(*, version: int = 5) -> bytes:
    info = d.sequence(d.integer(version), name(), rsa_spki(), d.implicit(0, b"", constructed=True))
    return d.sequence(info, SHA256_RSA, d.bit_string(b"\x00" * 128))


def pkcs8(algorithm_oid: str, key: bytes = b"\x04\x20" + b"\x01" * 32) -> bytes:
    return d.sequence(d.integer(0), d.sequence(d.oid(algorithm_oid)), d.octet_string(key))


def _explicit_curve_spki() -> bytes:
    """ecPublicKey with explicit ECParameters instead of a named curve (RFC 3279 2.3.5; RFC 5480 forbids it)."""
    p = 2**256 - 2**224 + 2**192 + 2**96 - 1
    params = d.sequence(
        d.integer(1),
        d.sequence(d.oid("1.2.840.10045.1.1"), d.integer(p)),
        d.sequence(d.octet_string(b"\x01" * 32), d.octet_string(b"\x02" * 32)),
        d.octet_string(b"\x04" + b"\x03" * 64),
        d.integer(p - 1),
    )
    return d.sequence(d.sequence(d.oid("1.2.840.10045.2.1"), params), d.bit_string(b"\x04" + b"\x05" * 64))


def named() -> dict[str, bytes]:
    """The hand-made cases, by name."""
    unknown_key = d.sequence(d.sequence(d.oid("1.2.3.4.5.6")), d.bit_string(b"\x00" * 16))
    unknown_curve = d.sequence(d.sequence(d.oid("1.2.840.10045.2.1"), d.oid("1.2.3.4")), d.bit_string(b"\x04" + b"\x01" * 64))
    return {
        "cert-unknown-key-oid": certificate(spki=unknown_key),
        "cert-unknown-ec-curve": certificate(spki=unknown_curve),
        "cert-explicit-ec-curve": certificate(spki=_explicit_curve_spki()),
        "cert-invalid-version": certificate(version=7),
        "cert-duplicate-extension": certificate(extensions=(san(DNS), san(DNS))),
        "cert-san-x400-address": certificate(extensions=(san(d.implicit(3, d.sequence(), constructed=True)),)),
        "cert-san-edi-party-name": certificate(extensions=(san(d.implicit(5, d.implicit(1, b"x"), constructed=True)),)),
        "cert-cn-bad-utf8": certificate(subject=name(b"\xff\xfe bad")),
        "cert-cn-unsupported-tag": certificate(subject=name(b"x", tag=0x1C)),  # UniversalString with 1 byte
        "cert-unknown-signature-algorithm": certificate(signature_algorithm=d.sequence(d.oid("1.2.3.4.9"))),
        "cert-empty-eku": certificate(extensions=(extension("2.5.29.37", d.sequence()),)),
        "ca-unknown-key-oid": certificate(spki=unknown_key, extensions=(BASIC_CA,)),
        "crl-invalid-version": crl(version=5),
        "crl-unknown-reason-code": crl((entry(extensions=(reason(7),)), entry(6, extensions=(reason(42),)))),
        "crl-bad-certificate-issuer": crl((entry(extensions=(extension("2.5.29.29", b"\x30\x03\x04\x01"),)),)),
        "crl-fractional-seconds": crl((entry(when=d.tlv(d.GENERALIZED_TIME, b"20260102000000.5Z")),)),
        "crl-duplicate-entry-extension": crl((entry(extensions=(reason(1), reason(1))),)),
        "csr-invalid-version": csr(),
        "pkcs8-unknown-algorithm": pkcs8("1.2.3.4.5"),
        "pkcs8-ec-unknown-curve": d.sequence(
            d.integer(0), d.sequence(d.oid("1.2.840.10045.2.1"), d.oid("1.2.3.4")), d.octet_string(d.sequence(d.integer(1)))
        ),
        "pkcs12-garbage": d.sequence(d.integer(3), d.sequence(d.oid("1.2.840.113549.1.7.1"), d.explicit(0, b"\x04\x01x"))),
    }


def _mutants(seed_name: str, data: bytes, rng: random.Random, count: int) -> dict[str, bytes]:
    out = {}
    for n in range(count):
        mutant = bytearray(data)
        how = rng.choice(("flip", "truncate", "insert", "delete"))
        pos = rng.randrange(len(mutant))
        if how == "flip":
            mutant[pos] ^= 1 << rng.randrange(8)
        elif how == "truncate":
            del mutant[pos:]
        elif how == "insert":
            mutant[pos:pos] = bytes([rng.randrange(256)])
        else:
            del mutant[pos]
        out[f"{seed_name}-{how}-{n}"] = bytes(mutant)
    return out


def corpus(valid: dict[str, bytes], *, mutations: int = 12, seed: int = 20261201) -> dict[str, bytes]:
    """The hand-made cases in DER and PEM, plus ``mutations`` seeded mutants of each valid file and case."""
    labels = {"cert": "CERTIFICATE", "ca": "CERTIFICATE", "crl": "X509 CRL", "csr": "CERTIFICATE REQUEST", "pkcs8": "PRIVATE KEY"}
    cases = named()
    out = dict(cases)
    for case, data in cases.items():
        label = labels.get(case.split("-")[0])
        if label:
            out[case + ".pem"] = pem(label, data)
    rng = random.Random(seed)
    for case, data in {**valid, **cases}.items():
        out.update(_mutants(case, data, rng, mutations))
    return out
