"""PKCS#12 (.pfx / .p12) files that OpenSSL, Java keytool and Windows accept.

Why our own encoder: the Genesys Security Pack writes host and CA `.pfx`
files with an EMPTY password, and sites open them that way. `cryptography`
refuses empty passwords when it builds a PKCS#12, and its unencrypted form
(a plain keyBag) shows 0 entries in Java's keytool. So the structure is
written here (RFC 7292) with `genesys_lab.x509.der`; the cryptography itself
(PBKDF2, AES, 3DES, HMAC, hashes) comes from `cryptography`.

Reading uses `cryptography`'s `load_pkcs12` (it handles empty passwords and
the OpenSSL `-legacy` RC2 files), after our own parser has told a damaged
file (FormatError) from a wrong password (PasswordError).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, hmac, padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import pkcs12 as _pyca_pkcs12

try:  # cryptography >= 43 moved 3DES to "decrepit"
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    TripleDES = algorithms.TripleDES  # type: ignore[misc]

from genesys_lab.errors import FormatError, GenesysLabError, PasswordError, UsageError
from genesys_lab.x509 import der as _der
from genesys_lab.x509.describe import readable_name

__all__ = [
    "BagInfo",
    "Compat",
    "Consumer",
    "Pkcs12Contents",
    "Pkcs12Info",
    "build_cert_only_pkcs12",
    "build_pkcs12",
    "describe_pkcs12",
    "read_pkcs12",
]

#: OpenSSL 3's default for `openssl pkcs12 -export` (PKCS12_DEFAULT_ITER), so
#: our files cost a consumer exactly what an OpenSSL-made file costs.
ITERATIONS = 2048


class Compat(enum.Enum):
    """Which algorithms protect the file.

    MODERN is what OpenSSL 3 writes by default: key and certificate bags
    encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), MAC HMAC-SHA256
    with its key from the PKCS#12 KDF over SHA-256, 2048 iterations.

    LEGACY uses pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates and
    an HMAC-SHA1 MAC. Windows Server 2016 and older and Java before 8u301
    cannot open AES files and misleadingly report a wrong password.
    (Unlike `openssl pkcs12 -legacy` it avoids RC2-40, which OpenSSL 3 only
    reads with -legacy.)
    """

    MODERN = "modern"
    LEGACY = "legacy"

    @classmethod
    def parse(cls, value) -> Compat:
        from genesys_lab.x509.profiles import parse_choice

        return parse_choice(cls, value, words="is not modern or legacy", prefix="compatibility ")


# ------------------------------------------------------------------ OIDs

_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_X509_CERT = "1.2.840.113549.1.9.22.1"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
#: Oracle's "trusted key usage" bag attribute: Java lists a certificate
#: without a key as a trustedCertEntry only when its bag carries it.
_JDK_TRUSTED_USAGE = "2.16.840.1.113894.746875.1.1"
_ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0"

_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_HMAC_SHA256 = "1.2.840.113549.2.9"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"
_PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3"
_SHA1 = "1.3.14.3.2.26"
_SHA256 = "2.16.840.1.101.3.4.2.1"

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    _SHA1: hashes.SHA1,
    "2.16.840.1.101.3.4.2.4": hashes.SHA224,
    _SHA256: hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
_HMAC_PRFS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.2.840.113549.2.7": hashes.SHA1,
    "1.2.840.113549.2.8": hashes.SHA224,
    _HMAC_SHA256: hashes.SHA256,
    "1.2.840.113549.2.10": hashes.SHA384,
    "1.2.840.113549.2.11": hashes.SHA512,
}
_AES_CBC = {
    "2.16.840.1.101.3.4.1.2": 16,
    "2.16.840.1.101.3.4.1.22": 24,
    _AES256_CBC: 32,
}
#: RFC 7292 appendix C. Only 3-key 3DES is decrypted here; RC2/RC4 are
#: recognised so describe_pkcs12 can name them.
_PKCS12_PBES = {
    "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
    _PBE_SHA1_3DES: "pbeWithSHAAnd3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.5": "pbeWithSHAAnd128BitRC2-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
}


# ---------------------------------------------------- key derivation


def _pkcs12_kdf(
    algorithm: hashes.HashAlgorithm,
    password: bytes,
    salt: bytes,
    iterations: int,
    purpose: int,
    length: int,
) -> bytes:
    """The PKCS#12 key derivation of RFC 7292 appendix B.2.

    `cryptography` does not expose it, but the MAC key (purpose 3) and the
    keys and IVs of the legacy PBEs (purposes 1 and 2) need it. `password`
    is already the BMPString with its terminator (see `_bmp_password`).
    """
    v = algorithm.block_size or 64

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        size = v * -(-len(data) // v)
        return (data * -(-size // len(data)))[:size]

    import hashlib

    digest = getattr(hashlib, algorithm.name)  # hashlib: a C loop step, 2048 of them per file
    d = bytes([purpose]) * v
    i = bytearray(stretch(salt) + stretch(password))
    out = b""
    while len(out) < length:
        a = d + bytes(i)
        for _ in range(iterations):
            a = digest(a).digest()
        out += a
        b = int.from_bytes(stretch(a), "big") + 1
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j : j + v], "big") + b) % (1 << (8 * v))
            i[j : j + v] = block.to_bytes(v, "big")
    return out[:length]


def _bmp_password(password: str) -> bytes:
    """BMPString plus a two-byte NUL, as RFC 7292 B.1 asks.

    An empty password therefore becomes b"\\x00\\x00", which is what OpenSSL
    (for "" as opposed to no password) and Java (PKCS12PBECipherCore) use.
    """
    return (password + "\0").encode("utf-16-be")


# ------------------------------------------------- bag encryption


def _pad_encrypt(cipher, block_bits: int, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(block_bits).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = cipher.encryptor()
    return enc.update(data) + enc.finalize()


def _decrypt_unpad(cipher, block_bits: int, ciphertext: bytes) -> bytes:
    dec = cipher.decryptor()
    data = dec.update(ciphertext) + dec.finalize()
    unpadder = padding.PKCS7(block_bits).unpadder()
    return unpadder.update(data) + unpadder.finalize()


def _encrypt(password: str, plaintext: bytes, compat: Compat) -> tuple[bytes, bytes]:
    """Encrypt a bag or safe; return (AlgorithmIdentifier DER, ciphertext)."""
    if compat is Compat.LEGACY:
        return _encrypt_pbe_3des(password, plaintext)
    return _encrypt_pbes2(password, plaintext)


def _encrypt_pbes2(password: str, plaintext: bytes) -> tuple[bytes, bytes]:
    """PBES2 (RFC 8018 6.2) as OpenSSL 3 writes it: no keyLength, PRF spelled out.

    PBKDF2 takes the password's UTF-8 bytes, so "" gives b"" (OpenSSL and
    Java both do this; there is no NUL terminator outside the PKCS#12 KDF).
    """
    salt, iv = os.urandom(16), os.urandom(16)
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, ITERATIONS).derive(password.encode())
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    kdf = _der.sequence(
        _der.oid(_PBKDF2),
        _der.sequence(
            _der.octet_string(salt),
            _der.integer(ITERATIONS),
            _der.sequence(_der.oid(_HMAC_SHA256), _der.null()),
        ),
    )
    scheme = _der.sequence(_der.oid(_AES256_CBC), _der.octet_string(iv))
    alg = _der.sequence(_der.oid(_PBES2), _der.sequence(kdf, scheme))
    return alg, _pad_encrypt(cipher, 128, plaintext)


def _encrypt_pbe_3des(password: str, plaintext: bytes) -> tuple[bytes, bytes]:
    """pbeWithSHAAnd3-KeyTripleDES-CBC: key and IV from the PKCS#12 KDF (B.2)."""
    salt = os.urandom(8)
    cipher = _pbe_3des_cipher(_bmp_password(password), salt, ITERATIONS)
    params = _der.sequence(_der.octet_string(salt), _der.integer(ITERATIONS))
    alg = _der.sequence(_der.oid(_PBE_SHA1_3DES), params)
    return alg, _pad_encrypt(cipher, 64, plaintext)


