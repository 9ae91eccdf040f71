"""Writing the runbook's output folder: whole files or nothing, with explicit modes.

The output folder is not a CA folder (the CA's own files change only through
authority.store's transaction); each document here is written to a temporary
file and renamed into place, so a reader never sees half a runbook.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.authority import store


def write_file(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_atomic(path, data, mode)
    return path
