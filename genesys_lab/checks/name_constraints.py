"""Name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)-(c)) evaluated the way OpenSSL 3.0 does.

A CA certificate may say which names the certificates below it may carry
(permittedSubtrees) and which they may not (excludedSubtrees): a site that
limits its CA to ``example.com`` cannot have that CA vouch for
``www.bank.com``. ``chain_violation(path)`` walks a complete path (leaf
first, trust anchor last) like OpenSSL's ``check_name_constraints`` in
crypto/x509/x509_vfy.c and ``NAME_CONSTRAINTS_check`` in crypto/x509/v3_ncons.c:

- every CA above a certificate constrains it, the trust anchor included;
- a self-issued certificate (subject = issuer) other than the leaf is exempt
  (RFC 5280 6.1.4 (b) and 6.1.3 (b): its names are the CA's own);
- the names checked are the subject as a directory name, its emailAddress
  attributes as email addresses, every subjectAltName, and, for the leaf
  when it has no DNS subjectAltName, each CN that looks like a host name;
- before comparing, OpenSSL refuses a product of names and constraints
  above 2^20 (its guard against a certificate built to make verification
  slow): "unspecified certificate verification error".

Matching per type (v3_ncons.c): DNS ``example.com`` covers itself and
anything ending in ``.example.com``, ``.example.com`` only the latter; email
``user@host`` exact, ``host`` any mailbox at that host, ``.host`` any mailbox
at a sub-domain; URI the host part of ``scheme://host[:port][/...]`` with the
DNS rule minus sub-domains; IP address and mask, applied bit by bit; a
directory name covers the names that start with its RDNs (compared in
OpenSSL's canonical form: case-folded, spaces collapsed).

Sources: RFC 5280 (https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1.10);
OpenSSL 3.0 verify(1) "permitted subtree violation" / "excluded subtree violation"
(https://www.openssl.org/docs/man3.0/man1/openssl-verify.html).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

NAME_CHECK_MAX = 1 << 20  # v3_ncons.c: names x constraints above this are refused unchecked

# OpenSSL's message for each outcome (X509_verify_cert_error_string).
MESSAGES = {
    "permitted": "permitted subtree violation",
    "excluded": "excluded subtree violation",
    "syntax": "unsupported or invalid name syntax",
    "unsupported": "unsupported name constraint type",
    "too-many": "unspecified certificate verification error",
}


@dataclass(frozen=True)
class Violation:
    """Why a certificate's name breaks a CA's constraints: OpenSSL's error, the name and the CA."""

    kind: str  # a key of MESSAGES
    certificate: object  # the constrained certificate
    constrained_by: object  # the CA whose nameConstraints it breaks
    name: str  # "DNS:www.bank.com", "IP:10.1.2.3", "dirName:O=Other, CN=x", ...
    constraint: str = ""  # the subtree it matched (excluded) or the subtrees it missed (permitted)

    @property
    def openssl(self) -> str:
        return MESSAGES[self.kind]


@dataclass(frozen=True)
class _Name:
    kind: str  # dns, email, uri, ip, dirname, other
    value: Any  # str for dns/email/uri, an ipaddress object, a cryptography Name, an OID string
    text: str


def name_constraints(cert):
    """The certificate's NameConstraints value, or None."""
    from cryptography import x509

    from genesys_lab.x509.describe import extension

    return extension(cert, x509.NameConstraints)


def chain_violation(certs) -> Violation | None:
    """The first name-constraint violation in a complete path (leaf first), in OpenSSL's order, or None."""
    constraints = [name_constraints(c) for c in certs]
    for i in range(len(certs) - 1, -1, -1):
        cert = certs[i]
        if i != 0 and canonical_rdns(cert.subject) == canonical_rdns(cert.issuer):
            continue  # self-issued intermediate (X509_NAME_cmp equal): exempt
        for j in range(len(certs) - 1, i, -1):
            nc = constraints[j]
            if nc is None:
                continue
            found = check_certificate(cert, nc, leaf=i == 0)
            if found is not None:
                kind, name, constraint = found
                return Violation(kind, cert, certs[j], name, constraint)
    return None


