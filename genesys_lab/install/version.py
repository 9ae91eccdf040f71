"""README.version: everything a security support case needs to know about the installed pack.

The guide asks that the contents of the Security Pack's ``README.version``
be pasted into every security-related issue report, because the exact
versions are hard to find otherwise. The lab's equivalent records its own
version and commit (when it runs from a git checkout), Python, the
cryptography package, the OpenSSL library both of them are linked with,
whether an OpenSSL FIPS provider is installed, and the operating system.

A FIPS provider in OpenSSL 3 is the module ``fips.so`` in the modules
folder that ``openssl version -m`` names (OpenSSL, fips_module(7)); whether
it is *enabled* is a separate question that cryptography answers.
"""

from __future__ import annotations

import platform
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VersionReport:
    lab_version: str
    lab_commit: str | None
    python: str
    cryptography: str
    openssl_python: str
    openssl_cryptography: str
    fips_provider: str
    fips_enabled: bool
    operating_system: str

    def items(self) -> list[tuple[str, str]]:
        return [
            ("genesys_lab", self.lab_version + (f" (commit {self.lab_commit})" if self.lab_commit else " (commit unknown: not a git checkout)")),
            ("Python", self.python),
            ("cryptography", self.cryptography),
            ("OpenSSL (Python ssl)", self.openssl_python),
            ("OpenSSL (cryptography)", self.openssl_cryptography),
            ("FIPS provider", self.fips_provider),
            ("FIPS mode enabled", "yes" if self.fips_enabled else "no"),
            ("Operating system", self.operating_system),
        ]

    def text(self) -> str:
        width = max(len(k) for k, _ in self.items())
        lines = ["genesys_lab Security Pack: paste this whole file into any security-related support case.", ""]
        lines += [f"{key.ljust(width)}  {value}" for key, value in self.items()]
        return "\n".join(lines) + "\n"


def _commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    proc = subprocess.run([git, "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def _fips_provider() -> str:
    openssl = shutil.which("openssl")
    if openssl is None:
        return "unknown (no openssl command to ask for the modules folder)"
    proc = subprocess.run([openssl, "version", "-m"], capture_output=True, text=True)
    text = proc.stdout.strip()
    folder = text.split(":", 1)[1].strip().strip('"') if ":" in text else ""
    if not folder:
        return "unknown (openssl version -m printed no modules folder)"
    module = Path(folder) / "fips.so"
    return f"installed ({module})" if module.is_file() else f"not installed (no fips.so in {folder})"


def version_report() -> VersionReport:
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    from genesys_lab import __version__

    return VersionReport(
        lab_version=__version__,
        lab_commit=_commit(),
        python=f"{platform.python_version()} ({platform.python_implementation()})",
        cryptography=cryptography.__version__,
        openssl_python=ssl.OPENSSL_VERSION,
        openssl_cryptography=backend.openssl_version_text(),
        fips_provider=_fips_provider(),
        fips_enabled=bool(getattr(backend, "_fips_enabled", False)),
        operating_system=f"{platform.system()} {platform.release()} ({platform.machine()})",
    )
