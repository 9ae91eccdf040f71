"""The six certificate stores the lab simulates, and the names people type for them.

Windows keeps certificates in system stores per *location*: the computer's
(``LocalMachine``, MMC's "Certificates (Local Computer)") and each user's
(``CurrentUser``, "Certificates - Current User"). In each, ``My`` is shown as
"Personal", ``Root`` as "Trusted Root Certification Authorities" and ``CA``
as "Intermediate Certification Authorities". PowerShell's certificate
provider names them ``Cert:\\LocalMachine\\My`` and so on.

Sources: "System Store Locations" and "System Store" names in the Win32
documentation (https://learn.microsoft.com/en-us/windows/win32/seccrypto/system-store-locations);
the PowerShell certificate provider
(https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.security/about/about_certificate_provider).
Windows has more stores (TrustedPeople, Disallowed, ...); the Genesys guide
uses only these three, so the lab simulates only them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from genesys_lab.errors import UsageError


class Location(enum.Enum):
    """Whose stores: the computer's (server applications) or the user's (desktop applications)."""

    LOCAL_MACHINE = "LocalMachine"
    CURRENT_USER = "CurrentUser"

    @property
    def console_name(self) -> str:
        """The MMC snap-in's name for the location's tree."""
        return "Certificates (Local Computer)" if self is Location.LOCAL_MACHINE else "Certificates - Current User"

    @property
    def certutil_flag(self) -> str:
        """certutil works on the machine's stores by default and on the user's with ``-user``."""
        return "" if self is Location.LOCAL_MACHINE else "-user "


class StoreKind(enum.Enum):
    """The store within a location, by its system name."""

    MY = "My"
    ROOT = "Root"
    CA = "CA"

    @property
    def display_name(self) -> str:
        return _DISPLAY[self]


_DISPLAY = {
    StoreKind.MY: "Personal",
    StoreKind.ROOT: "Trusted Root Certification Authorities",
    StoreKind.CA: "Intermediate Certification Authorities",
}

_ALIASES = {
    "my": StoreKind.MY,
    "personal": StoreKind.MY,
    "root": StoreKind.ROOT,
    "trusted root certification authorities": StoreKind.ROOT,
    "trusted root": StoreKind.ROOT,
    "ca": StoreKind.CA,
    "intermediate": StoreKind.CA,
    "intermediate certification authorities": StoreKind.CA,
    "certificateauthority": StoreKind.CA,
}
_LOCATIONS = {
    "localmachine": Location.LOCAL_MACHINE,
    "local computer": Location.LOCAL_MACHINE,
    "currentuser": Location.CURRENT_USER,
    "current user": Location.CURRENT_USER,
}


@dataclass(frozen=True, order=True)
class StoreName:
    """One store: ``LocalMachine\\My`` and friends."""

    location: Location
    kind: StoreKind

    def __str__(self) -> str:
        return f"{self.location.value}\\{self.kind.value}"

    @property
    def ps_path(self) -> str:
        """PowerShell's path for the store (``Cert:\\LocalMachine\\My``)."""
        return f"Cert:\\{self}"

    @property
    def display(self) -> str:
        """How MMC shows it: ``Certificates (Local Computer) > Personal``."""
        return f"{self.location.console_name} > {self.kind.display_name}"


ALL_STORES = tuple(StoreName(loc, kind) for loc in Location for kind in StoreKind)
VALID_NAMES = ", ".join(str(s) for s in ALL_STORES)


def parse_store(value) -> StoreName:
    """A store from what a user types: ``LocalMachine\\My``, ``Cert:\\CurrentUser\\Root``, ``localmachine/personal``.

    Case and the separator (``\\`` or ``/``) do not matter, as in PowerShell's
    certificate provider; MMC's folder names are accepted for the store part.
    """
    if isinstance(value, StoreName):
        return value
    text = str(value).strip()
    cleaned = re.sub(r"^cert:[\\/]*", "", text, flags=re.IGNORECASE)
    parts = [p.strip().lower() for p in re.split(r"[\\/]+", cleaned) if p.strip()]
    if len(parts) == 2 and parts[0] in _LOCATIONS and parts[1] in _ALIASES:
        return StoreName(_LOCATIONS[parts[0]], _ALIASES[parts[1]])
    raise UsageError(f"{text!r} is not a certificate store the lab knows: use one of {VALID_NAMES}")
