"""The parts of a certificate as plain data, for the inspector widget and its static HTML.

``describe`` (inspect.py) reads the fields an administrator checks; this
module adds what a learner looks at next: every extension with its
criticality (RFC 5280 4.2: a verifier must reject a certificate with a
critical extension it does not understand), which Genesys roles the
certificate fits, where it stands in its validity window, the lint findings
and the certificate's PEM. Front ends only format these values.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from genesys_lab.checks.verify import EXPIRY_WARNING_DAYS as EXPIRING_SOON_DAYS
from genesys_lab.errors import GenesysLabError
from genesys_lab.x509.describe import CertificateInfo, all_extensions, describe
from genesys_lab.x509.profiles import Profile
from genesys_lab.x509.read import read_certificate

_EXT_NAMES = {
    "2.5.29.19": "Basic Constraints",
    "2.5.29.15": "Key Usage",
    "2.5.29.37": "Extended Key Usage",
    "2.5.29.14": "Subject Key Identifier",
    "2.5.29.35": "Authority Key Identifier",
    "2.5.29.17": "Subject Alternative Name",
    "2.5.29.31": "CRL Distribution Points",
    "1.3.6.1.5.5.7.1.1": "Authority Information Access",
    "2.5.29.32": "Certificate Policies",
    "2.16.840.1.113730.1.1": "Netscape Cert Type",
    "2.16.840.1.113730.1.13": "Netscape Comment",
}


class Validity(enum.Enum):
    """Where "now" falls in the certificate's validity window."""

    FINE = "fine"
    EXPIRING_SOON = "expiring soon"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"


@dataclass(frozen=True)
class ExtensionInfo:
    """One extension as ``openssl x509 -text`` lists it: name, OID, critical flag and value in words."""

    name: str
    oid: str
    critical: bool
    value: str


@dataclass(frozen=True)
class RoleFit:
    """Whether the certificate can serve a Genesys role, and why (or why not)."""

    role: Profile
    fits: bool
    reason: str

    @property
    def title(self) -> str:
        return {Profile.SERVER: "server application", Profile.GUI: "GUI application"}.get(self.role, self.role.value)


@dataclass(frozen=True)
class Anatomy:
    """Everything the inspector shows about one certificate (never a key)."""

    info: CertificateInfo
    extensions: tuple[ExtensionInfo, ...]
    roles: tuple[RoleFit, ...]
    validity: Validity
    elapsed: float  # share of the validity window already used, 0.0 .. 1.0
    pem: str
    findings: tuple  # lint.Finding values, for the certificate's role
    now: dt.datetime  # the moment the facts above were judged at

    @property
    def title(self) -> str:
        return self.info.common_name or ", ".join(f"{k}={v}" for k, v in self.info.subject) or "(empty subject)"


def resolve(source):
    """A cryptography certificate from what a learner holds: ``(ca, serial)``, a CertificateRecord
    (what ``ca.records`` returns, by its ``cert_file``), or anything ``x509.read.read_certificate``
    takes (a path, PEM/DER bytes, a certificate, an IssuedCertificate, a CertificateAuthority)."""
    if isinstance(source, tuple) and len(source) == 2:
        ca, serial = source
        return ca.load_certificate(serial)
    cert_file = getattr(source, "cert_file", None)
    if cert_file is not None and getattr(source, "certificate", None) is None:
        return read_certificate(cert_file)
    return read_certificate(source)


