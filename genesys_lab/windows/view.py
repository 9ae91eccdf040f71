"""The Certificate dialog (General, Details, Certification Path) for a store entry.

**Certification Path** builds the chain the way Windows' chain engine looks
for issuers: in the stores the certificate's context can see. A computer
context (a service) sees the computer's stores; a user context sees the
user's stores and, through them, the computer's (a user's logical stores
include the ``.LocalMachine`` physical store; "System Store Locations" and
"Physical Stores", https://learn.microsoft.com/en-us/windows/win32/seccrypto/system-store-locations).
An issuer is a certificate whose subject is the certificate's issuer and
whose key verifies its signature. The chain is trusted only when it ends at
a self-signed certificate in a Trusted Root store; a root found only in
Personal or Intermediate is "not trusted".

The statuses carry the names of Windows' chain-status flags
(CERT_TRUST_STATUS, https://learn.microsoft.com/en-us/windows/win32/api/wincrypt/ns-wincrypt-cert_trust_status):
CERT_TRUST_IS_PARTIAL_CHAIN (issuer not found), CERT_TRUST_IS_UNTRUSTED_ROOT,
CERT_TRUST_IS_NOT_TIME_VALID, CERT_TRUST_IS_REVOKED,
CERT_TRUST_IS_NOT_SIGNATURE_VALID. The sentences beside them are the lab's;
validity, signatures and revocation (when a CRL is given) come from
``checks.verify``, which agrees with ``openssl verify``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from genesys_lab.windows.machine import Machine, StoreEntry
from genesys_lab.windows.stores import Location, StoreKind
from genesys_lab.windows.thumbprints import dialog_form

_EKU_NAMES = {
    "serverAuth": "Server Authentication (1.3.6.1.5.5.7.3.1)",
    "clientAuth": "Client Authentication (1.3.6.1.5.5.7.3.2)",
    "codeSigning": "Code Signing (1.3.6.1.5.5.7.3.3)",
    "emailProtection": "Secure Email (1.3.6.1.5.5.7.3.4)",
    "timeStamping": "Time Stamping (1.3.6.1.5.5.7.3.8)",
    "OCSPSigning": "OCSP Signing (1.3.6.1.5.5.7.3.9)",
    "anyExtendedKeyUsage": "Any Purpose (2.5.29.37.0)",
}


class PathStatus(enum.Enum):
    """The Certification Path tab's verdict, with the Windows chain-status flag it stands for."""

    OK = ("ok", "")
    ISSUER_NOT_FOUND = ("issuer not found", "CERT_TRUST_IS_PARTIAL_CHAIN")
    ROOT_NOT_TRUSTED = ("root not trusted", "CERT_TRUST_IS_UNTRUSTED_ROOT")
    EXPIRED = ("expired", "CERT_TRUST_IS_NOT_TIME_VALID")
    REVOKED = ("revoked", "CERT_TRUST_IS_REVOKED")
    SIGNATURE_INVALID = ("signature invalid", "CERT_TRUST_IS_NOT_SIGNATURE_VALID")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def flag(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class PathElement:
    """One certificate of the path, leaf first, and the store it was found in."""

    subject: str
    thumbprint: str
    store: str  # where the chain engine found it ("" for the certificate itself when not in a store)


@dataclass(frozen=True)
class CertificationPath:
    elements: tuple[PathElement, ...]
    status: PathStatus
    text: str  # the lab's sentence for the status
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status is PathStatus.OK


@dataclass(frozen=True)
class CertificateDialog:
    """What the three tabs show (plain data; widgets and the CLI render it)."""

    general: tuple[tuple[str, str], ...]
    details: tuple[tuple[str, str], ...]
    path: CertificationPath

    def detail(self, name: str) -> str:
        return dict(self.details)[name]


def view(machine: Machine, entry: StoreEntry, *, crl=None, at: dt.datetime | None = None) -> CertificateDialog:
    """Open the Certificate dialog for ``entry``; ``crl`` (a CRL file or object) lets the path show "revoked"."""
    path = certification_path(machine, entry, crl=crl, at=at)
    return CertificateDialog(_general(entry, path), _details(entry), path)


# -- Certification Path ---------------------------------------------------------------------


def visible_stores(location: Location) -> tuple[str, ...]:
    """The stores a context's chain engine searches (see the module docstring)."""
    own = tuple(f"{location.value}\\{k.value}" for k in StoreKind)
    if location is Location.CURRENT_USER:
        return own + tuple(f"LocalMachine\\{k.value}" for k in StoreKind)
    return own


def certification_path(machine: Machine, entry: StoreEntry, *, crl=None, at: dt.datetime | None = None) -> CertificationPath:
    location = entry.store_name.location
    pool = [e for s in visible_stores(location) for e in machine.entries(s)]
    roots = {e.thumbprint for e in pool if e.store.endswith("\\Root")}
    elements, certs, current = [PathElement(_label(entry.certificate), entry.thumbprint, entry.store)], [entry.certificate], entry
    for _ in range(len(pool) + 1):
        cert = current.certificate
        if cert.subject == cert.issuer and _signed_by(cert, cert):
            break
        issuer = _find_issuer(cert, pool, roots)
        if issuer is None:
            return CertificationPath(
                tuple(elements),
                PathStatus.ISSUER_NOT_FOUND,
                f"the issuer of {_label(cert)!r} ({_readable(cert.issuer)}) is in none of the stores {machine.name} "
                f"searches for {location.value}",
                "import the CA certificate (ca_cert.pfx or ca_cert.pem) into Trusted Root Certification Authorities",
            )
        elements.append(PathElement(_label(issuer.certificate), issuer.thumbprint, issuer.store))
        certs.append(issuer.certificate)
        current = issuer
    top = elements[-1]
    if top.thumbprint not in roots:
        return CertificationPath(
            tuple(elements),
            PathStatus.ROOT_NOT_TRUSTED,
            f"the root {top.subject!r} is on {machine.name} (in {top.store}) but not in Trusted Root Certification "
            "Authorities, so nothing it issued is trusted",
            f"import it into {location.value}\\Root (All Tasks > Import on Trusted Root Certification Authorities)",
        )
    return _verified(tuple(elements), certs, crl, at)


def _find_issuer(cert, pool: list[StoreEntry], roots: set[str]) -> StoreEntry | None:
    candidates = [e for e in pool if e.certificate.subject == cert.issuer and _signed_by(cert, e.certificate)]
    candidates.sort(key=lambda e: (e.thumbprint not in roots, not e.store.endswith("\\Root")))  # trusted first
    return candidates[0] if candidates else None


def _verified(elements, certs, crl, at) -> CertificationPath:
    from genesys_lab.checks.verify import Status, verify

    result = verify(certs[0], ca=certs[-1], chain=certs[1:-1], crl=crl, at=at)
    by_name = {c.name: c for c in result.checks}
    for name, status in (("chain signature", PathStatus.SIGNATURE_INVALID), ("validity", PathStatus.EXPIRED)):
        if by_name[name].status is Status.FAIL:
            return CertificationPath(elements, status, by_name[name].reason, by_name[name].remedy)
    revocation = by_name["revocation"]
    if revocation.status is Status.FAIL and "revoked" in revocation.reason.lower():
        return CertificationPath(elements, PathStatus.REVOKED, revocation.reason, revocation.remedy)
    return CertificationPath(
        elements, PathStatus.OK, "This certificate is OK: its chain ends at a trusted root (the lab's wording)"
    )


def _signed_by(cert, issuer) -> bool:
    from genesys_lab.checks.verify import signature_ok

    return signature_ok(cert, issuer.public_key())


# -- General and Details ---------------------------------------------------------------------


def _general(entry: StoreEntry, path: CertificationPath) -> tuple[tuple[str, str], ...]:
    from genesys_lab.x509.describe import describe

    info = describe(entry.certificate)
    purposes = ", ".join(_EKU_NAMES.get(e, e) for e in info.extended_key_usage) or "All application policies (no EKU)"
    rows = [
        ("Certificate Information", "OK" if path.ok else f"{path.status.label}: {path.text}"),
        ("Intended purposes", purposes),
        ("Issued to", _cn(info.subject) or _readable(entry.certificate.subject)),
        ("Issued by", _cn(info.issuer) or _readable(entry.certificate.issuer)),
        ("Valid from", f"{info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}"),
    ]
    if entry.has_private_key:
        rows.append(("Private key", "You have a private key that corresponds to this certificate."))
    if entry.friendly_name:
        rows.append(("Friendly name", entry.friendly_name))
    return tuple(rows)


def _details(entry: StoreEntry) -> tuple[tuple[str, str], ...]:
    from genesys_lab.authority.crl import distribution_points
    from genesys_lab.x509.describe import describe

    cert = entry.certificate
    info = describe(cert)
    rows = [
        ("Version", f"V{cert.version.value + 1}"),
        ("Serial number", info.serial.lower()),
        ("Signature algorithm", info.signature_algorithm),
        ("Issuer", _windows_dn(info.issuer)),
        ("Valid from", f"{info.not_before:%Y-%m-%d %H:%M:%S} UTC"),
        ("Valid to", f"{info.not_after:%Y-%m-%d %H:%M:%S} UTC"),
        ("Subject", _windows_dn(info.subject)),
        ("Public key", f"{info.key_type} ({info.key_size} Bits)"),
    ]
    if info.key_usage:
        rows.append(("Key Usage", ", ".join(info.key_usage)))
    if info.extended_key_usage:
        rows.append(("Enhanced Key Usage", ", ".join(_EKU_NAMES.get(e, e) for e in info.extended_key_usage)))
    if info.san_dns or info.san_ip:
        rows.append(
            (
                "Subject Alternative Name",
                ", ".join([f"DNS Name={d}" for d in info.san_dns] + [f"IP Address={i}" for i in info.san_ip]),
            )
        )
    rows.append(("Basic Constraints", "Subject Type=CA" if info.is_ca else "Subject Type=End Entity"))
    cdps = distribution_points(cert)
    if cdps:
        rows.append(("CRL Distribution Points", ", ".join(cdps)))
    if entry.friendly_name:
        rows.append(("Friendly name", entry.friendly_name))
    rows.append(("Thumbprint", dialog_form(entry.thumbprint)))
    return tuple(rows)


def _windows_dn(fields) -> str:
    """Subject and Issuer as the Details tab lists them: most specific first, ``CN = ...``."""
    return ", ".join(f"{k} = {v}" for k, v in reversed(fields))


def _cn(fields) -> str | None:
    return dict(fields).get("CN")


def _readable(name) -> str:
    from genesys_lab.x509.describe import readable_name

    return readable_name(name)


def _label(cert) -> str:
    from genesys_lab.checks.verify import label

    return label(cert)


# -- the snap-in's list pane ------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One line of MMC's list pane for a store (its columns, plus the thumbprint and the key)."""

    store: str
    issued_to: str
    issued_by: str
    expiration: str
    purposes: str
    friendly_name: str
    has_private_key: bool
    thumbprint: str


def list_rows(machine: Machine, store=None) -> list[ListRow]:
    """The list pane: Issued To, Issued By, Expiration Date, Intended Purposes, Friendly Name."""
    from genesys_lab.x509.describe import describe

    rows = []
    for e in machine.entries(store):
        info = describe(e.certificate)
        purposes = ", ".join(_EKU_NAMES.get(p, p).split(" (")[0] for p in info.extended_key_usage) or "<All>"
        rows.append(
            ListRow(
                e.store,
                _cn(info.subject) or _readable(e.certificate.subject),
                _cn(info.issuer) or _readable(e.certificate.issuer),
                f"{info.not_after:%Y-%m-%d}",
                purposes,
                e.friendly_name or "<None>",
                e.has_private_key,
                e.thumbprint,
            )
        )
    return rows
