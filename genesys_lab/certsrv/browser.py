"""The browser's machine: where the key pair is made, kept while the request waits, and installed with its certificate.

On Windows, the web enrollment pages do not make keys on the server: their
script drives the Certificate Enrollment Control (CertEnroll) on the
computer that runs the browser. It creates the key pair in that computer's
cryptographic provider (in a key container, named automatically or by the
user), builds and signs the PKCS#10 request, and later receives the issued
certificate and stores it in a certificate store ("Using Certificate
Enrollment Control",
https://learn.microsoft.com/en-us/windows/win32/seccrypto/using-certificate-enrollment-control;
IX509Enrollment::Enroll "may create a key pair",
https://learn.microsoft.com/en-us/windows/win32/api/certenroll/nf-certenroll-ix509enrollment-enroll).
A browser without CertEnroll (Chromium here) cannot do that, so this module
plays its part: it runs beside the web pages but only ever hands the CA the
request, never the key.

Keys of the requests this browser made live in ``<machine>.certenroll/``
next to the simulated machine (mode 0600, one file per key container),
where CertEnroll would keep them in the user's key containers; each file is
written whole (``store.write_atomic``) under that folder's own lock. "Install
this certificate" puts the certificate with its key into ``CurrentUser\\My``
of the simulated Windows machine (``genesys_lab.windows``), with the
exportable flag chosen in the form.

``_windows()`` is the one place that imports ``genesys_lab.windows``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError

PERSONAL_STORE = "CurrentUser\\My"
_CONTAINER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._{}-]{0,63}$")


def _windows():
    """The simulated Windows room (new_machine, load_machine); a clear error if it is not installed."""
    try:
        import genesys_lab.windows as windows
    except ImportError:
        raise GenesysLabError(
            "the simulated Windows machine (genesys_lab.windows) is not part of this installation: update genesys-lab"
        ) from None
    return windows


@dataclass(frozen=True)
class KeyOptions:
    """The form's Key Options: new key set, size, container name (automatic or given), exportable."""

    key_size: int = 2048
    container: str | None = None  # None = automatic key container name
    exportable: bool = False

    def container_name(self) -> str:
        if self.container is None:
            return "le-" + uuid.uuid4().hex
        name = self.container.strip()
        if not _CONTAINER.match(name):
            raise UsageError(
                f"key container name {name[:40]!r} may hold letters, digits, spaces and . _ - {{ }} (up to 64): choose another"
            )
        return name


@dataclass(frozen=True)
class PendingKey:
    request_id: int
    container: str
    exportable: bool
    friendly_name: str
    installed: bool = False


