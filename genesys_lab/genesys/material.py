"""The files an end's effective options name: certificate, key, trusted CA, CRL.

With the PEM provider the values are file names (S9), relative ones read
from the site file's folder; ``certificate`` may list several, comma-delimited,
leaf first (S8). With MSCAPI (a Windows host) ``certificate`` is a
thumbprint (S9): the lab finds that certificate among the CA's issued ones
(and its ``_priv_key.pem``) so a Windows end can still take part in a real
handshake; the real SChannel would find it in the machine's store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.genesys.model import Effective

THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


@dataclass(frozen=True)
class Material:
    certificate: Path | None = None
    chain: tuple[Path, ...] = ()
    key: Path | None = None
    trusted_ca: Path | None = None
    crl: Path | None = None
    thumbprint: str | None = None


def is_thumbprint(value: str) -> bool:
    return bool(THUMBPRINT.match(value.replace(" ", "")))


def resolve_path(folder: str | None, value: str) -> Path:
    path = Path(value.strip().replace("\\", "/"))
    return path if path.is_absolute() or folder is None else Path(folder) / path


def by_thumbprint(ca, thumbprint: str) -> tuple[Path, Path] | None:
    """(cert, key) of the CA's issued certificate with this SHA-1 thumbprint, or None."""
    if ca is None:
        return None
    from genesys_lab.x509.describe import describe

    wanted = thumbprint.replace(" ", "").lower()
    for record in ca.records():
        host = record.host
        if host is None:
            continue
        cert = ca.paths.repository / f"{record.serial}_{host}_cert.pem"
        if cert.exists() and describe(cert).thumbprint_sha1 == wanted:
            return cert, ca.paths.repository / f"{record.serial}_{host}_priv_key.pem"
    return None


def material(options: dict[str, Effective], folder: str | None, ca=None) -> Material:
    def path(name):
        e = options.get(name)
        return resolve_path(folder, e.value) if e is not None and e.value.strip() else None

    cert_value = options.get("certificate")
    thumb = None
    chain: tuple[Path, ...] = ()
    cert = key = None
    if cert_value is not None and is_thumbprint(cert_value.value):
        thumb = cert_value.value.replace(" ", "").upper()
        found = by_thumbprint(ca, thumb)
        if found:
            cert, key = found
            chain = (cert,)
    elif cert_value is not None and cert_value.value.strip():
        chain = tuple(resolve_path(folder, part) for part in cert_value.value.split(",") if part.strip())
        cert = chain[0] if chain else None
        key = path("certificate-key")
    trusted = options.get("trusted-ca")
    trusted_path = None
    if trusted is not None and is_thumbprint(trusted.value):
        trusted_path = _ca_by_thumbprint(ca, trusted.value)
    else:
        trusted_path = path("trusted-ca")
    return Material(cert, chain, key, trusted_path, path("tls-crl"), thumb)


def _ca_by_thumbprint(ca, thumbprint: str) -> Path | None:
    if ca is None:
        return None
    from genesys_lab.x509.describe import describe

    same = describe(ca.paths.cert).thumbprint_sha1 == thumbprint.replace(" ", "").lower()
    return ca.paths.cert if same else None
