"""Reading the files a user names: certificates, keys, CRLs, PKCS#12.

One place decides what counts as a readable input, so every command gives
the same one-line answer for a missing file, a folder, or a device such as
/dev/zero (which would otherwise be read forever).
"""

from __future__ import annotations

import stat
from pathlib import Path

from genesys_lab.errors import FormatError

# The largest CRL this lab makes (100,000 entries) is about 4 MiB.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_user_file(path: Path | str, what: str = "file") -> bytes:
    """The bytes of a regular file of reasonable size, or a FormatError that says what is wrong."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise FormatError(f"cannot read {what} {path}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FormatError(f"cannot read {what} {path}: it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise FormatError(f"cannot read {what} {path}: it is not a regular file (a device or a pipe): give a file")
    if info.st_size > MAX_INPUT_BYTES:
        raise FormatError(
            f"cannot read {what} {path}: {info.st_size // (1024 * 1024)} MiB is far larger than any certificate, key or CRL"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read {what} {path}: {exc.strerror}") from None
