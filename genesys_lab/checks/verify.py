"""Verify a certificate the way ``openssl verify`` does, and say why at every step.

``verify()`` runs the checks of DESIGN.md in order (chain signature, CA
constraints, name constraints, validity, host name / IP / email, purpose,
key strength, signature digest, revocation) and returns a frozen
``Verification``: one ``Check`` per step with a pass / warn / fail status, a
one-line reason and a remedy.

The verdict (``valid``) agrees with OpenSSL 3.0's ``openssl verify`` given the
same ``-CAfile`` (one or more trusted CAs), ``-untrusted``, ``-purpose``,
``-verify_hostname`` / ``-verify_ip`` / ``-verify_email``, ``-CRLfile
-crl_check``, ``-attime``, ``-partial_chain``, ``-x509_strict`` and
``-verify_depth`` (tests/test_verify_differential.py holds it to that on
more than 150 cases). The one deliberate difference: a certificate whose
extensions ``cryptography`` cannot read is refused, and the reason says
whether OpenSSL would read it. Where
OpenSSL accepts what the guide advises against (SHA-1 signatures, RSA keys
under 2048 bits: ``openssl verify`` applies no security level unless given
``-auth_level``) the check warns, says that OpenSSL accepts it, and the
verdict stays valid.
"""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.checks.hostname import host_matches
from genesys_lab.errors import FormatError, GenesysLabError, UsageError
from genesys_lab.x509.describe import all_extensions, extension
from genesys_lab.x509.profiles import parse_choice
from genesys_lab.x509.read import read_certificate

EXPIRY_WARNING_DAYS = 30
RECOMMENDED_RSA_BITS = 2048
CDP_TIMEOUT = 5.0

_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
# Netscape and Microsoft "Server Gated Crypto": OpenSSL's sslserver purpose accepts them as serverAuth.
_SGC = {"2.16.840.1.113730.4.1", "1.3.6.1.4.1.311.10.3.3"}
_WEAK_DIGESTS = {"sha1", "md5"}


class Status(enum.Enum):
    """How one check came out. SKIP: the check was not asked for (no host name, no CRL)."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


class Purpose(enum.Enum):
    """What the certificate is used for; OpenSSL's ``-purpose sslserver`` / ``sslclient``."""

    SERVER = "server"
    CLIENT = "client"
    GUI = "gui"

    @classmethod
    def parse(cls, value: str | Purpose | None) -> Purpose | None:
        if value is None:
            return None
        return parse_choice(cls, value, words="is not a purpose: use server, client or gui")

    @property
    def openssl(self) -> str:
        return "sslserver" if self is Purpose.SERVER else "sslclient"


@dataclass(frozen=True)
class Check:
    """One step of the verification: its name, outcome, why (one line), and what to do about it."""

    name: str
    status: Status
    reason: str
    remedy: str = ""


@dataclass(frozen=True)
class Verification:
    """The ordered checks for one certificate and the verdict."""

    subject: str
    at: dt.datetime
    checks: tuple[Check, ...]

    @property
    def valid(self) -> bool:
        """Valid when no check failed: warnings do not make OpenSSL refuse a certificate."""
        return all(c.status is not Status.FAIL for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.FAIL)

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is Status.WARN)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_rows(self) -> list[dict]:
        """One dict a check, for tables (tables.to_frame, the CLI's table)."""
        return [{"check": c.name, "status": c.status.value, "reason": c.reason, "remedy": c.remedy} for c in self.checks]

    def to_json(self) -> str:
        return json.dumps(
            {"subject": self.subject, "at": self.at.isoformat(), "valid": self.valid, "checks": self.to_rows()}, indent=2
        )


# -- inputs ---------------------------------------------------------------------


def as_certificate(source):
    """A certificate from a path, PEM/DER bytes, a certificate object, or anything holding one in
    ``.certificate`` (a CertificateAuthority, an IssuedCertificate): ``x509.read``'s one reader.

    A file with several certificates is refused, naming each: verify checks one certificate
    and must not pick one of a chain file silently (give the others with ``chain=``). The
    extensions are not proved whole here: the checks read them and report an unreadable one.
    """
    return read_certificate(source, whole_only=False)


def _trusted(ca) -> tuple:
    """The trusted certificates, like ``-CAfile``: a CertificateAuthority, a CA certificate or bundle
    (path, bytes or object), a list of any of these, or None."""
    if ca is None:
        return ()
    if isinstance(ca, (list, tuple)):
        return tuple(c for item in ca for c in _trusted(item))
    if isinstance(ca, (str, Path, bytes, bytearray, memoryview)):
        from genesys_lab.errors import FormatError
        from genesys_lab.x509.read import read_certificates

        try:
            return tuple(read_certificates(ca if isinstance(ca, (str, Path)) else bytes(ca), whole_only=False))
        except FormatError:
            return (as_certificate(ca),)  # a PEM file with a certificate among other things: its first certificate
    return (as_certificate(ca),)


def _untrusted(chain, untrusted) -> list:
    """Every certificate of ``chain`` and ``untrusted`` (files, bundles, bytes, objects): ``-untrusted``."""
    from genesys_lab.x509.read import read_certificates

    items = [chain] if isinstance(chain, (str, Path, bytes)) else list(chain)
    items += [untrusted] if isinstance(untrusted, (str, Path, bytes)) else list(untrusted)
    return [c for item in items for c in read_certificates(item, whole_only=False)]


def _load_crl(source):
    """A CrlInfo (genesys_lab.authority.crl) from a path, PEM/DER bytes, a cryptography CRL, or a CrlInfo."""
    from cryptography import x509

    from genesys_lab.authority.crl import CrlInfo, load_crl, parse_crl

    if isinstance(source, CrlInfo):
        return source
    if isinstance(source, x509.CertificateRevocationList):
        from cryptography.hazmat.primitives.serialization import Encoding

        return parse_crl(source.public_bytes(Encoding.DER))
    if isinstance(source, (str, Path)):
        return load_crl(source)
    der = getattr(source, "der", None)
    return parse_crl(der if isinstance(der, bytes) else bytes(source))


def current_crl(ca) -> Path | None:
    """The CA's current CRL (ca_conf/crl.pem) when one has been generated."""
    path = ca.paths.crl_pem
    return path if path.exists() else None


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def parse_moment(text: str) -> dt.datetime:
    """A time to verify at: ISO date or date-time (UTC unless it says otherwise), or +N / -N days from now.

    ``+120`` (or ``+120d``) answers "what happens in 120 days", as ``openssl verify -attime`` does
    with seconds since 1970.
    """
    value = text.strip()
    if value[:1] in "+-" and value[1:].rstrip("dD").isdigit():
        days = int(value.rstrip("dD"))
        return _utc(None) + dt.timedelta(days=days)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise UsageError(f"--at {text!r} is not a date: use 2027-03-01, 2027-03-01T12:00 or +120d (days from now)") from None
    return _utc(moment)


# -- small facts about certificates ---------------------------------------------


def label(cert) -> str:
    """The CN, or the whole subject when there is none: how a certificate is named in reasons."""
    from cryptography.x509.oid import NameOID

    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if cns:
        return str(cns[0].value)
    from genesys_lab.x509.names import oneline

    return oneline(cert.subject) or "(empty subject)"


def _eku_oids(cert) -> set[str] | None:
    from cryptography import x509

    eku = extension(cert, x509.ExtendedKeyUsage)
    return None if eku is None else {o.dotted_string for o in eku}


