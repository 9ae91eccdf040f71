"""Verify a certificate the way ``openssl verify`` does, and say why at every step.

``verify()`` runs the checks of DESIGN.md in order (chain signature, CA
constraints, validity, host name / IP, purpose, key strength, signature
digest, revocation) and returns a frozen ``Verification``: one ``Check`` per
step with a pass / warn / fail status, a one-line reason and a remedy.

The verdict (``valid``) agrees with ``openssl verify`` given the same CA,
``-purpose``, ``-verify_hostname`` / ``-verify_ip``, ``-CRLfile -crl_check``
and ``-attime`` (tests/test_verify_differential.py holds it to that). Where
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

from genesys_lab.errors import UsageError
from genesys_lab.x509.describe import all_extensions, extension, load_certificate
from genesys_lab.x509.profiles import parse_choice

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
    ``.certificate`` (a CertificateAuthority, an IssuedCertificate)."""
    from cryptography import x509

    inner = getattr(source, "certificate", None)
    if isinstance(inner, x509.Certificate):
        return inner
    if not isinstance(source, (x509.Certificate, str, Path, bytes, bytearray, memoryview)):
        raise UsageError(f"{type(source).__name__} is not a certificate: give a file path, PEM/DER bytes or a certificate")
    return load_certificate(source)


def _anchor(ca):
    """The trust anchor: a CertificateAuthority, a CA certificate (path, bytes or object), or None."""
    return None if ca is None else as_certificate(ca)


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
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


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


def _aki_mismatch(cert, issuer) -> bool:
    """True when both key identifiers are there and differ (OpenSSL then looks for another issuer)."""
    from cryptography import x509

    aki = extension(cert, x509.AuthorityKeyIdentifier)
    ski = extension(issuer, x509.SubjectKeyIdentifier)
    return bool(aki and aki.key_identifier and ski and aki.key_identifier != ski.digest)


def _same(a, b) -> bool:
    from cryptography.hazmat.primitives.serialization import Encoding

    return a.public_bytes(Encoding.DER) == b.public_bytes(Encoding.DER)


def _self_issued(cert) -> bool:
    return cert.subject == cert.issuer


# -- the path: leaf -> intermediates -> trust anchor -------------------------------


@dataclass(frozen=True)
class _Path:
    certs: tuple  # leaf first; ends with the anchor when complete
    complete: bool
    problem: str = ""
    remedy: str = ""


def _build_path(leaf, chain, anchor) -> _Path:
    """Follow issuer names (and key identifiers) from the leaf to the anchor, as OpenSSL builds chains."""
    if anchor is None:
        return _Path(
            (leaf,),
            False,
            "no trust anchor was given, so nothing vouches for this certificate",
            "give the CA certificate (--ca ca_conf/ca_cert.pem or --ca-dir)",
        )
    if _same(leaf, anchor):
        return _Path((leaf,), True)
    certs, current, pool = [leaf], leaf, list(chain)
    for _ in range(len(pool) + 1):
        if current.issuer == anchor.subject and not _aki_mismatch(current, anchor):
            return _Path(tuple(certs) + (anchor,), True)
        nxt = next((c for c in pool if c.subject == current.issuer and not _aki_mismatch(current, c)), None)
        if nxt is None:
            break
        pool.remove(nxt)
        certs.append(nxt)
        current = nxt
    return _Path(tuple(certs), False, *_missing_issuer(current, anchor))


