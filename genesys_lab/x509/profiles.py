"""Certificate profiles and digests: what each kind of Genesys certificate must carry.

The guide's "Recommended Certificate Properties": certificates for Genesys
server applications need the extended key usages serverAuth and clientAuth
(a Genesys server is also a TLS client of other servers); GUI applications
need clientAuth.
"""

from __future__ import annotations

import enum


def parse_choice(cls, value, *, words: str, normalize=lambda text: text.strip().lower(), aliases=None, error=None, prefix=""):
    """The member of enum ``cls`` named by ``value`` (already a member passes through).

    One rule for every option with a fixed set of answers (profile, digest,
    purpose, TLS version, key format, certificate encoding, PKCS#12
    compatibility, revocation reason): case and blanks do not matter, and a
    wrong answer is an error that names the value and ``words``, the right
    answers. ``aliases`` maps other spellings (already normalized) to members
    (``pfx`` for pkcs12); ``error`` is the exception class (UsageError by
    default); ``prefix`` goes before the value in the message (the option's name).
    """
    if isinstance(value, cls):
        return value
    text = normalize(str(value))
    if aliases and text in aliases:
        return aliases[text]
    for member in cls:
        if normalize(member.value) == text:
            return member
    message = f"{prefix}{value!r} {words}"
    raise (error(message) if error is not None else _usage(message))


class Profile(enum.Enum):
    """Which role a certificate is issued for (DESIGN.md's profile table)."""

    CA = "ca"
    SERVER = "server"
    GUI = "gui"

    @classmethod
    def parse(cls, value: str | Profile) -> Profile:
        return parse_choice(
            cls, value, words="is not a profile: use server (Genesys server applications) or gui (GUI/desktop applications)"
        )

    @property
    def extended_key_usages(self) -> tuple[str, ...]:
        """EKU names as OpenSSL's configuration spells them."""
        return {Profile.CA: (), Profile.SERVER: ("serverAuth", "clientAuth"), Profile.GUI: ("clientAuth",)}[self]


class Digest(enum.Enum):
    """The five digests create_ca.sh and create_cert.sh accept; sha256 is the default."""

    SHA1 = "sha1"
    SHA224 = "sha224"
    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"

    @classmethod
    def parse(cls, value: str | Digest) -> Digest:
        return parse_choice(
            cls,
            value,
            words="is not a digest of the guide (sha1, sha224, sha256, sha384, sha512): use sha256",
            normalize=lambda text: text.strip().lower().replace("-", ""),
        )

    def hash(self):
        from cryptography.hazmat.primitives import hashes

        return {
            "sha1": hashes.SHA1,
            "sha224": hashes.SHA224,
            "sha256": hashes.SHA256,
            "sha384": hashes.SHA384,
            "sha512": hashes.SHA512,
        }[self.value]()


def _usage(message: str):
    from genesys_lab.errors import UsageError

    return UsageError(message)


def host_extensions(profile: Profile, public_key, ca_public_key, alt_names) -> list:
    """(extension, critical) pairs for a host certificate, as ca.conf's sections also write them.

    keyUsage is critical (RFC 5280 section 4.2.1.3 recommends it);
    basicConstraints CA:FALSE is not, as ``openssl ca`` writes it from
    ``basicConstraints = CA:FALSE``.
    """
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    eku = {"serverAuth": ExtendedKeyUsageOID.SERVER_AUTH, "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH}
    return [
        (x509.BasicConstraints(ca=False, path_length=None), False),
        (_key_usage(digital_signature=True, key_encipherment=True), True),
        (x509.ExtendedKeyUsage([eku[n] for n in profile.extended_key_usages]), False),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public_key), False),
        (alt_names.to_x509(), False),
    ]


def ca_extensions(public_key) -> list:
    """(extension, critical) pairs for the self-signed CA: CA:TRUE and keyCertSign+cRLSign, both critical."""
    from cryptography import x509

    return [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), False),
    ]


def _key_usage(**on):
    from cryptography import x509

    names = [
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
    return x509.KeyUsage(**{n: on.get(n, False) for n in names})


def profile_of(cert) -> Profile | None:
    """Guess the profile a certificate was issued with, from CA flag and EKU."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from genesys_lab.x509.describe import extension

    constraints = extension(cert, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        return Profile.CA
    eku = extension(cert, x509.ExtendedKeyUsage)
    if eku is None:
        return None
    ekus = set(eku)
    if ExtendedKeyUsageOID.SERVER_AUTH in ekus:
        return Profile.SERVER
    if ExtendedKeyUsageOID.CLIENT_AUTH in ekus:
        return Profile.GUI
    return None