class Browser:
    """One browser on one simulated Windows machine (``--machine``)."""

    def __init__(self, machine_path: Path | str, *, fqdn: str | None = None):
        self.machine_path = Path(machine_path)
        self.keys_dir = self.machine_path.parent / f"{self.machine_path.name}.certenroll"
        self._fqdn = fqdn

    @property
    def fqdn(self) -> str:
        """The machine's DNS name: what a "Build from this Active Directory information" template writes."""
        return self._fqdn or f"{self.machine_path.name}.lab.example"

    @property
    def requester(self) -> str:
        return self.fqdn

    @property
    def computer_name(self) -> str:
        """A Windows computer name for a new machine: the folder's name, 1-15 letters, digits, hyphens."""
        name = re.sub(r"[^A-Za-z0-9-]", "-", self.machine_path.name).strip("-")[:15]
        return (name or "BROWSER").upper()

    def machine_name(self) -> str:
        """The machine's computer name as Windows shows it (``DESK01``)."""
        return str(getattr(self.machine(), "name", self.computer_name))

    def machine(self):
        """The browser's simulated Windows machine, created (empty stores) on first use."""
        windows = _windows()
        if self.machine_path.is_dir() and any(self.machine_path.iterdir()):
            return windows.load_machine(self.machine_path)
        return windows.new_machine(self.machine_path, self.computer_name)

    # -- making the request (CertEnroll's part) ----------------------------
    def make_request(self, host: str, options: KeyOptions, *, digest: str = "sha256", **subject):
        """A new key pair and a PKCS#10 request signed with it: returns (request PEM, container, key).

        Nothing is written yet: the key is kept (``keep``) only once the CA
        has accepted the request, so a refused request leaves no key behind.
        """
        from cryptography.hazmat.primitives.serialization import Encoding

        from genesys_lab.certsrv.pkcs10 import build_request
        from genesys_lab.x509 import keys

        bits = keys.check_key_size(options.key_size)
        container = self.check_container(options)
        key = keys.generate_rsa_key(bits)
        csr = build_request(host, key=key, digest=digest, **subject)
        return csr.public_bytes(Encoding.PEM), container, key

    def check_container(self, options: KeyOptions) -> str:
        container = options.container_name()
        if self._key_file(container).exists():
            raise UsageError(f"key container {container!r} already exists on this machine: choose another name, or Automatic")
        return container

    def keep(self, request_id: int, container: str, key, *, exportable: bool, friendly_name: str) -> None:
        """Keep the key in its container and remember which request it belongs to, in one transaction."""
        from genesys_lab.authority import store
        from genesys_lab.x509 import keys

        with self._lock(), store.transaction(self.keys_dir, f"keep the key of request {request_id}") as tx:
            if self._key_file(container).exists():
                raise UsageError(f"key container {container!r} already exists on this machine: choose another name, or Automatic")
            tx.create(self._key_file(container), keys.pkcs1_pem(key), 0o600)
            rows = self._pending()
            rows[str(request_id)] = PendingKey(request_id, container, exportable, friendly_name).__dict__
            self._stage_pending(tx, rows)

    def requests(self) -> dict[int, PendingKey]:
        return {int(k): PendingKey(**v) for k, v in self._pending().items()}

    def pending_key(self, request_id: int) -> PendingKey:
        row = self._pending().get(str(request_id))
        if row is None:
            raise UsageError(
                f"this browser holds no key for request {request_id}: it was made elsewhere (or as a Base64 request)"
            )
        return PendingKey(**row)

    def export_pfx(self, request_id: int, certificate, password: str) -> bytes:
        """Export the key of a request with its certificate as a .pfx, if its export policy allows it.

        CertEnroll writes the key's export policy when it creates the key
        (IX509PrivateKey.ExportPolicy; "Export is not allowed" is the
        default, XCN_NCRYPT_ALLOW_EXPORT_FLAG allows it), and the provider
        enforces it from then on: a key made without "Mark keys as
        exportable" cannot be moved to another computer. X509PrivateKeyExportFlags,
        https://learn.microsoft.com/en-us/windows/desktop/api/CertEnroll/ne-certenroll-x509privatekeyexportflags
        """
        from genesys_lab.formats.pkcs12 import build_pkcs12
        from genesys_lab.x509 import keys

        pending = self.pending_key(request_id)
        if not pending.exportable:
            raise GenesysLabError(
                f"the private key of request {request_id} (container {pending.container}) was made non-exportable: "
                "it cannot leave this machine; request a new certificate with 'Mark keys as exportable'"
            )
        key = keys.load_private_key_file(self._key_file(pending.container))
        return build_pkcs12(key, certificate, password=password, friendly_name=pending.friendly_name or None)

    # -- installing (the "Install this certificate" link) ------------------
    def install(self, request_id: int, certificate) -> object:
        """Put the certificate with its key into CurrentUser\\My; returns the store entry."""
        from genesys_lab.x509 import keys

        pending = self.pending_key(request_id)
        key = keys.load_private_key_file(self._key_file(pending.container))
        if not keys.matches(key, certificate):
            raise GenesysLabError(f"the certificate of request {request_id} does not belong to key container {pending.container}")
        machine = self.machine()
        machine.add_certificate(
            PERSONAL_STORE,
            certificate,
            key,
            exportable=pending.exportable,
            friendly_name=pending.friendly_name,
            container=pending.container,
        )
        with self._lock():
            rows = self._pending()
            rows[str(request_id)]["installed"] = True
            self._write_pending(rows)
        thumbprint = certificate.fingerprint(_sha1()).hex().upper()
        return next(e for e in machine.entries(PERSONAL_STORE) if e.thumbprint == thumbprint)

    # -- files (through the lab's transaction) -----------------------------
    def _key_file(self, container: str) -> Path:
        return self.keys_dir / f"{container}.key.pem"

    def _lock(self):
        """The browser folder's lock (authority.journal's: it recovers a change a kill interrupted)."""
        from genesys_lab.authority import store

        self.keys_dir.mkdir(mode=0o700, exist_ok=True)
        return store.locked(self.keys_dir)

    def _pending(self) -> dict:
        path = self.keys_dir / "requests.json"
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise GenesysLabError(f"{path} is damaged: remove it (the pending keys beside it stay)") from None

    def _write_pending(self, rows: dict) -> None:
        from genesys_lab.authority import store

        with self._lock(), store.transaction(self.keys_dir, "pending keys") as tx:
            self._stage_pending(tx, rows)

    def _stage_pending(self, tx, rows: dict) -> None:
        path, data = self.keys_dir / "requests.json", (json.dumps(rows, indent=1) + "\n").encode()
        if tx.exists(path):
            tx.replace(path, data, 0o600)
        else:
            tx.create(path, data, 0o600)


def _sha1():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA1()
