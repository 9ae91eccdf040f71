"""Lint a certificate against the guide's recommended properties, one named rule each.

Where ``verify`` answers "will OpenSSL accept this certificate now?", the
linter answers "is it made the way the guide recommends for its role?": an
RSA key of 2048 bits or more, a SHA-256-or-stronger signature, enough time
left, CN and SAN both set and telling the same story, the extended key
usages the role needs (Genesys server applications: serverAuth and
clientAuth, because they are TLS clients of other servers too; GUI
applications: clientAuth), key usage present, and the right CA flag.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from genesys_lab.checks.verify import (
    EXPIRY_WARNING_DAYS,
    RECOMMENDED_RSA_BITS,
    as_certificate,
    digest_name,
    host_matches,
    key_description,
    label,
)
from genesys_lab.x509.describe import extension
from genesys_lab.x509.profiles import Profile, profile_of


class Severity(enum.Enum):
    """error: against the guide or about to break; warning: works, but fix it; info: worth knowing."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    """One recommended property: a stable id, its usual severity, why it matters, how to fix it."""

    id: str
    severity: Severity
    explanation: str
    remedy: str


@dataclass(frozen=True)
class Finding:
    """A rule the certificate breaks, with the specific reason."""

    rule: str
    severity: Severity
    message: str
    remedy: str

    @property
    def explanation(self) -> str:
        return RULES[self.rule].explanation


RULES = {
    r.id: r
    for r in (
        Rule(
            "rsa-key-size",
            Severity.ERROR,
            "The guide recommends RSA keys of 2048 bits or more; shorter keys can be factored with enough effort "
            "and OpenSSL refuses them from security level 2 on.",
            "issue a new certificate with a new key of 2048 bits or more (-keySz 2048, the default)",
        ),
        Rule(
            "signature-digest",
            Severity.ERROR,
            "The guide asks for a SHA-2 signature, SHA-256 or stronger. SHA-1 collisions are practical, and "
            "OpenSSL 3 rejects SHA-1 signed certificates from security level 1 on.",
            "re-issue the certificate with -dgst sha256 (the default), sha384 or sha512",
        ),
        Rule(
            "expiry",
            Severity.ERROR,
            "A certificate must be rotated before it expires: afterwards every TLS peer refuses it and the "
            "connection fails. Less than 30 days left is a warning, an expired certificate an error.",
            "renew it (genesys-lab renew) and install the new certificate before the old one expires",
        ),
        Rule(
            "san-present",
            Severity.ERROR,
            "The Subject Alternative Name lists the names (and IPs) the certificate is valid for and overrides the CN; "
            "browsers and RFC 6125 clients ignore the CN entirely, so a certificate without SAN fails their host check.",
            "re-issue it with create_cert.sh, which puts -host, -IP, -SANDomain and -SANip into the SAN",
        ),
        Rule(
            "cn-present",
            Severity.WARNING,
            "The guide recommends setting both the subject CN and the SAN: older tools and people reading the "
            "certificate look at the CN.",
            "re-issue it with -CN set (usually the host name)",
        ),
        Rule(
            "cn-consistent",
            Severity.WARNING,
            "The CN should name the same host as the SAN (the full name or its first label); a CN naming "
            "something else confuses people and any client that still falls back to the CN.",
            "re-issue it with -CN set to the host name, or add the CN's name to -SANDomain",
        ),
        Rule(
            "host-in-san",
            Severity.ERROR,
            "Clients check the host name they connect to against the SAN; a host that is not listed is refused.",
            "re-issue it with that host in -host or -SANDomain",
        ),
        Rule(
            "eku-role",
            Severity.ERROR,
            "Genesys server applications accept connections and open connections to other servers, so their "
            "certificates need serverAuth and clientAuth; GUI applications only connect out and need clientAuth.",
            "issue it with the matching profile: server (serverAuth + clientAuth) or gui (clientAuth)",
        ),
        Rule(
            "key-usage",
            Severity.WARNING,
            "keyUsage says what the key may do; TLS needs digitalSignature (and keyEncipherment for RSA key exchange), "
            "a CA needs keyCertSign and cRLSign. OpenSSL refuses a purpose the key usage forbids.",
            "issue it with a genesys_lab profile, which sets the key usage for the role",
        ),
        Rule(
            "ca-flag",
            Severity.ERROR,
            "basicConstraints says whether a certificate may issue others: a host certificate must be CA:FALSE "
            "(else it could mint certificates for any host), the CA must be CA:TRUE.",
            "issue host certificates with create_cert.sh (CA:FALSE) and the CA with create_ca.sh (CA:TRUE)",
        ),
    )
}


def _finding(rule_id: str, message: str, severity: Severity | None = None) -> Finding:
    rule = RULES[rule_id]
    return Finding(rule_id, severity or rule.severity, message, rule.remedy)


# -- the rules ----------------------------------------------------------------------


def _rsa_key_size(cert, role, now) -> list[Finding]:
    kind, bits = key_description(cert.public_key())
    if kind == "RSA" and bits < RECOMMENDED_RSA_BITS:
        return [_finding("rsa-key-size", f"RSA key of {bits} bits, below the guide's 2048")]
    if kind == "EC" and bits < 224:
        return [_finding("rsa-key-size", f"EC key of {bits} bits, weaker than RSA 2048")]
    return []


def _signature_digest(cert, role, now) -> list[Finding]:
    digest = digest_name(cert)
    if digest in ("sha1", "md5"):
        return [_finding("signature-digest", f"signed with {digest}, which the guide says not to use")]
    if digest == "sha224":
        return [_finding("signature-digest", "signed with sha224: SHA-2, but weaker than the guide's SHA-256", Severity.WARNING)]
    return []


def _expiry(cert, role, now) -> list[Finding]:
    end, start = cert.not_valid_after_utc, cert.not_valid_before_utc
    if now > end:
        return [_finding("expiry", f"expired on {end:%Y-%m-%d}, {(now - end).days} days ago")]
    if now < start:
        return [_finding("expiry", f"not valid before {start:%Y-%m-%d}: check the issuing machine's clock", Severity.WARNING)]
    left = (end - now).days
    if left < EXPIRY_WARNING_DAYS:
        return [_finding("expiry", f"only {left} days left (expires {end:%Y-%m-%d})", Severity.WARNING)]
    return []


def _names(cert) -> tuple[list[str], list[str], list[str]]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    san = extension(cert, x509.SubjectAlternativeName)
    dns = list(san.get_values_for_type(x509.DNSName)) if san else []
    ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)] if san else []
    cns = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return dns, ips, cns


def _cn_and_san(cert, role, now) -> list[Finding]:
    """Both set (the guide); the CN a SAN name, its first label, or a SAN IP (consistent)."""
    if role is Profile.CA:
        return []
    dns, ips, cns = _names(cert)
    found = []
    if not dns and not ips:
        found.append(_finding("san-present", "no Subject Alternative Name: host name checks by modern clients will fail"))
    if not cns:
        found.append(_finding("cn-present", "the subject has no CN"))
    elif dns or ips:
        cn = cns[0]
        known = {d.lower() for d in dns} | {d.split(".")[0].lower() for d in dns} | set(ips)
        if cn.lower() not in known and not any(host_matches(d, cn) for d in dns):
            found.append(_finding("cn-consistent", f"CN {cn!r} is not among the SAN names ({', '.join(dns + ips)})"))
    return found


def _host_in_san(cert, host: str) -> list[Finding]:
    dns, ips, _ = _names(cert)
    if host in ips or any(host_matches(d, host) for d in dns):
        return []
    return [_finding("host-in-san", f"{host} is not in the SAN ({', '.join(dns + ips) or 'none'})")]


_EKU_NAMES = {"1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth"}


def _eku_role(cert, role, now) -> list[Finding]:
    from cryptography import x509

    eku = extension(cert, x509.ExtendedKeyUsage)
    if role is Profile.CA:
        if eku is not None:
            return [
                _finding(
                    "eku-role",
                    "the CA restricts its extended key usage, which limits every certificate below it",
                    Severity.WARNING,
                )
            ]
        return []
    needed = role.extended_key_usages
    if eku is None:
        return [
            _finding(
                "eku-role",
                f"no extended key usage: OpenSSL allows any purpose, but the guide asks a {role.value} "
                f"certificate to list {' and '.join(needed)}",
                Severity.WARNING,
            )
        ]
    have = {_EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in eku}
    missing = [n for n in needed if n not in have]
    if missing:
        return [_finding("eku-role", f"a {role.value} certificate needs {' and '.join(needed)}; {', '.join(missing)} missing")]
    return []


def _key_usage(cert, role, now) -> list[Finding]:
    from cryptography import x509

    ku = extension(cert, x509.KeyUsage)
    if ku is None:
        return [_finding("key-usage", "no keyUsage extension")]
    if role is Profile.CA:
        missing = [n for n, on in (("keyCertSign", ku.key_cert_sign), ("cRLSign", ku.crl_sign)) if not on]
        if missing:
            return [
                _finding(
                    "key-usage",
                    f"the CA's key usage lacks {', '.join(missing)}: it cannot sign certificates or CRLs",
                    Severity.ERROR,
                )
            ]
        return []
    if not ku.digital_signature:
        return [
            _finding(
                "key-usage",
                "key usage lacks digitalSignature: OpenSSL refuses it as a TLS client and for (EC)DHE key exchange",
                Severity.ERROR,
            )
        ]
    if role is Profile.SERVER and not ku.key_encipherment:
        return [_finding("key-usage", "key usage lacks keyEncipherment: TLS 1.2 RSA key exchange is not possible", Severity.INFO)]
    return []


def _ca_flag(cert, role, now) -> list[Finding]:
    from cryptography import x509

    bc = extension(cert, x509.BasicConstraints)
    if role is Profile.CA:
        if bc is None or not bc.ca:
            return [_finding("ca-flag", "the CA certificate is not marked CA:TRUE: nothing it signs will verify")]
        return []
    if bc is not None and bc.ca:
        return [_finding("ca-flag", "a host certificate marked CA:TRUE: its key could sign certificates for any host")]
    if bc is None:
        return [_finding("ca-flag", "no basicConstraints: add CA:FALSE so nobody mistakes it for a CA", Severity.INFO)]
    return []


_CHECKS = (_rsa_key_size, _signature_digest, _expiry, _cn_and_san, _eku_role, _key_usage, _ca_flag)


# -- entry points -------------------------------------------------------------------


def lint(
    certificate, role: str | Profile | None = None, *, host: str | None = None, now: dt.datetime | None = None
) -> tuple[Finding, ...]:
    """Every rule the certificate breaks for its role (server, gui or ca; guessed from CA flag and EKU if None).

    ``host``: also require this host name or IP in the SAN. ``now`` fixes the clock.
    """
    cert = as_certificate(certificate)
    profile = guess_role(cert, role)
    moment = now or dt.datetime.now(dt.UTC)
    findings = [f for check in _CHECKS for f in check(cert, profile, moment)]
    if host:
        findings += _host_in_san(cert, host.strip())
    return tuple(findings)


def guess_role(cert, role: str | Profile | None = None) -> Profile:
    """The role given, else the profile the certificate was issued with; server when nothing tells."""
    if role is not None:
        return Profile.parse(role)
    return profile_of(cert) or Profile.SERVER


def has_errors(findings) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


@dataclass(frozen=True)
class LintRecord:
    """One row of a CA-wide lint table: a finding of one certificate, or "ok" when it has none."""

    serial: str
    host: str
    role: str
    status: str
    rule: str
    severity: str
    message: str
    remedy: str


def records_for(findings, *, serial: str, host: str, role: str, status: str = "V") -> list[LintRecord]:
    """Rows for one certificate; a clean certificate still gets a row, so the table lists every one."""
    if not findings:
        return [LintRecord(serial, host, role, status, "", "ok", "meets every recommended property", "")]
    return [LintRecord(serial, host, role, status, f.rule, f.severity.value, f.message, f.remedy) for f in findings]


def lint_ca(ca, *, include_revoked: bool = False, now: dt.datetime | None = None) -> list[LintRecord]:
    """Lint the CA certificate and every certificate in ca.db (revoked ones only if asked), as table rows.

    Each certificate's role is guessed from its CA flag and EKU (profiles.profile_of).
    Make a DataFrame with ``tables.to_frame(lint_ca(ca))``.
    """
    rows = records_for(lint(ca.certificate, Profile.CA, now=now), serial="CA", host=label(ca.certificate), role="ca")
    for record in ca.records():
        if record.status == "R" and not include_revoked:
            continue
        cert = ca.load_certificate(record.serial)
        role = profile_of(cert) or Profile.SERVER
        rows += records_for(
            lint(cert, role, now=now),
            serial=record.serial,
            host=record.host or label(cert),
            role=role.value,
            status=record.status,
        )
    return rows
