"""One host-certificate request, declared once and shared by every front end.

create_cert.sh's options (the guide's "What You Need" chapter: -host, -CN,
-IP, -SANDomain, -SANip, -keySz, -dgst, -time and the subject fields), the
``genesys-lab create-cert`` options, the issue form's fields, the CSV
inventory's columns and ``CertificateAuthority.issue``'s keywords are the
same fifteen values. ``FIELDS`` names each once; ``HostRequest`` is the
checked request all of them build, and renewal builds one from the old
certificate.

Errors name the value the way its caller spelled it: a Python keyword
(``country 'USA'``, with the script's option in brackets) for a notebook,
``-C 'USA'`` for create_cert.sh, ``--country 'USA'`` for genesys-lab
(``Naming``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from genesys_lab.authority.defaults import DEFAULT_HOST_DAYS
from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.x509 import keys
from genesys_lab.x509.names import AltNames, Subject, split_list
from genesys_lab.x509.profiles import Digest, Profile

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


from genesys_lab.authority.fields import BY_NAME, FIELDS, LIST_FIELDS, REQUIRED, SUBJECT_KEYS, RequestField

__all__ = ["BY_NAME", "FIELDS", "LIST_FIELDS", "REQUIRED", "SUBJECT_KEYS", "HostRequest", "Naming", "RequestField"]
_BY_SCRIPT = {f.script.lower(): f for f in FIELDS} | {"-sandomain": BY_NAME["san_domains"]}


class Naming(enum.Enum):
    """How an error message names an option: as its caller typed it."""

    PYTHON = "python"  # country (-C) 'USA' ...
    SCRIPT = "script"  # -C 'USA' ... (create_ca.sh, create_cert.sh: the core's own wording)
    CLI = "cli"  # --country 'USA' ...


_LEADING_OPTION = re.compile(r"^(request \d+: )?(-[A-Za-z]+)(?=[\s:]|$)")


def restate(exc: GenesysLabError, naming: Naming) -> GenesysLabError:
    """The same error with its leading create_cert.sh option spelled for ``naming``.

    The core's validators word their messages with the guide's options
    (``-C 'USA' is not a two-letter country code``); from Python that reads
    as a puzzle, so a notebook gets ``country (-C) 'USA' ...`` instead.
    """
    text = str(exc)
    match = _LEADING_OPTION.match(text)
    field = _BY_SCRIPT.get(match.group(2).lower()) if match else None
    if naming is Naming.SCRIPT or match is None or field is None:
        return exc
    spelled = f"{field.name} ({field.script})" if naming is Naming.PYTHON else field.cli
    new = type(exc)(f"{match.group(1) or ''}{spelled}{text[match.end() :]}")
    return new


@dataclass(frozen=True)
class HostRequest:
    """A checked create_cert.sh request: every value valid before any work starts."""

    host: str
    subject: Subject
    alt_names: AltNames
    profile: Profile
    key_size: int
    digest: Digest
    days: int
    warnings: tuple[str, ...]

    @classmethod
    def build(
        cls,
        host: str,
        cn: str,
        *,
        ip: str | None = None,
        san_domains: Any = (),
        san_ips: Any = (),
        profile: Profile | str = Profile.SERVER,
        key_size: Any = keys.RECOMMENDED_KEY_SIZE,
        digest: Digest | str = Digest.SHA256,
        days: Any = DEFAULT_HOST_DAYS,
        email: str | None = None,
        org_unit: str | None = None,
        org: str | None = None,
        locality: str | None = None,
        state: str | None = None,
        country: str | None = None,
        naming: Naming = Naming.PYTHON,
    ) -> HostRequest:
        """Check every value (``ca.issue``'s keywords); errors name them as ``naming`` spells options."""
        try:
            return cls._build(
                host, cn, ip, san_domains, san_ips, profile, key_size, digest, days,
                Subject(CN=cn, E=email, OU=org_unit, O=org, L=locality, S=state, C=country),
            )  # fmt: skip
        except GenesysLabError as exc:
            raise restate(exc, naming) from None

    @classmethod
    def _build(cls, host, cn, ip, san_domains, san_ips, profile, key_size, digest, days, subject) -> HostRequest:
        from genesys_lab.authority.ca import check_days

        if isinstance(san_domains, str):
            san_domains = split_list(san_domains)
        if isinstance(san_ips, str):
            san_ips = split_list(san_ips)
        profile = Profile.parse(profile)
        if profile is Profile.CA:
            raise UsageError("-profile ca is for the CA itself (create_ca.sh): a host certificate is server or gui")
        alt = AltNames.for_host(host, ip, san_domains, san_ips)
        bits = keys.check_key_size(key_size)
        digest = Digest.parse(digest)
        warnings = [w for w in (keys.key_size_warning(bits), digest_warning(digest)) if w]
        return cls(alt.dns[0], subject, alt, profile, bits, digest, check_days(days), tuple(warnings))

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, naming: Naming = Naming.PYTHON) -> HostRequest:
        """From a mapping of FIELDS names (a form, a parsed command line, an inventory row).

        Empty strings and None count as "not given"; an unknown name or a
        missing host or cn is a UsageError naming it.
        """
        given = {k: v for k, v in values.items() if v not in (None, "", [], ())}
        unknown = sorted(set(given) - set(BY_NAME))
        if unknown:
            raise UsageError(f"unknown field {unknown[0]!r}: use {', '.join(BY_NAME)}")
        missing = [name for name in REQUIRED if not str(given.get(name, "")).strip()]
        if missing:
            raise UsageError(f"{_spell(missing[0], naming)} is missing: every request needs host and cn")
        host, cn = str(given.pop("host")).strip(), str(given.pop("cn")).strip()
        return cls.build(host, cn, naming=naming, **given)

    @classmethod
    def from_certificate(cls, cert, *, days=None, key_size=None, digest=None) -> HostRequest:
        """The request that renews ``cert``: its host, subject, SAN, profile, key size and digest.

        The validity defaults to the old certificate's own length (rounded
        to days), so a 100-day certificate is renewed for another 100 days;
        ``days``, ``key_size`` and ``digest`` override (a renewal is also the
        way out of a 1024-bit key or a SHA-1 signature).
        """
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import rsa

        from genesys_lab.authority import store
        from genesys_lab.authority.ca import check_days
        from genesys_lab.x509.describe import extension
        from genesys_lab.x509.profiles import profile_of

        profile = profile_of(cert)
        if profile is None or profile is Profile.CA:
            what = "a CA certificate" if profile is Profile.CA else "a certificate without serverAuth or clientAuth"
            raise UsageError(
                f"serial {store.serial_hex(cert.serial_number)} is {what}: only server and gui host certificates can be renewed"
            )
        public_key = cert.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise UsageError("only RSA certificates can be renewed: the Security Pack issues RSA keys")
        subject = Subject.from_x509(cert.subject)
        san = extension(cert, x509.SubjectAlternativeName)
        dns = list(san.get_values_for_type(x509.DNSName)) if san is not None else []
        ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)] if san is not None else []
        lifetime = round((cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() / 86400)
        if digest is None:
            algorithm = cert.signature_hash_algorithm
            digest = algorithm.name if algorithm else Digest.SHA256
        return cls._build(
            dns[0] if dns else subject.CN, subject.CN, None, dns[1:], ips, profile,
            key_size if key_size is not None else public_key.key_size, digest,
            check_days(days, "days") if days is not None else max(lifetime, 1), subject,
        )  # fmt: skip


def _spell(name: str, naming: Naming) -> str:
    field = BY_NAME[name]
    return {Naming.PYTHON: name, Naming.SCRIPT: field.script, Naming.CLI: field.cli}[naming]


def digest_warning(digest: Digest) -> str | None:
    if digest is Digest.SHA1:
        return "digest sha1 is not recommended by the guide: use sha256 or stronger in production"
    return None


def request_from_row(row: Mapping[str, Any], number: int) -> HostRequest:
    """One inventory row (CSV columns are the FIELDS names) as a checked request; errors say which row."""
    try:
        return HostRequest.from_values(row)
    except UsageError as exc:
        raise type(exc)(f"request {number}: {exc}") from None