def _pbe_3des_cipher(bmp: bytes, salt: bytes, iterations: int) -> Cipher:
    key = _pkcs12_kdf(hashes.SHA1(), bmp, salt, iterations, 1, 24)
    iv = _pkcs12_kdf(hashes.SHA1(), bmp, salt, iterations, 2, 8)
    return Cipher(TripleDES(key), modes.CBC(iv))


class _Undecryptable(Exception):
    """An algorithm we recognise but leave to OpenSSL (RC2, RC4)."""


def _decrypt(alg: _der.Element, password: str, bmp: bytes, ciphertext: bytes) -> bytes:
    """Undo `_encrypt`, also for the AES-128/192 and SHA-x PRF variants.

    `bmp` is the PKCS#12-KDF form of the password that verified the MAC
    (an empty password has two, see `_mac_password`); PBKDF2 uses UTF-8.
    """
    oid, params = _alg_parts(alg)
    if oid == _PBE_SHA1_3DES:
        salt, rounds = _params(params).children()[0].as_bytes(), _params(params).children()[1].as_int()
        return _decrypt_unpad(_pbe_3des_cipher(bmp, salt, rounds), 64, ciphertext)
    if oid != _PBES2:
        raise _Undecryptable(_describe_alg(alg))
    prf, cipher_oid, salt, rounds, iv = _pbes2_parts(params)
    if cipher_oid not in _AES_CBC:
        raise _Undecryptable(_describe_alg(alg))
    key = PBKDF2HMAC(prf(), _AES_CBC[cipher_oid], salt, rounds).derive(password.encode())
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    return _decrypt_unpad(cipher, 128, ciphertext)