def digest_name(cert) -> str:
    """The signature's hash as OpenSSL names it (sha1, sha256, ...), from the OID (works for SHA-1 too)."""
    oid = cert.signature_algorithm_oid.dotted_string
    names = {
        "1.2.840.113549.1.1.5": "sha1",
        "1.2.840.113549.1.1.4": "md5",
        "1.2.840.10040.4.3": "sha1",
        "1.2.840.10045.4.1": "sha1",
        "1.2.840.113549.1.1.14": "sha224",
        "1.2.840.113549.1.1.11": "sha256",
        "1.2.840.113549.1.1.12": "sha384",
        "1.2.840.113549.1.1.13": "sha512",
        "1.2.840.10045.4.3.1": "sha224",
        "1.2.840.10045.4.3.2": "sha256",
        "1.2.840.10045.4.3.3": "sha384",
        "1.2.840.10045.4.3.4": "sha512",
    }
    if oid in names:
        return names[oid]
    hash_alg = getattr(cert, "signature_hash_algorithm", None)
    return hash_alg.name if hash_alg is not None else oid


def key_description(key) -> tuple[str, int]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.key_size
    return type(key).__name__.replace("PublicKey", ""), getattr(key, "key_size", 0)


def signature_ok(signed, issuer_key) -> bool:
    """Check a certificate's or CRL's signature with the issuer's public key ourselves.

    Done by hand rather than with ``verify_directly_issued_by`` so that SHA-1
    signatures (which OpenSSL still accepts) are verified like any other, and
    so that a wrong name and a wrong signature are reported separately.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    tbs = signed.tbs_certlist_bytes if hasattr(signed, "tbs_certlist_bytes") else signed.tbs_certificate_bytes
    try:
        if isinstance(issuer_key, rsa.RSAPublicKey):
            issuer_key.verify(signed.signature, tbs, signed.signature_algorithm_parameters, signed.signature_hash_algorithm)
        elif isinstance(issuer_key, ec.EllipticCurvePublicKey):
            issuer_key.verify(signed.signature, tbs, signed.signature_algorithm_parameters)
        elif isinstance(issuer_key, dsa.DSAPublicKey):
            issuer_key.verify(signed.signature, tbs, signed.signature_hash_algorithm)
        else:
            issuer_key.verify(signed.signature, tbs)
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


def _same(a, b) -> bool:
    from cryptography.hazmat.primitives.serialization import Encoding

    return a.public_bytes(Encoding.DER) == b.public_bytes(Encoding.DER)


def _self_issued(cert) -> bool:
    return _names_equal(cert.subject, cert.issuer)


def _names_equal(a, b) -> bool:
    """X509_NAME_cmp: equal canonical encodings (case and white space folded)."""
    from genesys_lab.checks.name_constraints import canonical_rdns

    return a == b or canonical_rdns(a) == canonical_rdns(b)


def _safe_extension(cert, cls):
    """An extension's value, or None when absent or unreadable (a malformed certificate is reported elsewhere)."""
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(cls).value
    except (x509.ExtensionNotFound, ValueError, TypeError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        return None


def _akid_problem(issuer, cert) -> bool:
    """OpenSSL's X509_check_akid: the authority key identifier, when there, must describe ``issuer``."""
    from cryptography import x509

    aki = _safe_extension(cert, x509.AuthorityKeyIdentifier)
    if aki is None:
        return False
    ski = _safe_extension(issuer, x509.SubjectKeyIdentifier)
    if aki.key_identifier and ski is not None and aki.key_identifier != ski.digest:
        return True
    if aki.authority_cert_serial_number is not None and aki.authority_cert_serial_number != issuer.serial_number:
        return True
    dirnames = [g.value for g in aki.authority_cert_issuer or () if isinstance(g, x509.DirectoryName)]
    return bool(dirnames) and not any(_names_equal(d, issuer.issuer) for d in dirnames)


_KEY_FAMILIES = {"RSAPublicKey": "rsa", "EllipticCurvePublicKey": "ec", "DSAPublicKey": "dsa", "Ed25519PublicKey": "ed25519"}


def _signature_family(cert) -> str:
    oid = cert.signature_algorithm_oid.dotted_string
    if oid.startswith("1.2.840.113549.1.1."):
        return "rsa"
    if oid.startswith("1.2.840.10045.4."):
        return "ec"
    if oid.startswith(("1.2.840.10040.4.", "2.16.840.1.101.3.4.3.")):
        return "dsa"
    return {"1.3.101.112": "ed25519"}.get(oid, oid)


def public_key_of(cert):
    """The certificate's public key, or None when it cannot be decoded (OpenSSL: unable to decode issuer public key)."""
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return None


def _key_family(cert) -> str | None:
    key = public_key_of(cert)
    return None if key is None else _KEY_FAMILIES.get(type(key).__name__.lstrip("_"), _abc_family(key))


def _abc_family(key) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    for cls, family in ((rsa.RSAPublicKey, "rsa"), (ec.EllipticCurvePublicKey, "ec"), (dsa.DSAPublicKey, "dsa")):
        if isinstance(key, cls):
            return family
    return "ed25519" if isinstance(key, ed25519.Ed25519PublicKey) else type(key).__name__


def likely_issued(issuer, cert) -> bool:
    """OpenSSL's ossl_x509_likely_issued: names, key identifiers and key type agree (signature not yet checked)."""
    if not _names_equal(issuer.subject, cert.issuer) or _akid_problem(issuer, cert):
        return False
    family = _key_family(issuer)
    return family is None or family == _signature_family(cert)


def self_signed(cert) -> bool:
    """OpenSSL's EXFLAG_SS: self-issued and its own AKID and key type fit; the signature itself is not checked."""
    return likely_issued(cert, cert)


# -- the path: leaf -> intermediates -> trust anchor -------------------------------


@dataclass(frozen=True)
class _Path:
    certs: tuple  # leaf first; ends with the trust anchor when complete
    complete: bool
    trusted_from: int = -1  # index of the first certificate that came from the trusted set
    problem: str = ""
    remedy: str = ""


@dataclass(frozen=True)
class _Options:
    partial_chain: bool = False
    x509_strict: bool = False
    verify_depth: int | None = None


def _pick(candidates, cert, at: dt.datetime):
    """OpenSSL's find_issuer: the first candidate valid now, else the one that expires last."""
    matches = [c for c in candidates if likely_issued(c, cert)]
    for c in matches:
        if c.not_valid_before_utc <= at < c.not_valid_after_utc:
            return c
    return max(matches, key=lambda c: c.not_valid_after_utc, default=None)


def _build_path(leaf, pool, trusted, at: dt.datetime, options: _Options) -> _Path:
    """Chain building as OpenSSL 3.0's build_chain (crypto/x509/x509_vfy.c), trusted-first.

    The trusted set is searched before the untrusted certificates at every
    step; once a trusted certificate is in the chain only trusted ones may
    follow. The chain is trusted when it ends in a self-signed trusted
    certificate, or, with ``partial_chain`` (``-partial_chain``), as soon as
    it reaches any trusted certificate, the leaf included. A trusted
    certificate that is not self-signed (a cross-signed root, an intermediate
    given as the CA) is therefore not an anchor by default: OpenSSL says
    "unable to get issuer certificate". ``verify_depth`` limits the
    intermediates (``-verify_depth``: neither the leaf nor the anchor counts).
    """
    if not trusted:
        return _Path(
            (leaf,),
            False,
            problem="no trust anchor was given, so nothing vouches for this certificate",
            remedy="give the CA certificate (--ca ca_conf/ca_cert.pem or --ca-dir)",
        )
    in_store = [t for t in trusted if _same(t, leaf)]
    if in_store and (options.partial_chain or self_signed(leaf)):
        return _Path((leaf,), True, 0)
    certs, pool, first_trusted = [leaf], [c for c in pool if not _same(c, leaf)], -1
    limit = None if options.verify_depth is None else max(options.verify_depth, 0) + 1
    while True:
        current = certs[-1]
        if first_trusted >= 0 and (options.partial_chain or self_signed(current)):
            return _Path(tuple(certs), True, first_trusted)
        if limit is not None and len(certs) > limit:
            return _Path(tuple(certs), False, first_trusted, *_too_long(certs, options.verify_depth))
        issuer = _pick([t for t in trusted if not any(c is t for c in certs)], current, at)
        if issuer is not None:
            first_trusted = len(certs) if first_trusted < 0 else first_trusted
        elif first_trusted < 0:
            if self_signed(current):
                return _Path(tuple(certs), False, -1, *_self_signed_problem(certs))
            issuer = _pick([c for c in pool if not any(c is u for u in certs)], current, at)
        if issuer is None:
            return _Path(tuple(certs), False, first_trusted, *_missing_issuer(current, trusted, first_trusted >= 0))
        certs.append(issuer)


def _self_signed_problem(certs) -> tuple[str, str]:
    top = certs[-1]
    if len(certs) == 1:
        return (
            f"{label(top)!r} is self-signed and not among the trusted certificates (OpenSSL: self-signed certificate)",
            "trust it explicitly (--ca this file) only if you know where it came from, or use a certificate from your CA",
        )
    return (
        f"the chain ends in the self-signed {label(top)!r}, which was given as untrusted, not as a trusted CA "
        "(OpenSSL: self-signed certificate in certificate chain)",
        f"give {label(top)!r} with --ca if it is your root, not with --untrusted/--chain",
    )


def _too_long(certs, depth) -> tuple[str, str]:
    return (
        f"the chain needs more than {depth} intermediate CA(s) to reach a trusted root, the limit asked for "
        "(OpenSSL -verify_depth: certificate chain too long)",
        "raise --verify-depth, or trust a CA closer to the certificate",
    )


def _missing_issuer(cert, trusted, reached_trusted: bool) -> tuple[str, str]:
    from genesys_lab.x509.names import oneline

    if reached_trusted:
        return (
            f"the trusted {label(cert)!r} is not self-signed (it was issued by {oneline(cert.issuer)}), so it is not a "
            "trust anchor, and its issuer is not trusted (OpenSSL: unable to get issuer certificate)",
            "trust the root that issued it too (another --ca), or accept an intermediate as anchor with --partial-chain",
        )
    if any(_names_equal(t.subject, cert.issuer) for t in trusted):
        return (
            f"{label(cert)!r} names {oneline(cert.issuer)} as issuer but its authority key identifier is not that "
            "CA's key: another CA with the same name issued it (OpenSSL: unable to get local issuer certificate)",
            "verify against the CA that really issued it, or re-issue the certificate from this CA",
        )
    names = ", ".join(repr(label(t)) for t in trusted)
    return (
        f"{label(cert)!r} was issued by {oneline(cert.issuer)}, which is neither trusted ({names}) "
        "nor among the untrusted certificates (OpenSSL: unable to get local issuer certificate)",
        "trust the CA that issued it (its ca_cert.pem), or add the missing intermediate with --untrusted",
    )


# -- what only the DER says (cryptography hides or refuses it) ---------------------


@dataclass(frozen=True)
class _Unreadable:
    reason: str
    openssl: str


_EXTENSION_NAMES = {
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.15": "keyUsage",
    "2.5.29.17": "subjectAltName",
    "2.5.29.19": "basicConstraints",
    "2.5.29.30": "nameConstraints",
    "2.5.29.31": "cRLDistributionPoints",
    "2.5.29.32": "certificatePolicies",
    "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.37": "extendedKeyUsage",
}


def _tbs_parts(cert) -> list:
    from genesys_lab.x509 import der

    return list(der.decode(cert.tbs_certificate_bytes).children())


def _raw_extensions(cert) -> list:
    """(OID, critical, value bytes) for each extension, read from the DER as it is."""

    holder = [p for p in _tbs_parts(cert) if p.tag == 0xA3]
    if not holder:
        return []
    found = []
    for ext in holder[0].children()[0].children():
        parts = ext.children()
        critical = len(parts) == 3 and parts[1].content == b"\xff"
        found.append((parts[0].as_oid(), critical, parts[-1].as_bytes()))
    return found


def _extension_problem(cert) -> _Unreadable | None:
    """None when cryptography reads every extension; else what is wrong and what OpenSSL makes of it."""
    from cryptography import x509

    from genesys_lab.x509 import der

    try:
        list(cert.extensions)
        return None
    except (ValueError, TypeError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        error = str(exc).split(" {")[0]
    try:
        raw = _raw_extensions(cert)
    except (der.DERError, IndexError) as exc:
        return _Unreadable(
            f"its extensions cannot be decoded ({exc})", "OpenSSL may read it and judge otherwise: compare with openssl verify."
        )
    oids = [oid for oid, _, _ in raw]
    repeated = sorted({o for o in oids if oids.count(o) > 1})
    if repeated:
        which = ", ".join(_EXTENSION_NAMES.get(o, o) for o in repeated)
        return _Unreadable(
            f"it repeats the {which} extension (RFC 5280 4.2 allows one of each)",
            "OpenSSL refuses it too (it cannot cache the extensions: unable to get local issuer certificate).",
        )
    for oid, _, value in raw:
        if oid == "2.5.29.37" and value == b"\x30\x00":
            return _Unreadable(
                "its extendedKeyUsage is empty (RFC 5280 4.2.1.12 requires at least one purpose)",
                "Deliberate difference: OpenSSL reads it and would accept the certificate when no -purpose is asked "
                "(an empty extendedKeyUsage allows no purpose).",
            )
        odd = _odd_ip_subtree(value) if oid == "2.5.29.30" else ""
        if odd == "mask":
            return _Unreadable(
                "its nameConstraints hold an IP address mask that is not a prefix (like 255.0.255.0)",
                "Deliberate difference: OpenSSL reads it, applies the mask bit by bit, and may accept the certificate.",
            )
        if odd == "length":
            return _Unreadable(
                "its nameConstraints hold an IP address subtree without a mask (RFC 5280 4.2.1.10 wants address and mask)",
                "Deliberate difference: OpenSSL reads it, compares it only with IP addresses (unsupported or invalid "
                "name syntax), and accepts a certificate that has none.",
            )
    return _Unreadable(
        f"one of its extensions cannot be read ({error})",
        "OpenSSL may read it and judge otherwise: compare with openssl verify.",
    )


def _odd_ip_subtree(value: bytes) -> str:
    """ "mask" when a nameConstraints iPAddress subtree's mask is not ones then zeros, "length" when it is no
    address-and-mask pair at all (not 8 or 32 octets), else ""."""
    from genesys_lab.x509 import der

    try:
        subtrees = [s for part in der.decode(value).children() for s in part.children()]
        bases = [subtree.children()[0] for subtree in subtrees]
    except (der.DERError, IndexError):
        return ""
    for base in bases:
        if base.tag != 0x87:
            continue
        if len(base.content) not in (8, 32):
            return "length"
        mask = int.from_bytes(base.content[len(base.content) // 2 :], "big")
        bits, ones = len(base.content) * 4, bin(mask).count("1")
        if mask != ((1 << ones) - 1) << (bits - ones):
            return "mask"
    return ""


def _explicit_ec(cert) -> bool:
    """True when the key is EC with the curve spelled out (specifiedCurve) instead of named (RFC 5480 2.1.1)."""
    from genesys_lab.x509 import der

    try:
        parts = _tbs_parts(cert)
        spki = parts[6 if parts[0].is_context(0) else 5]
        algorithm = spki.children()[0].children()
        return algorithm[0].as_oid() == "1.2.840.10045.2.1" and len(algorithm) > 1 and algorithm[1].tag == 0x30
    except (der.DERError, IndexError):
        return False


def _netscape_ca(cert) -> bool:
    """The Netscape certificate type extension names a CA (SSL, S/MIME or object-signing CA bits)."""
    from genesys_lab.x509 import der

    try:
        raw = _raw_extensions(cert)
    except (der.DERError, IndexError):
        return False
    for oid, _, value in raw:
        if oid == "2.16.840.1.113730.1.1" and len(value) >= 4:
            return bool(value[3] & 0x07)
    return False


# -- certificates the lab cannot read completely ------------------------------------


def _unreadable(certs) -> Check | None:
    """A certificate whose extensions cryptography cannot parse: refused, and the reason says what OpenSSL does.

    This is the lab's one deliberate difference from ``openssl verify``: it
    does not judge a certificate it cannot read. Duplicate extensions (RFC
    5280 4.2: "a certificate MUST NOT include more than one instance of a
    particular extension") OpenSSL refuses too. An empty extendedKeyUsage, or an
    IP name constraint whose mask is not a prefix (255.0.255.0) or that has no
    mask, OpenSSL reads (it applies such a mask bit by bit; a maskless subtree
    only fails against an IP address), so there the verdicts can differ.
    """
    for cert in certs:
        problem = _extension_problem(cert)
        if problem is not None:
            return Check(
                "chain signature",
                Status.FAIL,
                f"{label(cert)!r}: {problem.reason}; the lab refuses a certificate it cannot read. {problem.openssl}",
                "re-issue the certificate with well-formed extensions (the lab's CA always writes them so)",
            )
    return None


# -- the checks, in DESIGN.md's order --------------------------------------------


def _check_signatures(path: _Path) -> Check:
    name = "chain signature"
    if not path.complete:
        return Check(name, Status.FAIL, path.problem, path.remedy)
    for cert in path.certs:
        unknown = _unhandled_critical(cert)
        if unknown:
            return Check(
                name,
                Status.FAIL,
                f"{label(cert)!r} carries a critical extension OpenSSL does not understand ({unknown}), so it must be refused "
                "(RFC 5280 4.2; OpenSSL: unhandled critical extension)",
                "re-issue it without that extension, or mark the extension non-critical",
            )
    if len(path.certs) == 1:
        return Check(name, Status.PASS, f"{label(path.certs[0])!r} is the trust anchor itself{_anchor_note(path)}")
    for child, parent in zip(path.certs, path.certs[1:]):
        key = public_key_of(parent)
        if key is None:
            return Check(
                name,
                Status.FAIL,
                f"the public key of {label(parent)!r} cannot be decoded, so the signature on {label(child)!r} cannot be "
                "checked (OpenSSL: unable to decode issuer public key)",
                f"re-issue {label(parent)!r} with an RSA or named-curve EC key",
            )
        if not signature_ok(child, key):
            return Check(
                name,
                Status.FAIL,
                f"the signature on {label(child)!r} does not verify with {label(parent)!r}'s key "
                "(OpenSSL: certificate signature failure)",
                "the certificate was altered or signed by another key: re-issue it from the CA",
            )
    chain = " -> ".join(repr(label(c)) for c in path.certs)
    return Check(name, Status.PASS, f"every signature verifies: {chain}{_anchor_note(path)}")


def _anchor_note(path: _Path) -> str:
    top = path.certs[-1]
    if self_signed(top):
        return ""
    return f" ({label(top)!r} is trusted but not self-signed: an anchor only with --partial-chain, -partial_chain)"


# The extensions OpenSSL handles when critical (X509_supported_extension); any other critical one fails.
_HANDLED_CRITICAL = {
    "2.16.840.1.113730.1.1",  # netscape cert type
    "2.5.29.15",
    "2.5.29.17",
    "2.5.29.19",
    "2.5.29.32",
    "2.5.29.37",  # KU, SAN, BC, policies, EKU
    "1.3.6.1.5.5.7.1.14",
    "2.5.29.36",
    "2.5.29.30",
    "2.5.29.33",
    "2.5.29.54",  # proxy, policy/name constraints, mappings, inhibitAny
    "1.3.6.1.5.5.7.1.7",
    "1.3.6.1.5.5.7.1.8",  # RFC 3779 IP and AS resources
}


def _unhandled_critical(cert) -> str:
    return ", ".join(
        e.oid.dotted_string for e in all_extensions(cert) if e.critical and e.oid.dotted_string not in _HANDLED_CRITICAL
    )


def _check_ca_constraints(path: _Path, strict: bool) -> Check:
    """RFC 5280 6.1.4 (k), (l), (m), (n) as OpenSSL's check_chain_extensions applies them."""
    name = "CA constraints"
    if not path.complete:
        return Check(name, Status.SKIP, "not checked: the chain does not reach a trust anchor (see chain signature)")
    if len(path.certs) == 1:
        problem = _ca_problem(path.certs[0], 0, True, strict)
        if problem:
            return Check(name, Status.FAIL, problem, "re-issue it with basicConstraints (CA:TRUE for a CA, CA:FALSE for a host)")
        return Check(name, Status.SKIP, "the certificate is the trust anchor itself: no issuer to check")
    problem = _chain_extension_problem(path.certs, strict)
    if problem:
        return Check(
            name,
            Status.FAIL,
            problem,
            "issue host certificates only from a real CA: create_ca.sh makes CA:TRUE (critical) with keyCertSign, cRLSign",
        )
    cas = path.certs[1:]
    names = ", ".join(repr(label(c)) for c in cas)
    lax = [label(c) for c in cas if _ca_kind(c) != 1]
    note = f" ({lax[0]!r} has none, which OpenSSL accepts for a trust anchor unless -x509_strict)" if lax else ""
    return Check(name, Status.PASS, f"{names}: basicConstraints CA:TRUE and keyCertSign{note}")


def _chain_extension_problem(certs, strict: bool) -> str:
    from cryptography import x509

    below = 0  # CA certificates under the current one that count for pathLenConstraint
    for i, cert in enumerate(certs):
        top = i == len(certs) - 1
        problem = _ca_problem(cert, i, top, strict)
        if not problem and strict:
            problem = _strict_problem(cert, last=top)
        if problem:
            return problem
        bc = _safe_extension(cert, x509.BasicConstraints)
        if i > 1 and bc is not None and bc.path_length is not None and below > bc.path_length:
            return (
                f"{label(cert)!r} allows {bc.path_length} intermediate CA(s) below it (pathlen) but the chain has {below} "
                "that are not self-issued (RFC 5280 6.1.4 (l); OpenSSL: path length constraint exceeded)"
            )
        if i > 0 and not _self_issued(cert):
            below += 1
    return ""


def _ca_kind(cert) -> int:
    """OpenSSL's X509_check_ca: 1 CA:TRUE; 3 v1 self-signed root; 4 key usage keyCertSign without
    basicConstraints; 5 Netscape CA cert type; 0 not a CA (CA:FALSE, or key usage without keyCertSign)."""
    from cryptography import x509

    ku = _safe_extension(cert, x509.KeyUsage)
    if ku is not None and not ku.key_cert_sign:
        return 0
    bc = _safe_extension(cert, x509.BasicConstraints)
    if bc is not None:
        return 1 if bc.ca else 0
    if cert.version is x509.Version.v1 and self_signed(cert):
        return 3
    if ku is not None:
        return 4
    return 5 if _netscape_ca(cert) else 0


def _ca_problem(cert, i: int, top: bool, strict: bool) -> str:
    """must_be_ca in check_chain_extensions: issuers must be CAs; only the anchor may lack basicConstraints."""
    from cryptography import x509

    kind = _ca_kind(cert)
    if i == 0:
        if strict and kind in (3, 4, 5):
            return f"{label(cert)!r} looks like a CA without basicConstraints (OpenSSL -x509_strict: invalid CA certificate)"
        return ""
    if kind == 0:
        bc = _safe_extension(cert, x509.BasicConstraints)
        if bc is not None and not bc.ca:
            return f"{label(cert)!r} is marked CA:FALSE: it is a host certificate, not a CA (OpenSSL: invalid CA certificate)"
        if bc is not None or _safe_extension(cert, x509.KeyUsage) is not None:
            return f"{label(cert)!r} has key usage without keyCertSign, so its signatures on certificates do not count (OpenSSL: invalid CA certificate)"
        return f"{label(cert)!r} has neither basicConstraints CA:TRUE nor key usage keyCertSign, so it may not issue certificates (OpenSSL: invalid CA certificate)"
    if kind != 1 and not top:
        return f"intermediate {label(cert)!r} has no basicConstraints CA:TRUE; only a trust anchor may go without (OpenSSL: invalid CA certificate)"
    if kind != 1 and strict:
        return f"{label(cert)!r} has no basicConstraints CA:TRUE; OpenSSL's default accepts such a trust anchor, -x509_strict does not (invalid CA certificate)"
    return ""


def _strict_problem(cert, *, last: bool) -> str:
    """The RFC 5280 profile checks that ``-x509_strict`` adds (check_chain_extensions, OpenSSL 3.0)."""
    from cryptography import x509

    bc = _safe_extension(cert, x509.BasicConstraints)
    ku = _safe_extension(cert, x509.KeyUsage)
    is_ca = bc is not None and bc.ca
    exts = {e.oid.dotted_string: e for e in all_extensions(cert)}
    who = repr(label(cert))
    rules = [
        (is_ca and bc is not None and not exts["2.5.29.19"].critical, "Basic Constraints of CA cert not marked critical"),
        (is_ca and ku is None, "CA cert does not include key usage extension"),
        (not is_ca and ku is not None and ku.key_cert_sign, "Key usage keyCertSign invalid for non-CA cert"),
        (
            is_ca and bc is not None and bc.path_length is not None and ku is not None and not ku.key_cert_sign,
            "Path length given without key usage keyCertSign",
        ),
        (len(list(cert.issuer)) == 0, "Issuer name empty"),
        (len(list(cert.subject)) == 0 and (is_ca or "2.5.29.17" not in exts), "Subject name empty"),
        ("2.5.29.35" in exts and exts["2.5.29.35"].critical, "Authority Key Identifier marked critical"),
        ("2.5.29.14" in exts and exts["2.5.29.14"].critical, "Subject Key Identifier marked critical"),
        (not last and _missing_keyid(cert), "Missing Authority Key Identifier"),
        (is_ca and "2.5.29.14" not in exts, "Missing Subject Key Identifier"),
    ]
    for broken, message in rules:
        if broken:
            return f"{who}: {message} (OpenSSL -x509_strict, RFC 5280 4.2)"
    return ""


def _missing_keyid(cert) -> bool:
    from cryptography import x509

    if cert.version is not x509.Version.v3:
        return False
    aki = _safe_extension(cert, x509.AuthorityKeyIdentifier)
    return aki is None or not aki.key_identifier


def _check_name_constraints(path: _Path) -> Check:
    """RFC 5280 4.2.1.10 as OpenSSL 3.0 applies it (genesys_lab.checks.name_constraints)."""
    from genesys_lab.checks.name_constraints import chain_violation, name_constraints

    name = "name constraints"
    if not path.complete:
        return Check(name, Status.SKIP, "not checked: the chain does not reach a trust anchor (see chain signature)")
    constraining = [c for c in path.certs[1:] if name_constraints(c) is not None]
    if not constraining:
        return Check(name, Status.PASS, "no CA in the chain restricts the names it may vouch for")
    found = chain_violation(path.certs)
    if found is None:
        cas = ", ".join(repr(label(c)) for c in constraining)
        return Check(name, Status.PASS, f"every name in the chain is inside what {cas} permits and outside what it excludes")
    which = "the certificate" if found.certificate is path.certs[0] else f"CA {label(found.certificate)!r}"
    if found.kind == "too-many":
        reason = f"{which} has {found.name} and {label(found.constrained_by)!r} {found.constraint}"
    elif found.kind == "permitted":
        reason = f"{which} has {found.name}, outside what {label(found.constrained_by)!r} permits ({found.constraint})"
    elif found.kind == "excluded":
        reason = f"{which} has {found.name}, which {label(found.constrained_by)!r} excludes ({found.constraint})"
    else:
        reason = f"{which} has {found.name}, which cannot be compared with {label(found.constrained_by)!r}'s constraint {found.constraint}"
    return Check(
        name,
        Status.FAIL,
        f"{reason} (OpenSSL: {found.openssl})",
        f"issue certificates only for names {label(found.constrained_by)!r} is allowed to vouch for, or use a CA without that restriction",
    )


def _check_validity(path: _Path, at: dt.datetime) -> Check:
    """OpenSSL 3.0's x509_check_cert_time: valid from notBefore (included) to notAfter (excluded).

    X509_cmp_time reports "earlier or equal", so at exactly notAfter OpenSSL
    already says "certificate has expired" (RFC 5280 4.1.2.5 would include
    that second; the lab follows the tool it is compared with).
    """
    name = "validity"
    for cert in path.certs:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        which = "the certificate" if cert is path.certs[0] else f"CA {label(cert)!r}"
        if at < start:
            return Check(
                name,
                Status.FAIL,
                f"{which} is not valid before {start:%Y-%m-%d %H:%M} UTC ({_days(start - at)} from {at:%Y-%m-%d}) (OpenSSL: certificate is not yet valid)",
                "check the clock of the machine that issued it, or wait until then",
            )
        if at >= end:
            second = "; OpenSSL 3.0 counts the notAfter second itself as expired" if at == end else ""
            return Check(
                name,
                Status.FAIL,
                f"{which} expired on {end:%Y-%m-%d %H:%M} UTC, {_days(at - end)} before {at:%Y-%m-%d} (OpenSSL: certificate has expired{second})",
                "renew it: issue a new certificate for the same host (genesys-lab renew) and install it",
            )
    leaf_end = path.certs[0].not_valid_after_utc
    left = (leaf_end - at).days
    if left < EXPIRY_WARNING_DAYS:
        return Check(
            name,
            Status.WARN,
            f"valid, but only {left} days left (expires {leaf_end:%Y-%m-%d})",
            "rotate it now: the guide stresses replacing a certificate before it expires",
        )
    return Check(name, Status.PASS, f"valid until {leaf_end:%Y-%m-%d} ({left} days left)")


def _days(delta: dt.timedelta) -> str:
    days = delta.days
    return f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"


def _san(cert):
    from cryptography import x509

    return extension(cert, x509.SubjectAlternativeName)


def _check_hostname(cert, hostname: str | None) -> Check:
    """RFC 6125 as OpenSSL implements it (X509_check_host): DNS SANs first; the CN only when there is none."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = "host name"
    if hostname is None:
        return Check(name, Status.SKIP, "no host name asked for (--hostname)")
    san = _san(cert)
    dns = list(san.get_values_for_type(x509.DNSName)) if san else []
    if dns:
        if any(host_matches(p, hostname) for p in dns):
            return Check(name, Status.PASS, f"{hostname} matches the SAN ({', '.join(dns)})")
        return Check(
            name,
            Status.FAIL,
            f"{hostname} is not among the SAN DNS names ({', '.join(dns)}); with a SAN the CN is ignored (OpenSSL: hostname mismatch)",
            f"connect with a name the certificate lists, or re-issue it with -host/-SANDomain {hostname}",
        )
    cns = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if any(host_matches(cn, hostname) for cn in cns):
        return Check(
            name,
            Status.WARN,
            f"{hostname} matches only the CN: there is no SAN, so OpenSSL falls back to the CN, but browsers and RFC 6125 clients refuse",
            "re-issue it with create_cert.sh, which sets both CN and SAN as the guide recommends",
        )
    return Check(
        name,
        Status.FAIL,
        f"{hostname} matches neither a SAN (there is none) nor the CN {', '.join(cns) or '(none)'} (OpenSSL: hostname mismatch)",
        f"re-issue the certificate with -host {hostname}",
    )


def _check_ip(cert, ip: str | None) -> Check:
    """IP addresses are matched against SAN iPAddress entries only, never the CN (OpenSSL's X509_check_ip)."""
    from cryptography import x509

    name = "IP address"
    if ip is None:
        return Check(name, Status.SKIP, "no IP address asked for (--ip)")
    try:
        wanted = ipaddress.ip_address(ip.strip())
    except ValueError:
        raise UsageError(f"--ip {ip!r} is not an IP address: use dotted IPv4 like 10.0.0.5 or IPv6") from None
    san = _san(cert)
    ips = list(san.get_values_for_type(x509.IPAddress)) if san else []
    if wanted in ips:
        return Check(name, Status.PASS, f"{wanted} is in the SAN ({', '.join(map(str, ips))})")
    listed = ", ".join(map(str, ips)) or "none; an IP in the CN does not count"
    return Check(
        name,
        Status.FAIL,
        f"{wanted} is not among the SAN IP addresses ({listed}) (OpenSSL: IP address mismatch)",
        f"connect by host name, or re-issue the certificate with -IP/-SANip {wanted}",
    )


def _check_email(cert, email: str | None) -> Check:
    """OpenSSL's X509_check_email (``-verify_email``): SAN rfc822Names; the subject's emailAddress only without them."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from genesys_lab.checks.hostname import email_matches

    name = "email address"
    if email is None:
        return Check(name, Status.SKIP, "no email address asked for (--email)")
    san = _san(cert)
    listed = list(san.get_values_for_type(x509.RFC822Name)) if san else []
    where = "SAN"
    if not listed:
        listed, where = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)], "subject emailAddress"
    if any(email_matches(e, email) for e in listed):
        return Check(name, Status.PASS, f"{email} matches the {where} ({', '.join(listed)})")
    return Check(
        name,
        Status.FAIL,
        f"{email} is not among the certificate's email addresses ({', '.join(listed) or 'none'}); the part before @ "
        "is compared case-sensitively (OpenSSL: email address mismatch)",
        f"re-issue the certificate with the SAN email:{email}",
    )


def _check_purpose(path: _Path, purpose: Purpose | None) -> Check:
    name = "purpose"
    if purpose is None:
        return Check(name, Status.SKIP, "no purpose asked for (--purpose server|client|gui)")
    leaf = path.certs[0]
    problem = _leaf_purpose_problem(leaf, purpose)
    if problem:
        return Check(
            name,
            Status.FAIL,
            problem + f" (OpenSSL -purpose {purpose.openssl}: unsuitable certificate purpose)",
            _purpose_remedy(purpose),
        )
    for ca in path.certs[1:]:
        ekus = _eku_oids(ca)
        if ekus is not None and not _eku_allows(ekus, purpose):
            return Check(
                name,
                Status.FAIL,
                f"CA {label(ca)!r} restricts its extended key usage and {purpose.openssl} is not in it (OpenSSL: unsuitable certificate purpose)",
                "use a CA certificate without extendedKeyUsage (create_ca.sh makes none)",
            )
    return _purpose_pass(leaf, purpose)


def _eku_allows(ekus: set[str], purpose: Purpose) -> bool:
    """OpenSSL's xku_reject: anyExtendedKeyUsage alone does not satisfy sslserver/sslclient."""
    if purpose is Purpose.SERVER:
        return bool(ekus & ({_SERVER_AUTH} | _SGC))
    return _CLIENT_AUTH in ekus


def _leaf_purpose_problem(cert, purpose: Purpose) -> str:
    """OpenSSL's check_purpose_ssl_server / _client: EKU when present, then key usage when present."""
    from cryptography import x509

    ekus = _eku_oids(cert)
    role = (
        "a TLS server" if purpose is Purpose.SERVER else "a TLS client" + (" (GUI application)" if purpose is Purpose.GUI else "")
    )
    if ekus is not None and not _eku_allows(ekus, purpose):
        needed = "serverAuth" if purpose is Purpose.SERVER else "clientAuth"
        return f"extended key usage lacks {needed}, so the certificate may not act as {role}"
    ku = extension(cert, x509.KeyUsage)
    if ku is None:
        return ""
    if purpose is Purpose.SERVER and not (ku.digital_signature or ku.key_encipherment or ku.key_agreement):
        return "key usage has none of digitalSignature, keyEncipherment, keyAgreement, which a TLS server needs"
    if purpose is not Purpose.SERVER and not (ku.digital_signature or ku.key_agreement):
        return "key usage has neither digitalSignature nor keyAgreement, which a TLS client needs to prove its key"
    return ""


def _purpose_remedy(purpose: Purpose) -> str:
    if purpose is Purpose.SERVER:
        return "issue it with the server profile (serverAuth + clientAuth, digitalSignature + keyEncipherment)"
    return "issue it with the gui or server profile, both carry clientAuth and digitalSignature"


def _purpose_pass(cert, purpose: Purpose) -> Check:
    ekus = _eku_oids(cert)
    if ekus is None:
        return Check("purpose", Status.PASS, f"no extended key usage: OpenSSL allows any purpose, {purpose.openssl} included")
    if purpose is Purpose.SERVER and _CLIENT_AUTH not in ekus:
        return Check(
            "purpose",
            Status.WARN,
            "serverAuth is present, so OpenSSL accepts it as a TLS server; but Genesys server applications are also TLS clients of other servers and need clientAuth too",
            "issue it with the server profile (serverAuth + clientAuth)",
        )
    return Check("purpose", Status.PASS, f"extended and key usage allow {purpose.value} use ({purpose.openssl})")


def _check_key_strength(path: _Path) -> Check:
    """Explicit EC parameters are refused in any chain longer than one certificate (OpenSSL 3.0 check_curve)."""
    name = "key strength"
    if len(path.certs) > 1:
        for cert in path.certs:
            if _explicit_ec(cert):
                return Check(
                    name,
                    Status.FAIL,
                    f"{label(cert)!r} has an EC key with explicit curve parameters instead of a named curve "
                    "(RFC 5480 2.1.1 requires a named curve; OpenSSL: certificate public key has explicit ECC parameters)",
                    "generate the key on a named curve (openssl ecparam -name prime256v1 without -param_enc explicit)",
                )
    weak, unreadable = [], []
    for cert in path.certs:
        key = public_key_of(cert)
        if key is None:
            unreadable.append(repr(label(cert)))
            continue
        kind, bits = key_description(key)
        if (kind == "RSA" and bits < RECOMMENDED_RSA_BITS) or (kind == "EC" and bits < 224):
            weak.append(f"{label(cert)!r} has {kind} {bits} bits")
    if unreadable:
        return Check(name, Status.WARN, f"the key of {', '.join(unreadable)} cannot be decoded, so its size is unknown")
    if weak:
        return Check(
            name,
            Status.WARN,
            "; ".join(weak)
            + ": openssl verify accepts it (no security level without -auth_level) but the guide asks for RSA 2048+ and OpenSSL at security level 2 refuses it",
            "issue a new key of 2048 bits or more (-keySz 2048, the default)",
        )
    kind, bits = key_description(public_key_of(path.certs[0]))
    return Check(name, Status.PASS, f"{kind} {bits} bits" + (" (the guide's RSA 2048+)" if kind == "RSA" else ""))


def _check_digest(path: _Path) -> Check:
    """The anchor's own self-signature is not judged: OpenSSL does not check it, trust is by configuration."""
    name = "signature digest"
    signed = [c for c in path.certs if not (c is path.certs[-1] and path.complete and len(path.certs) > 1)]
    weak = [f"{label(c)!r} is signed with {digest_name(c)}" for c in signed if digest_name(c) in _WEAK_DIGESTS]
    if weak:
        return Check(
            name,
            Status.WARN,
            "; ".join(weak) + ": openssl verify accepts it (no security level without -auth_level), "
            "but SHA-1 collisions are practical and OpenSSL 3 refuses it from security level 1 on (CA signature digest algorithm too weak)",
            "re-issue it with -dgst sha256 (the default) or stronger",
        )
    return Check(name, Status.PASS, f"signed with {digest_name(path.certs[0])} (the guide's SHA-256 or stronger)")


# -- revocation -------------------------------------------------------------------


def _check_revocation(path: _Path, crl, at: dt.datetime, *, require: bool, cdp_error: str = "") -> Check:
    name = "revocation"
    if cdp_error:
        return Check(
            name,
            Status.FAIL,
            cdp_error,
            "publish the CRL on a local, fast distribution point (the guide's advice), or give the CRL file with --crl",
        )
    if crl is None:
        if require:
            return Check(
                name,
                Status.FAIL,
                "a CRL is required but none was given (OpenSSL -crl_check: unable to get certificate CRL)",
                "generate the CA's CRL (genesys-lab gen-crl) and pass it with --crl, or use --crl-from-cdp",
            )
        return Check(name, Status.SKIP, "no CRL given: revocation not checked (like openssl verify without -crl_check)")
    leaf = path.certs[0]
    issuer = path.certs[1] if len(path.certs) > 1 else (path.certs[0] if path.complete else None)
    if issuer is None:
        return Check(
            name,
            Status.FAIL,
            "the certificate's issuer is unknown, so the CRL cannot be checked",
            "give the CA certificate (--ca or --ca-dir)",
        )
    problem = _crl_problem(crl, issuer, at)
    if problem:
        return Check(name, Status.FAIL, problem[0], problem[1])
    return _revocation_status(crl, leaf, issuer)


def _crl_problem(crl, issuer, at: dt.datetime) -> tuple[str, str] | None:
    """The CRL is only evidence if the issuer signed it and it is current (RFC 5280 6.3.3)."""
    from cryptography import x509

    from genesys_lab.x509.names import oneline

    if crl.issuer != oneline(issuer.subject):
        return (
            f"the CRL was issued by {crl.issuer}, not by {label(issuer)!r}: there is no CRL for this certificate "
            "(OpenSSL: unable to get certificate CRL)",
            f"use the CRL of {label(issuer)!r} (its ca_conf/crl.pem)",
        )
    if not crl.is_signed_by(issuer):
        return (
            f"the CRL names {label(issuer)!r} as issuer but is not signed by its key (OpenSSL: CRL signature failure)",
            "regenerate the CRL with the CA that issued the certificate (genesys-lab gen-crl)",
        )
    critical = _unhandled_crl_critical(crl)
    if critical:
        return (
            f"the CRL has a critical extension OpenSSL does not handle ({critical}), so it cannot be used "
            "(RFC 5280 5.2; OpenSSL: unhandled critical CRL extension)",
            "regenerate the CRL without it (genesys-lab gen-crl writes none)",
        )
    ku = extension(issuer, x509.KeyUsage)
    if ku is not None and not ku.crl_sign:
        return (
            f"{label(issuer)!r} has key usage without cRLSign, so its CRLs do not count (OpenSSL: key usage does not include CRL signing)",
            "use a CA certificate with keyUsage cRLSign (create_ca.sh sets it)",
        )
    if crl.this_update > at:
        return (
            f"the CRL is not valid before {crl.this_update:%Y-%m-%d %H:%M} UTC (OpenSSL: CRL is not yet valid)",
            "check the clock of the machine that generated it",
        )
    if crl.next_update is not None and crl.next_update <= at:
        return (
            f"the CRL expired on {crl.next_update:%Y-%m-%d %H:%M:%S} UTC (its nextUpdate; OpenSSL 3.0 counts that second as expired) (OpenSSL: CRL has expired)",
            "generate a fresh CRL (genesys-lab gen-crl) and publish it before nextUpdate",
        )
    return None


# CRL extensions OpenSSL handles when critical (crl_cb in crypto/x509/x_crl.c); entries: certificateIssuer only.
_HANDLED_CRITICAL_CRL = {"2.5.29.28", "2.5.29.35", "2.5.29.27"}  # issuingDistributionPoint, AKI, deltaCRLIndicator
_HANDLED_CRITICAL_ENTRY = {"2.5.29.29"}


def _unhandled_crl_critical(crl) -> str:
    """OIDs of critical CRL or entry extensions OpenSSL does not handle.

    A CRL without the DER of a critical flag (BOOLEAN TRUE, 01 01 ff) anywhere
    has none, so the 100,000 entries of a large CRL are only decoded when needed.
    """
    from cryptography import x509

    if b"\x01\x01\xff" not in crl.der:
        return ""
    parsed = x509.load_der_x509_crl(crl.der)
    found = [e.oid.dotted_string for e in parsed.extensions if e.critical and e.oid.dotted_string not in _HANDLED_CRITICAL_CRL]
    for revoked in parsed:
        found += [
            e.oid.dotted_string for e in revoked.extensions if e.critical and e.oid.dotted_string not in _HANDLED_CRITICAL_ENTRY
        ]
    return ", ".join(sorted(set(found)))


def _revocation_status(crl, leaf, issuer) -> Check:
    """CrlInfo.entry is a dict lookup: fast even when the CRL lists 100,000 serials."""
    from genesys_lab.authority.store import serial_hex

    serial = serial_hex(leaf.serial_number)
    entry = crl.entry(leaf.serial_number)
    which = f"CRL #{crl.number}" if crl.number is not None else "the CRL"
    if entry is not None:
        return Check(
            "revocation",
            Status.FAIL,
            f"serial {serial} was revoked on {entry.revoked_at:%Y-%m-%d %H:%M} UTC"
            + (f" ({entry.reason})" if entry.reason else "")
            + f", says {which} of {label(issuer)!r} (OpenSSL: certificate revoked)",
            "install the certificate that replaced it (genesys-lab renew), or issue a new one",
        )
    if crl.next_update is None:
        return Check(
            "revocation",
            Status.WARN,
            f"serial {serial} is not on {which}, but the CRL has no nextUpdate, so nobody can tell if it is stale",
            "generate CRLs with a nextUpdate (genesys-lab gen-crl --days N)",
        )
    return Check(
        "revocation",
        Status.PASS,
        f"serial {serial} is not on {which} of {label(issuer)!r}, next update {crl.next_update:%Y-%m-%d}",
    )


def fetch_crl_from_cdp(cert, timeout: float = CDP_TIMEOUT):
    """Download the CRL named in the certificate's CRL Distribution Points (http only), with a timeout.

    Returns (CrlInfo, "") or (None, reason). A slow or unreachable CDP is
    exactly what the guide warns about: verification waits for it.
    """
    from genesys_lab.authority.crl import distribution_points, fetch_crl
    from genesys_lab.errors import GenesysLabError

    urls = [u for u in distribution_points(cert) if u.lower().startswith(("http://", "https://"))]
    if not urls:
        return (
            None,
            "the certificate has no http CRL distribution point, so no CRL can be fetched (OpenSSL: unable to get certificate CRL)",
        )
    errors = []
    for url in urls:
        try:
            return fetch_crl(url, timeout=timeout), ""
        except GenesysLabError as exc:
            errors.append(str(exc).split(": use ")[0].split(": check ")[0])
    return None, "; ".join(errors) + " (OpenSSL: unable to get certificate CRL)"


# -- the entry point ---------------------------------------------------------------


def verify(
    certificate,
    *,
    ca=None,
    chain=(),
    untrusted=(),
    purpose: str | Purpose | None = None,
    hostname: str | None = None,
    ip: str | None = None,
    email: str | None = None,
    crl=None,
    crl_from_cdp: bool = False,
    timeout: float = CDP_TIMEOUT,
    require_crl: bool = False,
    at: dt.datetime | None = None,
    partial_chain: bool = False,
    x509_strict: bool = False,
    verify_depth: int | None = None,
) -> Verification:
    """Verify ``certificate`` against the trusted CA(s) ``ca`` and explain every step.

    ``ca``: what ``-CAfile`` holds: a CertificateAuthority, a CA certificate or
    bundle (path, bytes, object), or a list of them. ``chain`` / ``untrusted``:
    intermediate certificates (files, bundles, objects), like ``-untrusted``.
    ``purpose``: server, client, gui or None. ``hostname`` / ``ip`` /
    ``email``: ``-verify_hostname`` / ``-verify_ip`` / ``-verify_email``.
    ``crl``: a CRL (path, bytes, object) to check revocation with;
    ``crl_from_cdp`` fetches it from the certificate's distribution point
    instead (within ``timeout`` seconds); either one, or ``require_crl``,
    makes a missing or unusable CRL a failure, like ``-crl_check``.
    ``at``: the moment to verify at (default now), like ``-attime``.
    ``partial_chain``, ``x509_strict``, ``verify_depth``: ``-partial_chain``,
    ``-x509_strict``, ``-verify_depth``. Revocation is checked for the
    certificate itself, as ``-crl_check`` does (not ``-crl_check_all``).
    """
    leaf = as_certificate(certificate)
    trusted = _trusted(ca)
    pool = _untrusted(chain, untrusted)
    wanted = Purpose.parse(purpose)
    options = _Options(partial_chain, x509_strict, _depth(verify_depth))
    moment = _utc(at)
    crl_obj = _load_crl(crl) if crl is not None else None
    try:
        return _verify(
            leaf, trusted, pool, options, moment, crl_obj, wanted, hostname, ip, email, crl_from_cdp, timeout, require_crl
        )
    except GenesysLabError:
        raise
    except _unreadable_errors() as exc:
        # cryptography parses lazily: a part of a certificate it cannot read becomes one line, never a traceback
        raise FormatError(
            f"a certificate of the chain cannot be read ({str(exc).split(' {')[0]}): check it with openssl x509 -text"
        ) from None


def _unreadable_errors() -> tuple:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    return (ValueError, TypeError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType, UnsupportedAlgorithm)


def _verify(leaf, trusted, pool, options, moment, crl_obj, wanted, hostname, ip, email, crl_from_cdp, timeout, require_crl):
    """The checks, in order, on parsed inputs (``verify`` turns unreadable input into one FormatError line)."""
    cdp_error = ""
    x509_strict = options.x509_strict
    path = _build_path(leaf, pool, trusted, moment, options)
    broken = _unreadable(path.certs)
    if broken is not None:
        return Verification(label(leaf), moment, _refused(broken))
    if crl_from_cdp and crl_obj is None:
        crl_obj, cdp_error = fetch_crl_from_cdp(leaf, timeout)
    checks = (
        _check_signatures(path),
        _check_ca_constraints(path, x509_strict),
        _check_name_constraints(path),
        _check_validity(path, moment),
        _check_hostname(leaf, hostname),
        _check_ip(leaf, ip),
        _check_email(leaf, email),
        _check_purpose(path, wanted),
        _check_key_strength(path),
        _check_digest(path),
        _check_revocation(path, crl_obj, moment, require=require_crl or crl_from_cdp, cdp_error=cdp_error),
    )
    return Verification(label(leaf), moment, checks)


CHECK_NAMES = (
    "chain signature",
    "CA constraints",
    "name constraints",
    "validity",
    "host name",
    "IP address",
    "email address",
    "purpose",
    "key strength",
    "signature digest",
    "revocation",
)


def _refused(broken: Check) -> tuple[Check, ...]:
    """A certificate the lab cannot read: that one failure, every other check skipped (never a traceback)."""
    skipped = "not checked: a certificate in the chain cannot be read completely (see chain signature)"
    return tuple(broken if n == broken.name else Check(n, Status.SKIP, skipped) for n in CHECK_NAMES)


def _depth(value) -> int | None:
    if value is None:
        return None
    try:
        depth = int(value)
    except (TypeError, ValueError):
        depth = -1
    if depth < 0:
        raise UsageError(f"--verify-depth {value!r} is not a number of intermediate CAs: use 0, 1, 2, ...")
    return depth
