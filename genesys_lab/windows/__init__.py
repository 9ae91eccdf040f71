"""A simulated Windows computer for the Genesys guide's Windows steps.

Certificate stores (``LocalMachine`` and ``CurrentUser``: My, Root, CA),
MMC's Certificate Import and Export Wizards, the Certificate dialog, and
``check``: will a Genesys application on this machine find, trust and use
its certificate? Every rule cites the Microsoft document it follows; what
the machine exports is a real file that OpenSSL and Java open::

    from genesys_lab.windows import new_machine, load_machine
    m = new_machine("ws01", "WS01", version="2019")
    entry = m.add_certificate("CurrentUser\\\\My", certificate)
    entry.thumbprint
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Machine": "machine",
    "StoreEntry": "machine",
    "new_machine": "machine",
    "load_machine": "machine",
    "open_remote": "machine",
    "StoreName": "stores",
    "parse_store": "stores",
    "Location": "stores",
    "StoreKind": "stores",
    "thumbprint": "thumbprints",
    "normalize_thumbprint": "thumbprints",
    "WindowsVersion": "versions",
    "MachineError": "errors",
    "NotInStoreError": "errors",
    "AmbiguousThumbprintError": "errors",
    "WizardRefusal": "errors",
    "ConfirmationRequired": "errors",
}
_RENAMED = {"normalize_thumbprint": "normalize"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'genesys_lab.windows' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
