"""The file names of ``ca_conf/repository/``: one place that knows them.

The Security Pack's create_cert.sh writes four files per certificate (the
guide's "What You Need" chapter lists them): ``<SERIAL>.pem`` (what
``openssl ca`` itself keeps), ``<SERIAL>_<host>_cert.pem``,
``<SERIAL>_<host>_priv_key.pem`` and ``<SERIAL>_<host>_cert.pfx``, where
``<host>`` is the first label of the host name. Issuing, listing, the TLS
handshakes, the demonstration samples and the exercises all ask this module
instead of spelling the names themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.x509.names import short_host

CERT_SUFFIX = "_cert.pem"
KEY_SUFFIX = "_priv_key.pem"
PFX_SUFFIX = "_cert.pfx"


@dataclass(frozen=True)
class HostFiles:
    """The files of one certificate: certificate, key and .pfx by host, and OpenSSL's serial copy."""

    cert: Path
    key: Path
    pfx: Path
    serial_copy: Path | None = None

    @property
    def all(self) -> tuple[Path, ...]:
        """In the order create_cert.sh reports them: the serial copy first."""
        return tuple(p for p in (self.serial_copy, self.cert, self.key, self.pfx) if p is not None)


def pair_names(folder: Path | str, stem: str) -> HostFiles:
    """``<stem>_cert.pem``, ``<stem>_priv_key.pem`` and ``<stem>_cert.pfx`` in ``folder`` (no serial copy).

    Scratch folders (samples, scenarios) use the same suffixes as the CA, so a
    learner recognises which file is the key.
    """
    base = Path(folder) / stem
    return HostFiles(Path(f"{base}{CERT_SUFFIX}"), Path(f"{base}{KEY_SUFFIX}"), Path(f"{base}{PFX_SUFFIX}"))


def host_files(repository: Path, serial: str, host: str) -> HostFiles:
    """The four files create_cert.sh writes for ``serial`` and the host name ``host`` (full or short)."""
    pair = pair_names(repository, f"{serial}_{short_host(host)}")
    return HostFiles(pair.cert, pair.key, pair.pfx, repository / f"{serial}.pem")


def serial_copy(repository: Path, serial: str) -> Path:
    """``<SERIAL>.pem``: the copy ``openssl ca`` keeps of every certificate it signs."""
    return repository / f"{serial}.pem"


def files_of(repository: Path, serial: str, names: list[str] | None = None) -> tuple[Path, ...]:
    """Every repository file of ``serial``: the host certificate first, the serial copy last.

    ``names`` is the folder's listing when the caller already has it (``index``), so that
    listing a CA of n certificates reads the folder once instead of n times.
    """
    names = sorted(os.listdir(repository)) if names is None else names
    prefix = f"{serial}_"
    mine = [n for n in names if n.startswith(prefix)]
    files = [n for n in mine if n.endswith(CERT_SUFFIX)] + [n for n in mine if not n.endswith(CERT_SUFFIX)]
    if f"{serial}.pem" in names:
        files.append(f"{serial}.pem")
    return tuple(repository / n for n in files)


def index(repository: Path) -> dict[str, tuple[Path, ...]]:
    """{serial: its files} for every serial with a file in the folder, from one listing of it."""
    try:
        names = sorted(os.listdir(repository))
    except FileNotFoundError:
        return {}
    by_serial: dict[str, list[str]] = {}
    for name in names:
        serial = name.split("_", 1)[0] if "_" in name else name.removesuffix(".pem")
        by_serial.setdefault(serial, []).append(name)
    return {serial: files_of(repository, serial, group) for serial, group in by_serial.items()}


def host_of(files: tuple[Path, ...], serial: str) -> str | None:
    """The ``<host>`` part of ``<SERIAL>_<host>_cert.pem`` among ``files``, when there is one."""
    for path in files:
        if path.name.startswith(f"{serial}_") and path.name.endswith(CERT_SUFFIX):
            return path.name[len(serial) + 1 : -len(CERT_SUFFIX)]
    return None