def _alg_parts(alg: _der.Element) -> tuple[str, _der.Element | None]:
    kids = alg.expect(_der.SEQUENCE).children()
    return kids[0].as_oid(), (kids[1] if len(kids) > 1 else None)


def _params(params: _der.Element | None) -> _der.Element:
    """An AlgorithmIdentifier's parameters, which every PKCS#12 and PBES2 algorithm has (RFC 7292, 8018)."""
    if params is None:
        raise _der.DERError("the algorithm has no parameters")
    return params


def _pbes2_parts(params: _der.Element | None):
    """(PRF hash class, cipher OID, salt, iterations, IV) of PBES2 params."""
    kdf, scheme = _params(params).children()
    kdf_oid, kdf_params = _alg_parts(kdf)
    if kdf_oid != _PBKDF2:
        raise _Undecryptable(f"PBES2 with key derivation {kdf_oid}")
    fields = _params(kdf_params).children()
    prf: type[hashes.HashAlgorithm] = hashes.SHA1  # RFC 8018 A.2: the PRF defaults to hmacWithSHA1
    if fields[-1].tag == _der.SEQUENCE:
        prf_oid = _alg_parts(fields[-1])[0]
        if prf_oid not in _HMAC_PRFS:
            raise _Undecryptable(f"PBES2 with PRF {prf_oid}")
        prf = _HMAC_PRFS[prf_oid]
    cipher_oid, iv = _alg_parts(scheme)
    iv_bytes = iv.as_bytes() if iv is not None and iv.tag == _der.OCTET_STRING else b""
    return prf, cipher_oid, fields[0].as_bytes(), fields[1].as_int(), iv_bytes


def _describe_alg(alg: _der.Element) -> str:
    """A one-line name such as "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC, 2048 iterations"."""
    oid, params = _alg_parts(alg)
    if oid in _PKCS12_PBES:
        return f"{_PKCS12_PBES[oid]}, {_params(params).children()[1].as_int()} iterations"
    if oid != _PBES2:
        return f"unknown algorithm {oid}"
    try:
        prf, cipher_oid, _, rounds, _ = _pbes2_parts(params)
    except _Undecryptable as exc:
        return str(exc)
    cipher = f"AES-{_AES_CBC[cipher_oid] * 8}-CBC" if cipher_oid in _AES_CBC else cipher_oid
    return f"PBES2 PBKDF2-HMAC-{prf.name.upper()} {cipher}, {rounds} iterations"


# ---------------------------------------------------------- building


def _attribute(oid: str, value: bytes) -> bytes:
    """PKCS12Attribute ::= SEQUENCE { attrId, attrValues SET OF } (RFC 7292 4.2)."""
    return _der.sequence(_der.oid(oid), _der.set_of(value))


def _safe_bag(bag_oid: str, value: bytes, attributes: list[bytes]) -> bytes:
    parts = [_der.oid(bag_oid), _der.explicit(0, value)]
    if attributes:
        parts.append(_der.set_of(*attributes))
    return _der.sequence(*parts)


