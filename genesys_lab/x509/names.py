"""Names that go into certificates: host names, IP addresses, subject fields.

Everything a user types is checked here, before any key is generated or any
file is written, so that a bad value costs nothing and the error names it.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field

from genesys_lab.errors import InvalidNameError

# RFC 1035 section 2.3.4 (63 octets a label, 255 on the wire = 253 as text)
# and RFC 1123 section 2.1 (a label may start with a digit).
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")

# Upper bounds from RFC 5280 appendix A.1 (ub-common-name etc.).
FIELD_LIMITS = {"CN": 64, "O": 64, "OU": 64, "L": 128, "S": 128, "E": 255}


def validate_hostname(name: str, *, option: str = "-host", wildcard: bool = False) -> str:
    """Return the host name, stripped; refuse what DNS or a file name cannot hold.

    The first label becomes part of file names (``01_myhost_cert.pem``), so
    the same check also keeps path tricks such as ``../x`` out of the CA.
    """
    host = name.strip()
    if not host:
        raise InvalidNameError(f"{option} is empty: give the host's full DNS name, e.g. myhost.example.com")
    if len(host) > 253:
        raise InvalidNameError(f"{option} {host[:40]}... is {len(host)} characters: a DNS name holds at most 253")
    if _is_ip(host):
        raise InvalidNameError(
            f"{option} {host!r} is an IP address, not a DNS name: give the host's name, and the address with -IP"
        )
    labels = host.split(".")
    if wildcard and labels[0] == "*" and len(labels) > 1:
        labels = labels[1:]
        _check_wildcard_base(host, ".".join(labels), option)
    for label in labels:
        if not label:
            raise InvalidNameError(f"{option} {host!r} has an empty label (two dots, or a dot at either end): remove it")
        if len(label) > 63:
            raise InvalidNameError(f"{option} {host!r}: label {label[:20]}... is {len(label)} characters, DNS allows 63")
        if not _LABEL.match(label):
            raise InvalidNameError(f"{option} {host!r}: label {label!r} may only hold letters, digits and inner hyphens")
    return host


def _check_wildcard_base(host: str, base: str, option: str) -> None:
    """Refuse ``*.com``, ``*.co.uk``, ``*.local``: a wildcard directly over a public suffix or a single label.

    CA/Browser Forum Baseline Requirements 3.2.2.6 ("Wildcard Domain
    Validation"): a CA must refuse a wildcard that falls immediately left of
    a registry-controlled or public suffix; browsers and RFC 6125 6.4.3
    matchers do not honour such a name anyway. The suffixes come from the
    Public Suffix List (https://publicsuffix.org/list/, bundled with the
    ``publicsuffixlist`` package), in which any single label is a suffix.
    """
    if "." not in base:
        raise InvalidNameError(
            f"{option} {host!r} covers every name under the single label {base!r}: put it over your own domain, e.g. *.example.{base}"
        )
    if _is_public_suffix(base):
        raise InvalidNameError(
            f"{option} {host!r} is a wildcard over the public suffix {base!r} (Public Suffix List): "
            f"no CA may issue it; use your own domain, e.g. *.example.{base}"
        )


@functools.cache
def _public_suffix_list():
    """The Public Suffix List, read once (publicsuffixlist ships a copy; nothing is fetched)."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _is_public_suffix(name: str) -> bool:
    return bool(_public_suffix_list().is_public(name.lower()))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def short_host(fqdn: str) -> str:
    """The first label of a host name: the Security Pack's ``<host_name>`` in file names."""
    return fqdn.split(".", 1)[0]


def validate_ip(value: str, *, option: str = "-IP") -> str:
    """Return the address in its canonical text form (IPv4 or IPv6).

    A scoped IPv6 address (``fe80::1%eth0``, RFC 4007 11.2) is refused: the
    zone names an interface of one machine, and the iPAddress SAN entry
    (RFC 5280 4.2.1.6) holds only the 16 address bytes, so the zone would
    be dropped without a word.
    """
    if "%" in value:
        raise InvalidNameError(
            f"{option} {value.strip()!r} has a zone (%...): a certificate holds only the address; give it without the zone"
        )
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidNameError(
            f"{option} {value.strip()!r} is not an IP address: use dotted IPv4 like 10.0.0.5 or IPv6"
        ) from None


def split_list(value: str | None) -> list[str]:
    """Split the guide's comma-separated ``-SANDomain``/``-SANip`` lists, trimming blanks."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def unique(items: list[str]) -> list[str]:
    """De-duplicate, keeping first occurrence; DNS names compare case-insensitively."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@dataclass(frozen=True)
class Subject:
    """The distinguished name fields the guide's scripts take (-CN -E -OU -O -L -S -C).

    Field order in the certificate is C, ST, L, O, OU, CN, emailAddress: the
    order ``openssl ca`` writes with the Security Pack's policy, and so the
    order that appears in ca.db.
    """

    CN: str
    E: str | None = None
    OU: str | None = None
    O: str | None = None  # noqa: E741 (the guide's option name)
    L: str | None = None
    S: str | None = None
    C: str | None = None

    def __post_init__(self):
        for key, limit in FIELD_LIMITS.items():
            value = getattr(self, key)
            if value is None:
                continue
            value = value.strip()
            object.__setattr__(self, key, value or None)
            if key == "CN" and not value:
                raise InvalidNameError("-CN is empty: give a common name, e.g. -CN myhost")
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
                raise InvalidNameError(
                    f"-{key} {value!r} contains a control character (a line break or tab?): type the value on one line"
                )
            if value and len(value) > limit:
                raise InvalidNameError(
                    f"-{key} {value[:30]!r}... is {len(value)} characters; at most {limit} are allowed (RFC 5280)"
                )
        if self.C is not None:
            if not re.fullmatch(r"[A-Za-z]{2}", self.C):
                raise InvalidNameError(f"-C {self.C!r} is not a two-letter country code: use e.g. US, DE, CH")
            object.__setattr__(self, "C", self.C.upper())
        if self.E is not None and not _EMAIL.match(self.E):
            raise InvalidNameError(f"-E {self.E!r} is not an e-mail address: use name@domain")
        if self.E is not None:
            validate_hostname(self.E.split("@", 1)[1], option=f"-E {self.E!r}: domain")

    def fields(self) -> list[tuple[str, str]]:
        """(short name, value) pairs in certificate order, as ca.db shows them."""
        order = [
            ("C", self.C),
            ("ST", self.S),
            ("L", self.L),
            ("O", self.O),
            ("OU", self.OU),
            ("CN", self.CN),
            ("emailAddress", self.E),
        ]
        return [(k, v) for k, v in order if v]

    def to_x509(self):
        """The subject as a ``cryptography`` Name, UTF8String except where X.520 says otherwise."""
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        oids = {
            "C": NameOID.COUNTRY_NAME,
            "ST": NameOID.STATE_OR_PROVINCE_NAME,
            "L": NameOID.LOCALITY_NAME,
            "O": NameOID.ORGANIZATION_NAME,
            "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "CN": NameOID.COMMON_NAME,
            "emailAddress": NameOID.EMAIL_ADDRESS,
        }
        return x509.Name([x509.NameAttribute(oids[k], v) for k, v in self.fields()])

    @classmethod
    def from_x509(cls, name) -> Subject:
        """Read the guide's fields back from a certificate's subject (other fields ignored)."""
        from cryptography.x509.oid import NameOID

        def get(oid):
            attrs = name.get_attributes_for_oid(oid)
            return attrs[0].value if attrs else None

        cn = get(NameOID.COMMON_NAME) or ""
        return cls(
            CN=cn or "?",
            E=get(NameOID.EMAIL_ADDRESS),
            OU=get(NameOID.ORGANIZATIONAL_UNIT_NAME),
            O=get(NameOID.ORGANIZATION_NAME),
            L=get(NameOID.LOCALITY_NAME),
            S=get(NameOID.STATE_OR_PROVINCE_NAME),
            C=get(NameOID.COUNTRY_NAME),
        )


_SHORT = {
    "2.5.4.6": "C",
    "2.5.4.8": "ST",
    "2.5.4.7": "L",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.3": "CN",
    "1.2.840.113549.1.9.1": "emailAddress",
    "2.5.4.5": "serialNumber",
    "0.9.2342.19200300.100.1.25": "DC",
    "2.5.4.9": "street",
    "2.5.4.4": "SN",
    "2.5.4.42": "GN",
    "2.5.4.12": "title",
    "0.9.2342.19200300.100.1.1": "UID",
}


def oneline(name) -> str:
    """The subject as OpenSSL's ``X509_NAME_oneline`` prints it, which is what ca.db holds.

    OpenSSL writes each value's bytes (UTF-8 for UTF8String) and escapes every
    byte outside printable ASCII as ``\\xHH`` upper-case: "Zürich" becomes
    ``Z\\xC3\\xBCrich``.
    """
    parts = []
    for attr in name:
        key = _SHORT.get(attr.oid.dotted_string, attr.oid.dotted_string)
        raw = attr.value.encode("utf-8") if isinstance(attr.value, str) else bytes(attr.value)
        text = "".join(chr(b) if 32 <= b <= 126 else f"\\x{b:02X}" for b in raw)
        parts.append(f"/{key}={text}")
    return "".join(parts)


def parse_oneline(text: str) -> list[tuple[str, str]]:
    """Split a ca.db subject back into (key, value) pairs, undoing the ``\\xHH`` escapes."""
    pairs = []
    for chunk in re.split(r"/(?=[A-Za-z0-9.]+=)", text)[1:]:
        key, _, value = chunk.partition("=")
        raw = re.sub(rb"\\x([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), value.encode("latin-1", "replace"))
        pairs.append((key, raw.decode("utf-8", "replace")))
    return pairs


@dataclass(frozen=True)
class AltNames:
    """The subjectAltName of a host certificate: DNS names then IP addresses."""

    dns: tuple[str, ...] = field(default_factory=tuple)
    ips: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def for_host(cls, host: str, ip: str | None = None, san_domains=(), san_ips=()) -> AltNames:
        """The guide recommends CN and SAN both: the SAN gets host, extra names, IP, extra IPs."""
        dns = [validate_hostname(host)]
        dns += [validate_hostname(d, option="-SANDomain item", wildcard=True) for d in san_domains]
        ips = [validate_ip(ip)] if ip else []
        ips += [validate_ip(a, option="-SANip item") for a in san_ips]
        return cls(tuple(unique(dns)), tuple(unique(ips)))

    def to_x509(self):
        from cryptography import x509

        entries = [x509.DNSName(d) for d in self.dns]
        entries += [x509.IPAddress(ipaddress.ip_address(a)) for a in self.ips]
        return x509.SubjectAlternativeName(entries)