def _missing_issuer(cert, anchor) -> tuple[str, str]:
    from genesys_lab.x509.names import oneline

    if cert.issuer == anchor.subject:
        return (
            f"{label(cert)!r} names {label(anchor)!r} as issuer but its authority key identifier is not that "
            f"CA's key: another CA with the same name issued it (OpenSSL: unable to get local issuer certificate)",
            "verify against the CA that really issued it, or re-issue the certificate from this CA",
        )
    return (
        f"{label(cert)!r} was issued by {oneline(cert.issuer)}, which is neither the trust anchor "
        f"{label(anchor)!r} nor in the chain (OpenSSL: unable to get local issuer certificate)",
        "trust the CA that issued it (its ca_cert.pem), or add the missing intermediate to the chain",
    )


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
        return Check(name, Status.PASS, f"{label(path.certs[0])!r} is the trust anchor itself")
    for child, parent in zip(path.certs, path.certs[1:]):
        if not signature_ok(child, parent.public_key()):
            return Check(
                name,
                Status.FAIL,
                f"the signature on {label(child)!r} does not verify with {label(parent)!r}'s key "
                "(OpenSSL: certificate signature failure)",
                "the certificate was altered or signed by another key: re-issue it from the CA",
            )
    chain = " -> ".join(repr(label(c)) for c in path.certs)
    return Check(name, Status.PASS, f"every signature verifies: {chain}")


def _check_ca_constraints(path: _Path, anchor) -> Check:
    """RFC 5280 6.1.4 (k), (n): every issuer must be CA:TRUE and, when it has key usage, keyCertSign."""
    name = "CA constraints"
    if path.complete and len(path.certs) == 1:
        return Check(name, Status.SKIP, "the certificate is the trust anchor itself: no issuer to check")
    cas = list(path.certs[1:]) if path.complete else [c for c in (*path.certs[1:], anchor) if c is not None]
    if not cas:
        return Check(name, Status.SKIP, "no CA certificate to check")
    for depth, ca in enumerate(cas):
        problem = _ca_problem(ca, is_anchor=ca is anchor, below=depth)
        if problem:
            return Check(
                name,
                Status.FAIL,
                problem,
                "issue host certificates only from a real CA: create_ca.sh makes CA:TRUE with keyCertSign, cRLSign",
            )
    names = ", ".join(repr(label(c)) for c in cas)
    return Check(name, Status.PASS, f"{names}: basicConstraints CA:TRUE and keyCertSign")


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


def _ca_problem(ca, *, is_anchor: bool, below: int) -> str:
    from cryptography import x509

    bc = extension(ca, x509.BasicConstraints)
    if bc is None:
        # OpenSSL (X509_check_ca) still accepts a self-signed version 1 root.
        if not (is_anchor and ca.version is x509.Version.v1 and _self_issued(ca)):
            return f"{label(ca)!r} has no basicConstraints CA:TRUE, so it may not issue certificates (OpenSSL: invalid CA certificate)"
    elif not bc.ca:
        return f"{label(ca)!r} is marked CA:FALSE: it is a host certificate, not a CA (OpenSSL: invalid CA certificate)"
    ku = extension(ca, x509.KeyUsage)
    if ku is not None and not ku.key_cert_sign:
        return f"{label(ca)!r} has key usage without keyCertSign, so its signatures on certificates do not count (OpenSSL: invalid CA certificate)"
    if bc is not None and bc.path_length is not None and below > bc.path_length:
        return f"{label(ca)!r} allows {bc.path_length} intermediate CA(s) below it (pathlen) but the chain has {below}"
    return ""


def _check_validity(path: _Path, at: dt.datetime) -> Check:
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
        if at > end:
            return Check(
                name,
                Status.FAIL,
                f"{which} expired on {end:%Y-%m-%d %H:%M} UTC, {_days(at - end)} before {at:%Y-%m-%d} (OpenSSL: certificate has expired)",
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


def host_matches(pattern: str, hostname: str) -> bool:
    """One DNS name of a certificate against a host name, as OpenSSL's X509_check_host compares them.

    Case-insensitive; a wildcard is only honoured in the left-most label, not
    in an IDNA (xn--) label, with at least two labels after it, and it
    matches exactly one non-empty label (``*.example.com`` does not match
    ``a.b.example.com`` nor ``example.com``).
    """
    pattern, host = pattern.lower().rstrip("."), hostname.lower().rstrip(".")
    star = _valid_star(pattern)
    if star < 0:
        return pattern == host
    prefix, suffix = pattern[:star], pattern[star + 1 :]
    if len(host) < len(prefix) + len(suffix) or not host.startswith(prefix) or not host.endswith(suffix):
        return False
    middle = host[len(prefix) : len(host) - len(suffix)]
    if not prefix and suffix.startswith("."):
        if not middle:
            return False
    elif host.startswith("xn--"):
        return False
    return all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in middle)


