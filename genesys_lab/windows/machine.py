"""A simulated Windows computer: its certificate stores in a folder.

Layout of a machine folder (everything written through ``authority.store``'s
crash-safe transaction, under the folder's lock)::

    machine.json          computer name, Windows version, interactive user, and every store entry
    certs/<THUMBPRINT>.cer   each certificate once, DER, as Windows keeps the encoded blob
    keys/<container>.key     each private key, PKCS#8 PEM, mode 0600 (keys/ is 0700)

A store entry is what Windows keeps per certificate in a store: the
certificate, its friendly name (a property of the store entry, not of the
certificate; https://learn.microsoft.com/en-us/dotnet/api/system.security.cryptography.x509certificates.x509certificate2.friendlyname),
whether a private key is linked to it and in which key container, whether
that key was imported as exportable (Import-PfxCertificate's ``-Exportable``;
https://learn.microsoft.com/en-us/powershell/module/pki/import-pfxcertificate),
and which accounts may read the key: the permission MMC sets with
"All Tasks > Manage Private Keys", the ACL on the key's file under
``%ProgramData%\\Microsoft\\Crypto`` (the MachineKeys permissions that
https://learn.microsoft.com/en-us/troubleshoot/iis/cannot-import-ssl-pfx-local-certificate
describes). Which accounts Windows puts on a new key's ACL by default is
not spelled out in the documentation the lab found; the lab assumes SYSTEM
and Administrators for a computer key and the user for a user key, and says
so wherever it reports readers.

``add_certificate`` is the low-level step (no wizard rules); the wizards are
``windows.importing`` and ``windows.exporting``.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from genesys_lab.errors import UsageError
from genesys_lab.windows import _tx
from genesys_lab.windows.errors import AmbiguousThumbprintError, MachineError, NotInStoreError
from genesys_lab.windows.stores import ALL_STORES, Location, StoreName, parse_store
from genesys_lab.windows.thumbprints import normalize, thumbprint
from genesys_lab.windows.versions import WindowsVersion

if TYPE_CHECKING:
    from cryptography import x509

FORMAT = "genesys-lab simulated Windows machine"
MACHINE_FILE = "machine.json"
KEY_MODE = 0o600

#: Who may read a new key before anyone uses "Manage Private Keys" (the lab's assumption, see above).
MACHINE_KEY_DEFAULT_READERS = ("SYSTEM", "Administrators")

_COMPUTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,14}")
_CONTAINER = re.compile(r"[A-Za-z0-9{][A-Za-z0-9{}._-]{0,99}")
_ACCOUNT = re.compile(r"[^\x00-\x1f\"/\[\]:|<>+=;,?*@]{1,104}")


@dataclass(frozen=True)
class StoreEntry:
    """One certificate in one store, with the properties Windows keeps beside it."""

    store: str  # "LocalMachine\\My"
    thumbprint: str  # 40 upper-case hex digits
    certificate: x509.Certificate = field(repr=False, compare=False)
    friendly_name: str = ""
    has_private_key: bool = False
    exportable: bool = False
    container: str | None = None
    key_readers: tuple[str, ...] = ()

    @property
    def store_name(self) -> StoreName:
        return parse_store(self.store)

    @property
    def der(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate.public_bytes(Encoding.DER)


@dataclass(frozen=True)
class Addition:
    """One certificate to put into one store (see ``Machine.add_certificates``)."""

    store: object  # StoreName or its text
    certificate: object
    key: object | None = None
    exportable: bool = False
    friendly_name: str = ""
    container: str | None = None
    key_readers: tuple[str, ...] = ()


def default_readers(store: StoreName, user: str) -> tuple[str, ...]:
    return MACHINE_KEY_DEFAULT_READERS if store.location is Location.LOCAL_MACHINE else (user,)


def check_computer_name(name: str) -> str:
    """NetBIOS computer names: 1 to 15 letters, digits or hyphens
    (https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/naming-conventions-for-computer-domain-site-ou)."""
    text = str(name).strip()
    if not _COMPUTER_NAME.fullmatch(text):
        raise UsageError(f"computer name {name!r} is not a Windows computer name: 1-15 letters, digits or hyphens, e.g. WS01")
    return text.upper()


def check_account(name: str) -> str:
    text = str(name).strip()
    if not _ACCOUNT.fullmatch(text):
        raise UsageError(
            f"account {name!r} is not a Windows account name: e.g. 'NT AUTHORITY\\NETWORK SERVICE' or 'LAB\\svc-genesys'"
        )
    return text


class Machine:
    """A machine folder, loaded. ``read_only`` for the "Another computer" view."""

    def __init__(self, folder: Path, data: dict, entries: list[StoreEntry], *, read_only: bool = False):
        self.folder = folder
        self.name: str = data["computer"]
        self.version = WindowsVersion.parse(data["windows"])
        self.user: str = data["user"]
        self.read_only = read_only
        self._entries = entries

    def __repr__(self) -> str:
        return f"<Machine {self.name} ({self.version.title}) at {self.folder}, {len(self._entries)} store entries>"

    # -- reading -----------------------------------------------------------------

    def entries(self, store=None) -> list[StoreEntry]:
        """The entries of one store (``"LocalMachine\\My"``), or of all, in store order then as added."""
        if store is None:
            return list(self._entries)
        wanted = str(parse_store(store))
        return [e for e in self._entries if e.store == wanted]

    def find(self, thumb: str, store=None) -> StoreEntry:
        """The one entry with this thumbprint (pasted text is normalised); refuses none or several."""
        value = normalize(thumb).value
        found = [e for e in self.entries(store) if e.thumbprint == value]
        where = f"in {parse_store(store)}" if store is not None else f"in any store of {self.name}"
        if not found:
            raise NotInStoreError(f"no certificate with thumbprint {value} {where}: list them with 'genesys-lab windows list'")
        if len(found) > 1:
            stores = ", ".join(e.store for e in found)
            raise AmbiguousThumbprintError(f"thumbprint {value} is in {stores}: name the store (--store)")
        return found[0]

    def private_key(self, entry: StoreEntry):
        """The key object linked to an entry (for the export wizard and for TLS tests)."""
        if not entry.has_private_key or entry.container is None:
            raise MachineError(f"{entry.thumbprint} in {entry.store} has no private key on {self.name}")
        return _load_key(self.folder, entry.container, entry.certificate)

    def reload(self) -> Machine:
        return load_machine(self.folder, read_only=self.read_only)

    # -- changing ----------------------------------------------------------------

    def add_certificate(
        self,
        store,
        certificate,
        key=None,
        *,
        exportable: bool = False,
        friendly_name: str = "",
        container: str | None = None,
        key_readers=(),
    ) -> StoreEntry:
        """Put a certificate (and its key) into a store: low level, no wizard rules; one crash-safe change.

        A certificate already in that store is not added twice: the existing
        entry is returned, and gains the key if it had none (as importing a
        .pfx over a certificate-only entry does on Windows).
        """
        spec = Addition(store, certificate, key, exportable, friendly_name, container, tuple(key_readers))
        return self.add_certificates([spec])[0]

    def add_certificates(self, additions) -> list[StoreEntry]:
        """Several ``Addition``s as one crash-safe change: all land, or none does (the import wizard's Finish)."""
        self.require_writable()
        checked = [_checked(a) for a in additions]
        label = "add " + ", ".join(f"{thumbprint(_der(a.certificate))} to {a.store}" for a in checked)
        with _tx.change(self.folder, label[:200]) as tx:
            data = _read_index(self.folder)
            items = [_add(tx, self.folder, data, a) for a in checked]
            tx.replace(self.folder / MACHINE_FILE, _index_bytes(data))
        self._refresh()
        return [next(e for e in self.entries(i["store"]) if e.thumbprint == i["thumbprint"]) for i in items]

    def grant_key_access(self, entry: StoreEntry, account: str) -> StoreEntry:
        """MMC's "Manage Private Keys... > Add > Read": let ``account`` read the entry's key."""
        self.require_writable()
        account = check_account(account)
        if not entry.has_private_key:
            raise MachineError(f"{entry.thumbprint} in {entry.store} has no private key: there is nothing to grant")

        def change(item: dict) -> None:
            if account.lower() not in (a.lower() for a in item["key_readers"]):
                item["key_readers"].append(account)

        return self._update(entry, change, f"grant {account} read on the key of {entry.thumbprint}")

    def delete_key(self, entry: StoreEntry) -> StoreEntry:
        """Remove an entry's private key (the Export Wizard's "Delete the private key if the export is successful").

        The key file is emptied in the same transaction that unlinks it from
        the entry; the emptied file is removed once that change is committed.
        """
        self.require_writable()
        container = entry.container
        if container is None:
            return entry

        def change(item: dict) -> None:
            item["container"], item["exportable"], item["key_readers"] = None, False, []

        with _tx.change(self.folder, f"delete the key of {entry.thumbprint}") as tx:
            data = _read_index(self.folder)
            still_used = [i for i in data["entries"] if i["container"] == container and i["store"] != entry.store]
            updated = self._apply(tx, data, entry, change)
            if not still_used:
                tx.replace(self.folder / "keys" / f"{container}.key", b"", KEY_MODE)
        _sweep_empty_keys(self.folder)
        self._refresh()
        return updated

    def _update(self, entry: StoreEntry, change, label: str) -> StoreEntry:
        with _tx.change(self.folder, label) as tx:
            data = _read_index(self.folder)
            updated = self._apply(tx, data, entry, change)
        self._refresh()
        return updated

    def _apply(self, tx, data: dict, entry: StoreEntry, change) -> StoreEntry:
        for item in data["entries"]:
            if item["store"] == entry.store and item["thumbprint"] == entry.thumbprint:
                change(item)
                tx.replace(self.folder / MACHINE_FILE, _index_bytes(data))
                return _entry(item, entry.certificate)
        raise NotInStoreError(f"{entry.thumbprint} is no longer in {entry.store} on {self.name}: list the store again")

    def require_writable(self) -> None:
        """Refuse a change on a machine opened as another computer."""
        if self.read_only:
            raise MachineError(
                f"{self.name} is open as another computer (read-only): make changes on that machine itself (load_machine)"
            )

    def _refresh(self) -> None:
        self._entries = load_machine(self.folder)._entries


# -- creating and loading -----------------------------------------------------------


def new_machine(folder, name: str, version="2019", *, user: str = "labuser") -> Machine:
    """A new simulated computer with six empty stores in ``folder`` (which must not exist or be empty)."""
    folder = Path(folder)
    computer = check_computer_name(name)
    windows = WindowsVersion.parse(version)
    user = check_account(user)
    if (folder / MACHINE_FILE).exists():
        raise MachineError(f"{folder} already holds the machine {_peek_name(folder)}: load it, or choose another folder")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise MachineError(f"{folder} exists and is not an empty folder: give a new folder for the machine")
    for sub, mode in (("", 0o755), ("certs", 0o755), ("keys", 0o700)):
        path = folder / sub
        path.mkdir(mode=mode, parents=(sub == ""), exist_ok=True)
        os.chmod(path, mode)  # a folder, not a key: makes the mode exact whatever the umask
    data = {"format": FORMAT, "format_version": 1, "computer": computer, "windows": windows.value, "user": user, "entries": []}
    with _tx.change(folder, f"create machine {computer}") as tx:
        tx.create(folder / MACHINE_FILE, _index_bytes(data))
    return load_machine(folder)


def load_machine(folder, *, read_only: bool = False) -> Machine:
    """Open a machine folder; a folder that is not one, or damaged files, is a MachineError naming the file."""
    folder = Path(folder)
    data = _read_index(folder)
    entries = []
    for item in data["entries"]:
        cert = _load_cert(folder, item["thumbprint"])
        if item["container"] is not None:
            _load_key(folder, item["container"], cert)
        entries.append(_entry(item, cert))
    order = {str(s): i for i, s in enumerate(ALL_STORES)}
    entries.sort(key=lambda e: order[e.store])
    return Machine(folder, data, entries, read_only=read_only)


def open_remote(folder) -> Machine:
    """MMC's "Another computer": the stores of another machine, to look at only."""
    return load_machine(folder, read_only=True)


# -- the files ------------------------------------------------------------------------


def _read_index(folder: Path) -> dict:
    path = folder / MACHINE_FILE
    if not folder.is_dir():
        raise MachineError(
            f"{folder} is not a folder: create a machine with 'genesys-lab windows new-machine {folder} --name WS01'"
        )
    try:
        data = json.loads(_tx.read_bytes(path).decode("utf-8"))
    except FileNotFoundError:
        raise MachineError(
            f"{folder} is not a simulated Windows machine (no {MACHINE_FILE}): create one with "
            f"'genesys-lab windows new-machine {folder} --name WS01'"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MachineError(f"{path} cannot be read ({exc}): restore the machine folder or create a new machine") from None
    _check_index(data, path)
    return data


def _check_index(data, path: Path) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MachineError(f"{path} is not a genesys-lab machine file: create a machine with 'genesys-lab windows new-machine'")
    try:
        check_computer_name(data["computer"])
        WindowsVersion.parse(data["windows"])
        stores = {str(s) for s in ALL_STORES}
        for item in data["entries"]:
            ok = (
                item["store"] in stores
                and re.fullmatch(r"[0-9A-F]{40}", item["thumbprint"])
                and (item["container"] is None or _CONTAINER.fullmatch(item["container"]))
                and isinstance(item["friendly_name"], str)
                and isinstance(item["exportable"], bool)
                and all(isinstance(a, str) for a in item["key_readers"])
            )
            if not ok:
                raise MachineError(f"{path}: the entry {item!r:.80} is damaged: restore the machine folder")
    except (KeyError, TypeError, UsageError) as exc:
        raise MachineError(f"{path} is damaged ({exc}): restore the machine folder or create a new machine") from None


def _index_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _peek_name(folder: Path) -> str:
    try:
        return str(json.loads((folder / MACHINE_FILE).read_text(encoding="utf-8")).get("computer", "?"))
    except (OSError, ValueError, AttributeError):
        return "(unreadable)"


def _load_cert(folder: Path, thumb: str):
    from cryptography import x509

    path = folder / "certs" / f"{thumb}.cer"
    try:
        der = _tx.read_bytes(path)
        cert = x509.load_der_x509_certificate(der)
    except FileNotFoundError:
        raise MachineError(f"{path} is missing: the machine folder is damaged; restore it") from None
    except ValueError:
        raise MachineError(f"{path} is not a DER certificate: the machine folder is damaged; restore it") from None
    if thumbprint(der) != thumb:
        raise MachineError(f"{path} does not hold the certificate with thumbprint {thumb}: restore the machine folder")
    return cert


def _load_key(folder: Path, container: str, cert):
    from genesys_lab.errors import GenesysLabError
    from genesys_lab.x509.keys import load_private_key, matches

    path = folder / "keys" / f"{container}.key"
    try:
        key = load_private_key(_tx.read_bytes(path), source=str(path), check=False)
    except FileNotFoundError:
        raise MachineError(f"{path} is missing: the key of this entry is gone; import the .pfx again") from None
    except GenesysLabError:
        raise MachineError(f"{path} is not a private key: the machine folder is damaged; import the .pfx again") from None
    if not matches(key, cert):
        raise MachineError(
            f"{path} does not match its certificate {thumbprint(_der(cert))}: the key file was replaced; import the .pfx again"
        )
    return key


def _entry(item: dict, cert) -> StoreEntry:
    return StoreEntry(
        store=item["store"],
        thumbprint=item["thumbprint"],
        certificate=cert,
        friendly_name=item["friendly_name"],
        has_private_key=item["container"] is not None,
        exportable=bool(item["exportable"]) and item["container"] is not None,
        container=item["container"],
        key_readers=tuple(item["key_readers"]),
    )


def _checked(a: Addition) -> Addition:
    """Refuse bad input before anything is written."""
    name = parse_store(a.store)
    cert = _as_certificate(a.certificate)
    if a.key is not None:
        _check_key(a.key, cert)
    if a.container is not None and not _CONTAINER.fullmatch(a.container):
        raise UsageError(f"key container name {a.container!r}: use letters, digits, braces, dots, hyphens (e.g. a GUID)")
    readers = tuple(check_account(r) for r in a.key_readers)
    return Addition(name, cert, a.key, bool(a.exportable), str(a.friendly_name or ""), a.container, readers)


def _add(tx, folder: Path, data: dict, a: Addition) -> dict:
    der = _der(a.certificate)
    thumb = thumbprint(der)
    cert_file = folder / "certs" / f"{thumb}.cer"
    if not _tx.exists(tx, cert_file):
        tx.create(cert_file, der)
    store = str(a.store)
    existing = next((i for i in data["entries"] if i["store"] == store and i["thumbprint"] == thumb), None)
    if existing is not None and (a.key is None or existing["container"] is not None):
        return existing
    item = existing or {"store": store, "thumbprint": thumb, "friendly_name": a.friendly_name, "container": None}
    item.update(exportable=False, key_readers=[])
    if a.key is not None:
        item["container"] = a.container or str(uuid.uuid4())
        item["exportable"] = a.exportable
        item["key_readers"] = list(dict.fromkeys((*default_readers(parse_store(store), data["user"]), *a.key_readers)))
        tx.create(folder / "keys" / f"{item['container']}.key", _key_pem(a.key), KEY_MODE)
    if existing is None:
        data["entries"].append(item)
    return item


def _sweep_empty_keys(folder: Path) -> None:
    """Remove key files emptied by a committed ``delete_key`` (they hold nothing; a kill may leave one)."""
    keys = folder / "keys"
    for path in keys.glob("*.key"):
        try:
            if path.stat().st_size == 0:
                path.unlink()
        except FileNotFoundError:
            pass


def _as_certificate(certificate):
    from genesys_lab.checks.verify import as_certificate

    return as_certificate(certificate)


def _check_key(key, cert) -> None:
    from genesys_lab.x509.keys import matches

    if not hasattr(key, "private_bytes") or not hasattr(key, "public_key"):
        raise UsageError(f"expected a private key object, got {type(key).__name__}")
    if not matches(key, cert):
        raise UsageError(
            f"the private key does not belong to the certificate {thumbprint(_der(cert))}: give the key of that certificate"
        )


def _der(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def _key_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
