"""``genesys-lab SUBCOMMAND``: the conventional command line over the core.

``main(argv)`` only parses and calls the library (twine's shape). Each
subcommand lives in a module of ``genesys_lab.cli`` with a
``register(subparsers)`` function; none of them imports pandas or
ipywidgets, so the command line starts fast.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError

COMMAND_MODULES = [
    "genesys_lab.cli.ca",
    "genesys_lab.cli.revocation",
    "genesys_lab.cli.formats",
    "genesys_lab.cli.verify",
    "genesys_lab.cli.tls",
    "genesys_lab.cli.renew",
    "genesys_lab.cli.certsrv",
    "genesys_lab.cli.install",
    "genesys_lab.cli.windows",
    "genesys_lab.cli.genesys",
    "genesys_lab.cli.repair",
    "genesys_lab.cli.site",
    "genesys_lab.cli.course",
]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The whole command line; with ``argv``, only as far as the module that registers its command.

    Registering every command builds about 20 parsers and 130 options (some 10 ms of a
    command's start-up), so ``genesys-lab list`` stops after the module that defines ``list``.
    Without a known command (``--help``, a typo) every module registers, as before.
    """
    wanted = _command_of(argv)
    parser = _Parser(
        prog="genesys-lab", description="TLS certificates for Genesys, the way the Security Deployment Guide does them."
    )
    parser.add_argument("--version", action="version", version=f"genesys-lab {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
        if wanted is not None and wanted in sub.choices:
            break
    return parser


def _command_of(argv) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if any."""
    if argv is None:
        return None
    return next((word for word in argv if not word.startswith("-")), None)


def _version() -> str:
    from genesys_lab import __version__

    return __version__


def run(func, args, prog: str) -> int:
    """Call a command; every failure the user can act on becomes one line on stderr, never a traceback.

    GenesysLabError: its message (exit 1, 2 for usage errors). OSError (disk
    full, read-only file system, permission denied, immutable file, a folder
    where a file should be) and filelock's Timeout: the path and the fix
    (exit 1); the transaction was undone, so nothing changed. Ctrl-C and
    SIGTERM: what was completed before them (exit 130 / 143).
    """
    from genesys_lab.authority import journal

    journal.raise_on_signals()
    try:
        _refuse_undecodable(args)
        code = func(args) or 0
        sys.stdout.flush()
        return code
    except UsageError as exc:
        _say(f"{prog}: error: {exc}")
        return 2
    except GenesysLabError as exc:
        _say(f"{prog}: error: {exc}")
        return 1
    except KeyboardInterrupt as exc:
        _say(f"{prog}: {_interrupted(exc)}")
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except BrokenPipeError:
        # The reader went away (``genesys-lab list | head -1``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        _say(f"{prog}: error: {os_error_line(exc)}")
        return 1


def _say(line: str) -> None:
    """One line on stderr, whatever bytes a path holds (a non-UTF-8 file name must not raise here)."""
    stream = sys.stderr
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding, "replace"), file=stream, flush=True)


def _interrupted(exc: KeyboardInterrupt) -> str:
    from genesys_lab.authority import journal

    name = signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
    done = journal.committed()
    if not done:
        return f"interrupted by {name}: nothing was changed (a change in progress was undone)"
    return (
        f"interrupted by {name}: completed before it: {'; '.join(done)}; "
        "nothing else was changed (a change in progress was undone)"
    )


_FIXES = {
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EDQUOT: "your disk quota is used up: free some space and run the command again",
    errno.EROFS: "the file system is read-only: work in a writable folder, or remount it read-write",
    errno.EACCES: "permission denied: check the owner and mode of the file and of its folder (ls -ld)",
    errno.EPERM: "not permitted: the file may be immutable or append-only (lsattr; chattr -i) or belong to someone else",
    errno.EISDIR: "a folder is where a file should be: move the folder away",
    errno.ENOTDIR: "a file is where a folder should be: move the file away",
    errno.ENOENT: "it does not exist: check the path",
    errno.EEXIST: "it already exists: move it away or choose another name",
    errno.ELOOP: "it is a symbolic link where a file should be: replace the link with the file",
    errno.EIO: "input/output error: the disk may be failing (see dmesg); copy the folder elsewhere",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) and run the command again",
    errno.ENAMETOOLONG: "the name is too long: use a shorter path",
}


def os_error_line(exc: OSError) -> str:
    """The path, what the system said and the fix, in one line; also for a lock another process holds."""
    if hasattr(exc, "lock_file"):  # filelock.Timeout (a TimeoutError): our locked() normally words it itself
        from genesys_lab.authority.journal import busy_message

        return busy_message(Path(exc.lock_file), 0)
    path = _shown_path(exc.filename)
    fix = _FIXES.get(exc.errno or 0, "fix the file or folder and run the command again")
    what = exc.strerror or type(exc).__name__
    return f"{path}: {what}: {fix}; nothing was changed" if path else f"{what}: {fix}; nothing was changed"


def _shown_path(filename) -> str | None:
    """A staged file (``.ca.db.3f9a0c1e22b4.staged``) is shown as the file it stands for."""
    if filename is None:
        return None
    from genesys_lab.files import STAGED_SUFFIX, is_staged_name

    path = Path(os.fsdecode(filename))
    if is_staged_name(path.name):
        return str(path.with_name(path.name[1 : -len(STAGED_SUFFIX) - 13]))
    return str(path)


def _refuse_undecodable(args) -> None:
    """A byte that is not UTF-8 in an option (Python keeps it as a surrogate) would fail deep inside; name it here."""
    for name, value in getattr(args, "__dict__", {}).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                bad = next(ch for ch in item if "\udc80" <= ch <= "\udcff")
                raise UsageError(
                    f"--{name.replace('_', '-')}: byte 0x{ord(bad) - 0xDC00:02x} is not UTF-8 text: "
                    "type the value in a UTF-8 terminal (LANG=C.UTF-8) or spell it in ASCII"
                )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    return run(args.func, args, "genesys-lab")


if __name__ == "__main__":
    sys.exit(main())