def _valid_star(pattern: str) -> int:
    """Index of the one usable '*' (OpenSSL's valid_star), or -1 when the pattern is literal."""
    labels = pattern.split(".")
    if "*" not in pattern or len(labels) < 3 or any(not lab for lab in labels):
        return -1
    first = labels[0]
    if pattern.count("*") != 1 or "*" not in first or first.startswith("xn--"):
        return -1
    if not (first.startswith("*") or first.endswith("*")):
        return -1
    return first.index("*")


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
                f"CA {label(ca)!r} restricts its extended key usage and {purpose.openssl} is not in it",
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
    name = "key strength"
    weak = []
    for cert in path.certs:
        kind, bits = key_description(cert.public_key())
        if (kind == "RSA" and bits < RECOMMENDED_RSA_BITS) or (kind == "EC" and bits < 224):
            weak.append(f"{label(cert)!r} has {kind} {bits} bits")
    if weak:
        return Check(
            name,
            Status.WARN,
            "; ".join(weak)
            + ": openssl verify accepts it (no security level without -auth_level) but the guide asks for RSA 2048+ and OpenSSL at security level 2 refuses it",
            "issue a new key of 2048 bits or more (-keySz 2048, the default)",
        )
    kind, bits = key_description(path.certs[0].public_key())
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


def _check_revocation(path: _Path, anchor, crl, at: dt.datetime, *, require: bool, cdp_error: str = "") -> Check:
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
    issuer = path.certs[1] if len(path.certs) > 1 else anchor
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
    if crl.next_update is not None and crl.next_update < at:
        return (
            f"the CRL expired on {crl.next_update:%Y-%m-%d %H:%M} UTC (its nextUpdate) (OpenSSL: CRL has expired)",
            "generate a fresh CRL (genesys-lab gen-crl) and publish it before nextUpdate",
        )
    return None


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
    purpose: str | Purpose | None = None,
    hostname: str | None = None,
    ip: str | None = None,
    crl=None,
    crl_from_cdp: bool = False,
    timeout: float = CDP_TIMEOUT,
    require_crl: bool = False,
    at: dt.datetime | None = None,
) -> Verification:
    """Verify ``certificate`` against the trust anchor ``ca`` and explain every step.

    ``ca``: a CertificateAuthority or a CA certificate (path, bytes, object).
    ``chain``: intermediate certificates. ``purpose``: server, client, gui or
    None. ``crl``: a CRL (path, bytes, object) to check revocation with;
    ``crl_from_cdp`` fetches it from the certificate's distribution point
    instead (within ``timeout`` seconds); either one, or ``require_crl``,
    makes a missing or unusable CRL a failure, like ``-crl_check``.
    ``at``: the moment to verify at (default now), like ``-attime``.
    Revocation is checked for the certificate itself, as ``-crl_check`` does
    (not ``-crl_check_all``).
    """
    leaf = as_certificate(certificate)
    anchor = _anchor(ca)
    from genesys_lab.formats.convert import load_certificates

    intermediates = [c for item in chain for c in load_certificates(item)]
    wanted = Purpose.parse(purpose)
    moment = _utc(at)
    crl_obj, cdp_error = (_load_crl(crl) if crl is not None else None), ""
    if crl_from_cdp and crl_obj is None:
        crl_obj, cdp_error = fetch_crl_from_cdp(leaf, timeout)
    path = _build_path(leaf, intermediates, anchor)
    checks = (
        _check_signatures(path),
        _check_ca_constraints(path, anchor),
        _check_validity(path, moment),
        _check_hostname(leaf, hostname),
        _check_ip(leaf, ip),
        _check_purpose(path, wanted),
        _check_key_strength(path),
        _check_digest(path),
        _check_revocation(path, anchor, crl_obj, moment, require=require_crl or crl_from_cdp, cdp_error=cdp_error),
    )
    return Verification(label(leaf), moment, checks)