def _cert_bag(cert: x509.Certificate, attributes: list[bytes]) -> bytes:
    der = cert.public_bytes(serialization.Encoding.DER)
    value = _der.sequence(_der.oid(_X509_CERT), _der.explicit(0, _der.octet_string(der)))
    return _safe_bag(_CERT_BAG, value, attributes)


def _shrouded_key_bag(key, password: str, compat: Compat, attributes: list[bytes]) -> bytes:
    """pkcs8ShroudedKeyBag: keytool and Windows want the key encrypted.

    A plain keyBag (what `cryptography` writes without a password) is
    skipped by Java's keytool, which then lists 0 entries.
    """
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    alg, ciphertext = _encrypt(password, pkcs8, compat)
    value = _der.sequence(alg, _der.octet_string(ciphertext))
    return _safe_bag(_SHROUDED_KEY_BAG, value, attributes)


def _data_content(bags: list[bytes]) -> bytes:
    """ContentInfo of type data holding a SafeContents (RFC 7292 4.1)."""
    safe = _der.octet_string(_der.sequence(*bags))
    return _der.sequence(_der.oid(_DATA), _der.explicit(0, safe))


def _encrypted_content(bags: list[bytes], password: str, compat: Compat) -> bytes:
    """ContentInfo of type encryptedData (PKCS#7 EncryptedData, version 0).

    OpenSSL puts the certificates here, so a file that hides them behind
    the password looks the same as one `openssl pkcs12 -export` made.
    """
    alg, ciphertext = _encrypt(password, _der.sequence(*bags), compat)
    info = _der.sequence(_der.oid(_DATA), alg, _der.implicit(0, ciphertext))
    encrypted = _der.sequence(_der.integer(0), info)
    return _der.sequence(_der.oid(_ENCRYPTED_DATA), _der.explicit(0, encrypted))


def _mac_data(auth_safe: bytes, password: str, compat: Compat) -> bytes:
    """MacData: HMAC over the AuthenticatedSafe, key from the PKCS#12 KDF, ID 3.

    OpenSSL 3 uses the MAC digest for the KDF too (SHA-256 -> 32-byte key).
    """
    algorithm = hashes.SHA1() if compat is Compat.LEGACY else hashes.SHA256()
    digest_oid = _SHA1 if compat is Compat.LEGACY else _SHA256
    salt = os.urandom(8)
    bmp = _bmp_password(password)
    key = _pkcs12_kdf(algorithm, bmp, salt, ITERATIONS, 3, algorithm.digest_size)
    mac = hmac.HMAC(key, algorithm)
    mac.update(auth_safe)
    digest_info = _der.sequence(
        _der.sequence(_der.oid(digest_oid), _der.null()),
        _der.octet_string(mac.finalize()),
    )
    return _der.sequence(digest_info, _der.octet_string(salt), _der.integer(ITERATIONS))


def _pfx(contents: list[bytes], password: str, compat: Compat) -> bytes:
    """PFX ::= SEQUENCE { version 3, authSafe ContentInfo, macData } (RFC 7292 4)."""
    auth_safe = _der.sequence(*contents)
    auth_info = _der.sequence(_der.oid(_DATA), _der.explicit(0, _der.octet_string(auth_safe)))
    return _der.sequence(_der.integer(3), auth_info, _mac_data(auth_safe, password, compat))


def _check_password(password) -> None:
    if not isinstance(password, str):
        kind = type(password).__name__
        raise UsageError(f'the PKCS#12 password must be text (str), not {kind}; use "" for none')


