"""The one door through which a machine folder changes: ``authority.store``'s transaction.

A simulated Windows machine is a store folder like a CA's ``ca_conf/``
(DESIGN.md, Safety): every change is one crash-safe transaction under the
folder's lock. ``authority.store`` is being turned into a journal-based
transaction that takes the folder (``store.transaction(folder, label)``,
``store.locked(folder)``); until that lands, the older API
(``store.transaction()`` joined to a lock on a ``CAPaths``-like object) is
used. Only this module knows which one is there.
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_lab.authority import store as _store

#: typed loosely: the signature changes when the journal-based transaction lands
store: Any = _store


@dataclass(frozen=True)
class _LockOnly:
    """What the older ``store.locked`` reads: ``.lock``, the lock file's path."""

    root: Path

    @property
    def lock(self) -> Path:
        return self.root / ".lock"


def _takes_folder() -> bool:
    return len(inspect.signature(store.transaction).parameters) > 0


@contextlib.contextmanager
def change(folder: Path, label: str):
    """Lock ``folder`` and open one transaction on it; yields the transaction (``tx.create``, ``tx.replace``)."""
    folder = Path(folder)
    if _takes_folder():
        with store.locked(folder), store.transaction(folder, label) as tx:
            yield tx
    else:
        with store.locked(_LockOnly(folder)), store.transaction() as tx:
            yield tx


def read_bytes(path: Path) -> bytes:
    """A file as the open transaction will leave it, where the store API can tell; else as on disk."""
    reader = getattr(store, "read_bytes", None)
    return reader(path) if reader is not None else Path(path).read_bytes()


def exists(tx, path: Path) -> bool:
    """Whether a file exists as the open transaction will leave it (a staged file counts)."""
    check = getattr(tx, "exists", None)
    return bool(check(path)) if check is not None else Path(path).exists()
