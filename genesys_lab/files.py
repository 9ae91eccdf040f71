"""Reading the files a user names: certificates, keys, CRLs, PKCS#12.

One place decides what counts as a readable input, so every command gives
the same one-line answer for a missing file, a folder, or a device such as
/dev/zero (which would otherwise be read forever).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
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


# ---------------------------------------------------------------- writing
#
# The write side: every file the lab writes is complete on disk before it
# gets its name. Temporary and staged files are created in the target's own
# folder (a rename is atomic only within one file system) under a random
# name opened with O_EXCL: a name made from the PID collides in containers,
# where every run is PID 1, and one leftover file would then block the
# folder for good. Modes are set on the open descriptor before any byte is
# written, so the result is exactly ``mode`` whatever the umask, and a key
# is never readable by others, not even for a moment.

#: Suffix of staged and temporary files (``.ca.db.<12 hex>.staged``); recovery removes stale ones.
STAGED_SUFFIX = ".staged"
_STAGED_RE = re.compile(r"^\..+\.[0-9a-f]{12}" + re.escape(STAGED_SUFFIX) + "$")


def staged_name(target: Path) -> Path:
    """A fresh, unguessable name beside ``target`` for its staged or temporary copy."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{STAGED_SUFFIX}")


def is_staged_name(name: str) -> bool:
    """Whether a file name is one that ``staged_name`` makes (what recovery may delete)."""
    return bool(_STAGED_RE.match(name))


def write_new_file(path: Path, data: bytes, mode: int = 0o644, *, step=None) -> None:
    """Create ``path`` (which must not exist) with exactly ``mode``, write ``data``, fsync.

    ``step(what, path)`` is called before each system call that changes the
    disk: the transaction's fault-injection hook counts them (tests only).
    On any failure the partial file is removed.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    if step:
        step("create", path)
    fd = os.open(path, flags, mode & 0o600)  # never wider than meant while the umask applies
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        if step:
            step("write", path)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if step:
            step("fsync", path)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make renames and unlinks in ``directory`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes, mode: int = 0o644) -> None:
    """Replace (or create) one file all at once: a complete, fsync-ed temporary file renamed over it.

    For files outside a CA or other store; a change of several files that
    must land together goes through ``authority.store.transaction``.
    """
    path = Path(path)
    tmp = staged_name(path)
    write_new_file(tmp, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def make_dir(path: Path | str, mode: int = 0o755) -> None:
    """``mkdir`` with exactly ``mode`` whatever the umask (mkdir's own mode is masked by it)."""
    path = Path(path)
    os.mkdir(path, mode & 0o700)
    os.chmod(path, mode)