def _check_arguments(password, compat, certs) -> None:
    _check_password(password)
    if not isinstance(compat, Compat):
        raise UsageError(f"compat must be Compat.MODERN or Compat.LEGACY, not {compat!r}")
    for cert in certs:
        if not isinstance(cert, x509.Certificate):
            raise UsageError(f"expected an x509.Certificate, got {type(cert).__name__}")


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def build_pkcs12(
    key,
    cert: x509.Certificate,
    chain=(),
    *,
    password: str = "",
    friendly_name: str | None = None,
    compat: Compat = Compat.MODERN,
) -> bytes:
    """A host .pfx: private key, its certificate and the CA chain.

    The key bag and the host's certificate bag share a localKeyId (SHA-1 of
    the certificate, as OpenSSL does): that is how OpenSSL, Java and Windows
    pair the key with its certificate. An empty password is allowed, because
    the Genesys Security Pack writes host .pfx files that way.
    """
    chain = tuple(chain)
    _check_arguments(password, compat, (cert, *chain))
    if not hasattr(key, "private_bytes") or not hasattr(key, "public_key"):
        raise UsageError(f"expected a private key object, got {type(key).__name__}")
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise UsageError(
            f"the private key does not belong to the certificate {readable_name(cert.subject)}:"
            " pass the key that was used for its signing request"
        )
    attributes = [_attribute(_LOCAL_KEY_ID, _der.octet_string(cert.fingerprint(hashes.SHA1())))]
    if friendly_name is not None:
        attributes.append(_attribute(_FRIENDLY_NAME, _der.bmp_string(friendly_name)))
    cert_bags = [_cert_bag(cert, attributes)] + [_cert_bag(c, []) for c in chain]
    contents = [
        _encrypted_content(cert_bags, password, compat),
        _data_content([_shrouded_key_bag(key, password, compat, attributes)]),
    ]
    return _pfx(contents, password, compat)


def build_cert_only_pkcs12(certs, *, password: str = "", compat: Compat = Compat.MODERN) -> bytes:
    """A certificates-only .pfx, such as the CA's ca_cert.pfx (empty password).

    Each bag carries Oracle's trusted-key-usage attribute with
    anyExtendedKeyUsage, exactly what OpenSSL 3.2+ writes for
    `openssl pkcs12 -export -nokeys -jdktrust anyExtendedKeyUsage`;
    without it Java's keytool lists no trustedCertEntry at all.
    """
    certs = tuple(certs)
    _check_arguments(password, compat, certs)
    if not certs:
        raise UsageError("build_cert_only_pkcs12 needs at least one certificate")
    trust = [_attribute(_JDK_TRUSTED_USAGE, _der.oid(_ANY_EXTENDED_KEY_USAGE))]
    bags = [_cert_bag(c, trust) for c in certs]
    return _pfx([_encrypted_content(bags, password, compat)], password, compat)


# ----------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Pfx:
    """The outer layers of a PFX: AuthenticatedSafe bytes and MacData."""

    auth_safe: bytes
    contents: tuple[_der.Element, ...]
    mac: _der.Element | None


def _parse_pfx(data: bytes) -> _Pfx:
    """Check the outer structure so that garbage is a FormatError, not a password problem."""
    if not isinstance(data, (bytes, bytearray)):
        raise UsageError(f"PKCS#12 data must be bytes, not {type(data).__name__}")
    if bytes(data[:64]).lstrip().startswith(b"-----BEGIN"):
        raise FormatError(
            "this is PEM text, not a PKCS#12 (.pfx/.p12) file: build one with build_pkcs12 or `openssl pkcs12 -export`"
        )
    try:
        pfx = _der.decode(bytes(data)).expect(_der.SEQUENCE).children()
        if pfx[0].as_int() != 3 or pfx[1].children()[0].as_oid() != _DATA:
            raise _der.DERError("not a PKCS#12 v3 PFX with data content")
        auth_safe = pfx[1].children()[1].children()[0].as_bytes()
        contents = _der.decode(auth_safe).expect(_der.SEQUENCE).children()
        mac = pfx[2] if len(pfx) > 2 else None
    except (_der.DERError, IndexError, AttributeError) as exc:
        raise FormatError(f"not a PKCS#12 (.pfx/.p12) file ({exc})") from None
    return _Pfx(auth_safe, contents, mac)