def anatomy(source, *, role: Profile | str | None = None, now: dt.datetime | None = None) -> Anatomy:
    """Read a certificate into an Anatomy; ``role`` chooses the lint profile (default: guessed from EKU)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = resolve(source)
    now = now or dt.datetime.now(dt.UTC)
    info = describe(cert, now=now)
    return Anatomy(
        info=info,
        extensions=extensions(cert, info),
        roles=role_fits(cert),
        validity=validity(info, now),
        elapsed=elapsed(info, now),
        pem=cert.public_bytes(Encoding.PEM).decode("ascii"),
        findings=lint_findings(cert, role, now),
        now=now,
    )


def validity(info: CertificateInfo, now: dt.datetime) -> Validity:
    if now < info.not_before:
        return Validity.NOT_YET_VALID
    if now >= info.not_after:
        return Validity.EXPIRED
    if info.days_left < EXPIRING_SOON_DAYS:
        return Validity.EXPIRING_SOON
    return Validity.FINE


def elapsed(info: CertificateInfo, now: dt.datetime) -> float:
    total = (info.not_after - info.not_before).total_seconds()
    if total <= 0:
        return 1.0
    return min(max((now - info.not_before).total_seconds() / total, 0.0), 1.0)


_ROLE_RULES = ("eku-role", "key-usage", "ca-flag")


def role_fits(cert) -> tuple[RoleFit, ...]:
    """Server and GUI fit, in the linter's words (rules eku-role, key-usage, ca-flag).

    A Genesys server application is also a TLS client of other servers, so it
    needs serverAuth and clientAuth; a GUI application only connects out and
    needs clientAuth. Errors of those rules mean "does not fit"; warnings
    (e.g. no EKU at all, which OpenSSL reads as "any purpose") fit, with the note.
    """
    return tuple(_fit(cert, role) for role in (Profile.SERVER, Profile.GUI))


def _fit(cert, role: Profile) -> RoleFit:
    from genesys_lab.checks.lint import Severity, lint

    findings = [f for f in lint(cert, role) if f.rule in _ROLE_RULES and f.severity is not Severity.INFO]
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        return RoleFit(role, False, "; ".join(f.message for f in errors))
    if findings:
        return RoleFit(role, True, "; ".join(f.message for f in findings))
    return RoleFit(role, True, "extended key usage has " + " and ".join(role.extended_key_usages))


def extensions(cert, info: CertificateInfo) -> tuple[ExtensionInfo, ...]:
    """Every extension in certificate order, with a one-line value as OpenSSL would print it.

    Key usage names come from ``info`` (describe's OpenSSL spelling), so the
    Usage and Extensions views always agree.
    """
    return tuple(
        ExtensionInfo(
            _EXT_NAMES.get(ext.oid.dotted_string, getattr(ext.oid, "_name", ext.oid.dotted_string)),
            ext.oid.dotted_string,
            ext.critical,
            _value_text(ext.value, info),
        )
        for ext in all_extensions(cert)
    )


def colon_hex(data: bytes) -> str:
    return ":".join(f"{b:02X}" for b in data)


def _value_text(value, info: CertificateInfo) -> str:
    from cryptography import x509

    if isinstance(value, x509.BasicConstraints):
        text = "CA:TRUE" if value.ca else "CA:FALSE"
        return text + (f", pathlen:{value.path_length}" if value.path_length is not None else "")
    if isinstance(value, x509.SubjectKeyIdentifier):
        return colon_hex(value.digest)
    if isinstance(value, x509.AuthorityKeyIdentifier):
        return "keyid:" + colon_hex(value.key_identifier) if value.key_identifier else str(value)
    if isinstance(value, x509.SubjectAlternativeName):
        return ", ".join(_general_name(n) for n in value)
    if isinstance(value, x509.CRLDistributionPoints):
        return ", ".join(_general_name(n) for point in value for n in (point.full_name or ()))
    if isinstance(value, x509.KeyUsage):
        return ", ".join(info.key_usage) or "(none)"
    if isinstance(value, x509.ExtendedKeyUsage):
        return ", ".join(info.extended_key_usage) or "(none)"
    return str(value)


def _general_name(name) -> str:
    from cryptography import x509

    prefix = {
        x509.DNSName: "DNS",
        x509.IPAddress: "IP Address",
        x509.UniformResourceIdentifier: "URI",
        x509.RFC822Name: "email",
    }.get(type(name), type(name).__name__)
    return f"{prefix}:{name.value}"


def lint_findings(cert, role: Profile | str | None = None, now: dt.datetime | None = None) -> tuple:
    """The linter's findings for ``role`` (default: the profile the certificate looks issued for)."""
    from genesys_lab.checks.lint import lint

    return lint(cert, role, now=now)


def field_rows(item: Anatomy) -> list[tuple[str, str]]:
    """(field, value) pairs in a fixed order, so two certificates can be compared line by line."""
    info = item.info
    rows = [
        ("Subject", _dn(info.subject)),
        ("Issuer", _dn(info.issuer)),
        ("Serial", info.serial),
        ("Not before", _day(info.not_before)),
        ("Not after", _day(info.not_after)),
        ("Validity", f"{item.validity.value}, {info.days_left} days left"),
        ("Public key", f"{info.key_type} {info.key_size} bits"),
        ("Signature", info.signature_algorithm),
        ("SAN DNS", ", ".join(info.san_dns) or "(none)"),
        ("SAN IP", ", ".join(info.san_ip) or "(none)"),
        ("Key usage", ", ".join(info.key_usage) or "(none)"),
        ("Extended key usage", ", ".join(info.extended_key_usage) or "(none)"),
    ]
    rows += [(f"Fits: {fit.title}", ("yes" if fit.fits else "no") + f" ({fit.reason})") for fit in item.roles]
    rows += [("SHA-1 thumbprint", info.thumbprint_sha1), ("SHA-256 fingerprint", info.fingerprint_sha256)]
    return rows


def _dn(fields) -> str:
    return ", ".join(f"{k}={v}" for k, v in fields) or "(empty)"


def _day(moment: dt.datetime) -> str:
    """Dates to the day: two certificates issued a second apart should not "differ" in validity."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class CertificateRow:
    """One line of a CA overview: ca.db's facts plus the profile read from the certificate."""

    serial: str
    host: str
    status: str  # "valid", "revoked" or "expired"
    expires: dt.datetime
    days_left: int
    profile: str
    subject: str
    reason: str | None


def certificate_rows(ca, *, now: dt.datetime | None = None) -> list[CertificateRow]:
    """The CA's certificates for a dashboard. ca.db keeps ``V`` after expiry until
    ``openssl ca -updatedb`` runs, so expiry is judged by the date, not the letter."""
    from genesys_lab.x509.names import parse_oneline
    from genesys_lab.x509.profiles import profile_of

    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for rec in ca.records():
        if rec.status == "R":
            status = "revoked"
        elif rec.status == "E" or rec.expires <= now:
            status = "expired"
        else:
            status = "valid"
        try:
            profile = profile_of(ca.load_certificate(rec.serial))
        except (GenesysLabError, ValueError):  # a lost repository file shows "?" rather than hiding the row
            profile = None
        host = rec.host or dict(parse_oneline(rec.subject)).get("CN", "?")
        rows.append(
            CertificateRow(
                rec.serial,
                host,
                status,
                rec.expires,
                (rec.expires - now).days,
                profile.value if profile else "?",
                rec.subject,
                rec.reason,
            )
        )
    return rows