def check_certificate(cert, nc, *, leaf: bool) -> tuple[str, str, str] | None:
    """(kind, name, constraint) for the first of ``cert``'s names that ``nc`` refuses, or None."""
    names = certificate_names(cert)
    permitted, excluded = _grouped(nc.permitted_subtrees or ()), _grouped(nc.excluded_subtrees or ())
    count = len(nc.permitted_subtrees or ()) + len(nc.excluded_subtrees or ())
    entries = len(list(cert.subject)) + _san_count(cert)
    if entries and count > NAME_CHECK_MAX // entries:
        return (
            "too-many",
            f"{entries} names",
            f"{count} constraints: OpenSSL refuses more than {NAME_CHECK_MAX} name/constraint pairs unchecked",
        )
    for name in names:
        found = _match(name, permitted, excluded)
        if found:
            return found
    if leaf and not any(n.kind == "dns" and n.text.startswith("DNS:") for n in names):
        for name in _cn_host_names(cert):
            found = _match(name, permitted, excluded)
            if found:
                return found
    return None


def _san_count(cert) -> int:
    from cryptography import x509

    from genesys_lab.x509.describe import extension

    san = extension(cert, x509.SubjectAlternativeName)
    return len(san) if san is not None else 0


def certificate_names(cert) -> list[_Name]:
    """The subject (as a directory name and its emailAddress values), then every subjectAltName."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from genesys_lab.x509.describe import extension, readable_name

    names = []
    if len(list(cert.subject)):
        names.append(_Name("dirname", cert.subject, f"dirName:{readable_name(cert.subject)}"))
        for attr in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
            names.append(_Name("email", str(attr.value), f"email:{attr.value}"))
    san = extension(cert, x509.SubjectAlternativeName)
    for general in san or ():
        names.append(_general(general))
    return names


def _general(general) -> _Name:
    from cryptography import x509

    from genesys_lab.x509.describe import readable_name

    if isinstance(general, x509.DNSName):
        return _Name("dns", general.value, f"DNS:{general.value}")
    if isinstance(general, x509.RFC822Name):
        return _Name("email", general.value, f"email:{general.value}")
    if isinstance(general, x509.UniformResourceIdentifier):
        return _Name("uri", general.value, f"URI:{general.value}")
    if isinstance(general, x509.IPAddress):
        return _Name("ip", general.value, f"IP:{general.value}")
    if isinstance(general, x509.DirectoryName):
        return _Name("dirname", general.value, f"dirName:{readable_name(general.value)}")
    if isinstance(general, x509.OtherName):
        return _Name("other", general.type_id.dotted_string, f"otherName:{general.type_id.dotted_string}")
    return _Name("registered", getattr(general, "value", None), f"{type(general).__name__}")


def _cn_host_names(cert) -> list[_Name]:
    from cryptography.x509.oid import NameOID

    from genesys_lab.checks.hostname import cn_as_dns_name

    hosts = [cn_as_dns_name(str(a.value)) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return [_Name("dns", h, f"CN={h} (a host name, there is no DNS subjectAltName)") for h in hosts if h]


def _grouped(subtrees) -> dict[str, list[_Name]]:
    groups: dict[str, list[_Name]] = {}
    for general in subtrees:
        name = _general(general)
        groups.setdefault(name.kind, []).append(name)
    return groups


def _match(name: _Name, permitted: dict, excluded: dict) -> tuple[str, str, str] | None:
    """OpenSSL's nc_match: within the permitted subtrees of the name's type one must match; no excluded one may."""
    bases = permitted.get(name.kind, [])
    if bases:
        hit = False
        for base in bases:
            result = _single(name, base)
            if result == "ok":
                hit = True
                break
            if result != "no":
                return result, name.text, base.text
        if not hit:
            listed = ", ".join(b.text for b in bases[:5]) + (", ..." if len(bases) > 5 else "")
            return "permitted", name.text, listed
    for base in excluded.get(name.kind, []):
        result = _single(name, base)
        if result == "ok":
            return "excluded", name.text, base.text
        if result != "no":
            return result, name.text, base.text
    return None


def _single(name: _Name, base: _Name) -> str:
    """ok (inside the subtree), no (outside), or an error kind (syntax, unsupported)."""
    if name.kind == "dns":
        return _dns(name.value, base.value)
    if name.kind == "email":
        return _email(name.value, base.value)
    if name.kind == "uri":
        return _uri(name.value, base.value)
    if name.kind == "ip":
        return _ip(name.value, base.value)
    if name.kind == "dirname":
        return _dirname(name.value, base.value)
    if name.kind == "other" and name.value != base.value:
        return "no"
    return "unsupported"


def _dns(dns: str, base: str) -> str:
    if not base:
        return "ok"
    if len(dns) < len(base):
        return "no"
    tail = dns[len(dns) - len(base) :]
    if len(dns) > len(base) and not base.startswith(".") and dns[len(dns) - len(base) - 1] != ".":
        return "no"
    return "ok" if tail.lower() == base.lower() else "no"


def _email(email: str, base: str) -> str:
    at = email.rfind("@")
    if at < 0:
        return "syntax"
    base_at = base.rfind("@")
    if base_at < 0 and base.startswith("."):
        return "ok" if len(email) > len(base) and email[-len(base) :].lower() == base.lower() else "no"
    host = base
    if base_at >= 0:
        if base_at > 0 and base[:base_at] != email[:at]:
            return "no"  # the local part is compared case-sensitively
        host = base[base_at + 1 :]
    return "ok" if email[at + 1 :].lower() == host.lower() else "no"


def _uri(uri: str, base: str) -> str:
    colon = uri.find(":")
    if colon < 0 or len(uri) - colon < 3 or uri[colon + 1 : colon + 3] != "//":
        return "syntax"
    rest = uri[colon + 3 :]
    end = rest.find(":")
    if end < 0:
        end = rest.find("/")
    host = rest if end < 0 else rest[:end]
    if not host:
        return "syntax"
    if base.startswith("."):
        return "ok" if len(host) > len(base) and host[-len(base) :].lower() == base.lower() else "no"
    return "ok" if host.lower() == base.lower() else "no"


def _ip(address, base) -> str:
    """Address AND mask against network AND mask, byte by byte; IPv4 never matches an IPv6 subtree."""
    packed = address.packed
    if isinstance(base, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        net, mask = base.network_address.packed, base.netmask.packed
    else:
        return "syntax"
    if len(packed) != len(net):
        return "no"
    same = all((a & m) == (n & m) for a, n, m in zip(packed, net, mask))
    return "ok" if same else "no"


def _dirname(name, base) -> str:
    """The base's RDNs must be the first RDNs of the name (OpenSSL compares canonical encodings by prefix)."""
    mine, theirs = canonical_rdns(name), canonical_rdns(base)
    return "ok" if len(theirs) <= len(mine) and mine[: len(theirs)] == theirs else "no"


_CANON_TYPES = {"UTF8String", "PrintableString", "T61String", "IA5String", "UniversalString", "BMPString", "VisibleString"}


def canonical_rdns(name) -> list[tuple]:
    """A name as OpenSSL's x509_name_canon sees it: each RDN a sorted tuple of (OID, canonical value).

    String values are trimmed, inner runs of white space become one space and
    ASCII letters are lower-cased, so ``O=Genesys  Lab`` equals ``o=genesys lab``
    whatever string type encodes it; other types compare as they are.
    """
    rdns = []
    for rdn in name.rdns:
        members = []
        for attr in rdn:
            kind = getattr(getattr(attr, "_type", None), "name", "UTF8String")
            value = attr.value
            if kind in _CANON_TYPES and isinstance(value, str):
                value = ("str", _fold(value))
            else:
                value = (kind, value)
            members.append((attr.oid.dotted_string, value))
        rdns.append(tuple(sorted(members, key=repr)))
    return rdns


def _fold(text: str) -> str:
    words = text.strip(" \t\n\v\f\r").split()
    return " ".join(words).translate(_LOWER)


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