def _mac_password(pfx: _Pfx, password: str) -> bytes:
    """Verify the MAC; return the KDF form of the password that matched.

    An empty password is tried as BMP "" plus terminator (b"\\x00\\x00", what
    OpenSSL and Java write) and then as no bytes at all, because OpenSSL's
    PKCS12_parse and Java's keystore accept both forms for "".
    """
    candidates = [_bmp_password(password)] + ([b""] if password == "" else [])
    if pfx.mac is None:
        return candidates[0]
    try:
        digest_info, salt, *rest = pfx.mac.children()
        digest_oid = _alg_parts(digest_info.children()[0])[0]
        expected = digest_info.children()[1].as_bytes()
        salt_bytes = salt.as_bytes()
        iterations = rest[0].as_int() if rest else 1
    except (_der.DERError, IndexError, ValueError) as exc:
        raise FormatError(f"the PKCS#12 MAC is damaged ({exc})") from None
    if digest_oid not in _HASHES:
        raise FormatError(f"the PKCS#12 MAC uses an unsupported digest ({digest_oid})")
    algorithm = _HASHES[digest_oid]()
    for bmp in candidates:
        key = _pkcs12_kdf(algorithm, bmp, salt_bytes, iterations, 3, algorithm.digest_size)
        mac = hmac.HMAC(key, algorithm)
        mac.update(pfx.auth_safe)
        if mac.finalize() == expected:
            return bmp
    shown = "an empty password" if password == "" else "the password given"
    raise PasswordError(
        f"the PKCS#12 file does not open with {shown} (its MAC does not match): "
        "pass the password it was exported with (Security Pack files use an empty password)"
    )


@dataclass(frozen=True)
class Pkcs12Contents:
    """What a PKCS#12 holds.

    `cert` is the certificate of `key`; without a key, `cert` is None and
    every certificate is in `chain`. `friendly_name` is that of `cert`
    (or of the first certificate when there is no key).
    """

    key: object | None
    cert: x509.Certificate | None
    chain: tuple[x509.Certificate, ...]
    friendly_name: str | None


def read_pkcs12(data: bytes, password: str = "") -> Pkcs12Contents:
    """Read a .pfx written by us, by `openssl pkcs12 -export` (also -legacy) or Java."""
    pfx = _parse_pfx(data)
    _check_password(password)
    _mac_password(pfx, password)
    try:
        loaded = _pyca_pkcs12.load_pkcs12(bytes(data), password.encode() or None)
    except ValueError as exc:
        raise _unreadable(pfx, exc) from None
    first = loaded.cert or next(iter(loaded.additional_certs), None)
    name = first.friendly_name if first else None
    return Pkcs12Contents(
        key=loaded.key,
        cert=loaded.cert.certificate if loaded.cert else None,
        chain=tuple(c.certificate for c in loaded.additional_certs),
        friendly_name=name.decode("utf-8") if name else None,
    )


def _unreadable(pfx: _Pfx, exc: Exception) -> GenesysLabError:
    """The MAC matched, so the password is right: say which algorithm failed."""
    if pfx.mac is None:
        return PasswordError(f"the PKCS#12 file has no MAC and could not be decrypted ({exc}): check the password")
    try:
        used = ", ".join(_content_encryption(c) for c in pfx.contents)
    except (_der.DERError, IndexError):
        return FormatError(f"the PKCS#12 file is damaged inside ({exc})")
    hint = " Re-export it without -legacy." if "RC2" in used or "RC4" in used else ""
    return FormatError(f"the PKCS#12 file uses encryption this system cannot decrypt ({used}).{hint}")


def _content_encryption(content: _der.Element) -> str:
    """How one ContentInfo of the AuthenticatedSafe is protected."""
    oid = content.children()[0].as_oid()
    if oid == _DATA:
        return "none"
    if oid == _ENCRYPTED_DATA:
        info = content.children()[1].children()[0].children()[1]
        return _describe_alg(info.children()[1])
    return f"unknown content type {oid}"


def _safe_bags(content: _der.Element, password: str, bmp: bytes) -> tuple[_der.Element, ...]:
    """The SafeBags of one ContentInfo, decrypting an encryptedData one."""
    oid = content.children()[0].as_oid()
    if oid == _DATA:
        safe = content.children()[1].children()[0].as_bytes()
    elif oid == _ENCRYPTED_DATA:
        info = content.children()[1].children()[0].children()[1]
        alg, ciphertext = info.children()[1], info.children()[2].as_bytes()
        safe = _decrypt(alg, password, bmp, ciphertext)
    else:
        raise _Undecryptable(f"unknown content type {oid}")
    return _der.decode(safe).expect(_der.SEQUENCE).children()


@dataclass(frozen=True)
class BagInfo:
    """One SafeBag: "key" or "cert" (or "other"), how it is protected, its attributes."""

    kind: str
    encryption: str
    friendly_name: str | None
    local_key_id: str | None
    subject: str | None
    java_trusted_usage: str | None


class Consumer(NamedTuple):
    """Whether one tool or platform opens the file, and why (not)."""

    consumer: str
    opens: bool
    reason: str


@dataclass(frozen=True)
class Pkcs12Info:
    """What describe_pkcs12 found. `contents` lists each AuthenticatedSafe entry's protection."""

    bags: tuple[BagInfo, ...]
    contents: tuple[str, ...]
    mac: str
    mac_iterations: int | None
    empty_password: bool
    consumers: tuple[Consumer, ...]


def _attributes(bag_kids: tuple[_der.Element, ...]) -> dict[str, _der.Element]:
    """First value of each bag attribute, keyed by OID."""
    if len(bag_kids) < 3:
        return {}
    return {a.children()[0].as_oid(): a.children()[1].children()[0] for a in bag_kids[2].children()}


def _bag_info(bag: _der.Element, content_encryption: str) -> tuple[BagInfo, bytes | None]:
    """Describe one SafeBag; also return the certificate DER for a cert bag."""
    kids = bag.children()
    oid, value = kids[0].as_oid(), kids[1].children()[0]
    attrs = _attributes(kids)
    kind, encryption, subject, cert_der = "other", content_encryption, None, None
    if oid == _SHROUDED_KEY_BAG:
        kind, encryption = "key", _describe_alg(value.children()[0])
    elif oid == _KEY_BAG:
        kind = "key"
    elif oid == _CERT_BAG and value.children()[0].as_oid() == _X509_CERT:
        cert_der = value.children()[1].children()[0].as_bytes()
        kind, subject = "cert", readable_name(x509.load_der_x509_certificate(cert_der).subject)
    info = BagInfo(
        kind=kind,
        encryption=encryption,
        friendly_name=attrs[_FRIENDLY_NAME].as_str() if _FRIENDLY_NAME in attrs else None,
        local_key_id=attrs[_LOCAL_KEY_ID].as_bytes().hex() if _LOCAL_KEY_ID in attrs else None,
        subject=subject,
        java_trusted_usage=(attrs[_JDK_TRUSTED_USAGE].as_oid() if _JDK_TRUSTED_USAGE in attrs else None),
    )
    return info, cert_der


def _bags_via_openssl(data: bytes, password: str, encryption: str, seen: set[bytes | None]) -> list[BagInfo]:
    """Certificates of a content we cannot decrypt (RC2-40): ask OpenSSL via cryptography.

    Their localKeyId is not reported by `load_pkcs12`, so it stays None.
    """
    try:
        loaded = _pyca_pkcs12.load_pkcs12(data, password.encode() or None)
    except ValueError:
        return []
    found = ([loaded.cert] if loaded.cert else []) + list(loaded.additional_certs)
    bags = []
    for item in found:
        der = item.certificate.public_bytes(serialization.Encoding.DER)
        if der not in seen:
            name = item.friendly_name.decode("utf-8") if item.friendly_name else None
            subject = readable_name(item.certificate.subject)
            bags.append(BagInfo("cert", encryption, name, None, subject, None))
    return bags


def _mac_summary(pfx: _Pfx) -> tuple[str, int | None]:
    if pfx.mac is None:
        return "none", None
    digest_oid = _alg_parts(pfx.mac.children()[0].children()[0])[0]
    name = _HASHES[digest_oid]().name.upper() if digest_oid in _HASHES else digest_oid
    rest = pfx.mac.children()[2:]
    return f"HMAC-{name}", rest[0].as_int() if rest else 1


def describe_pkcs12(data: bytes, password: str = "") -> Pkcs12Info:
    """Explain a .pfx: its bags, their protection, and which tools will open it."""
    pfx = _parse_pfx(data)
    _check_password(password)
    bmp = _mac_password(pfx, password)
    bags: list[BagInfo] = []
    contents, seen, pending = [], set(), []
    try:
        for content in pfx.contents:
            encryption = _content_encryption(content)
            contents.append(encryption)
            try:
                safe = _safe_bags(content, password, bmp)
            except _Undecryptable:
                pending.append(encryption)
                continue
            for bag in safe:
                info, cert_der = _bag_info(bag, encryption)
                bags.append(info)
                seen.add(cert_der)
    except (_der.DERError, IndexError, ValueError) as exc:
        raise FormatError(f"the PKCS#12 file is damaged inside ({exc})") from None
    for encryption in pending:
        bags += _bags_via_openssl(bytes(data), password, encryption, seen)
    mac, mac_iterations = _mac_summary(pfx)
    encryptions = contents + [b.encryption for b in bags if b.kind == "key"]
    java_visible = any(b.kind == "key" or b.java_trusted_usage for b in bags)
    return Pkcs12Info(
        bags=tuple(bags),
        contents=tuple(contents),
        mac=mac,
        mac_iterations=mac_iterations,
        empty_password=password == "",
        consumers=_consumers(encryptions, mac, java_visible),
    )


_JAVA_EMPTY = "keytool lists 0 entries: no key bag and no certificate bag with Oracle's trusted-key-usage attribute"


_DOCUMENTED = " (from vendor documentation; no such system in the lab's tests)"


def _consumers(encryptions: list[str], mac: str, java_visible: bool) -> tuple[Consumer, ...]:
    """Which tools open a file with these algorithms, from their documented support.

    OpenSSL 3 and Java 17 are checked by the tests; the Windows and Java 8
    verdicts follow the vendors' documentation and say so in their reason.

    OpenSSL 3 moved RC2/RC4 to its legacy provider; Java added PBES2/AES bags
    and HMAC-SHA256 MACs in 8u301 (and 11.0.12); Windows reads AES-256/SHA256
    PFX files since Windows 10 1709 / Server 2019, and older versions report
    a wrong password instead of an unsupported algorithm.
    """
    legacy = next((e.split(",")[0] for e in encryptions if "RC2" in e or "RC4" in e), None)
    aes = any(e.startswith("PBES2") for e in encryptions)
    sha2_mac = mac not in ("HMAC-SHA1", "none")
    return (
        _openssl3(legacy),
        Consumer("OpenSSL 3 -legacy", True, "the legacy provider adds RC2 and RC4 to the defaults"),
        Consumer("OpenSSL 1.1", True, "has PBES2/AES, 3DES, RC2 and HMAC-SHA1/SHA-2 MACs built in"),
        _new_java(sha2_mac, java_visible),
        _old_java(aes, sha2_mac, mac, java_visible),
        Consumer(
            "Windows Server 2019+/Windows 10 1709+",
            True,
            "imports AES-256/SHA256 PFX files as well as 3DES and RC2 ones" + _DOCUMENTED,
        ),
        _old_windows(aes or sha2_mac),
    )


def _openssl3(legacy: str | None) -> Consumer:
    if legacy:
        why = f"{legacy} is only in OpenSSL 3's legacy provider: add -legacy, or re-export"
        return Consumer("OpenSSL 3", False, why + " without -legacy")
    return Consumer("OpenSSL 3", True, "uses only algorithms of OpenSSL 3's default provider")


def _new_java(sha2_mac: bool, java_visible: bool) -> Consumer:
    name = "Java 8u301+/11+/17"
    if not java_visible:
        return Consumer(name, False, _JAVA_EMPTY)
    note = " (Java 11 needs 11.0.12+ for the HMAC-SHA256 MAC)" if sha2_mac else ""
    return Consumer(name, True, "reads PBES2/AES, 3DES and RC2 bags" + note)


def _old_java(aes: bool, sha2_mac: bool, mac: str, java_visible: bool) -> Consumer:
    name = "Java 8 before 8u301"
    if sha2_mac:
        why = f"no {mac} MAC before 8u301 (keytool: 'Integrity check failed')"
        return Consumer(name, False, why + ": use Compat.LEGACY" + _DOCUMENTED)
    if aes:
        return Consumer(name, False, "PBES2/AES-256 bags need 8u301 or later: use Compat.LEGACY" + _DOCUMENTED)
    if not java_visible:
        return Consumer(name, False, _JAVA_EMPTY)
    return Consumer(name, True, "3DES or RC2 bags with an HMAC-SHA1 MAC, as Java 8 always read" + _DOCUMENTED)


def _old_windows(uses_aes_or_sha2: bool) -> Consumer:
    name = "Windows Server 2016 and older"
    if uses_aes_or_sha2:
        why = "AES-256 PBES2 / SHA-256 MAC unsupported; the import says the password is wrong"
        return Consumer(name, False, why + ": export with Compat.LEGACY" + _DOCUMENTED)
    return Consumer(name, True, "3DES or RC2 with an HMAC-SHA1 MAC, which these versions support" + _DOCUMENTED)
