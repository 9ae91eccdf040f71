"""Crash-safe changes to a folder of files: a lock, a write-ahead journal, and recovery.

Any store folder can use it: a CA's ``ca_conf/`` (through ``authority.store``),
a request database, a simulated Windows certificate store. A change is::

    with journal.transaction(folder, "import 3 certificates") as tx:
        tx.create(folder / "a.cer", data)          # must not exist yet
        tx.replace(folder / "index.txt", new_text)  # created or replaced
        tx.read_bytes(folder / "index.txt")         # sees the change already

How it survives ``kill -9`` at any instruction (write-ahead log, as in
SQLite's WAL or ext4's journal; one committed state or the other, never a mix):

1. Under the folder's lock (``<folder>/.lock``, the ``filelock`` package).
2. Each file is *staged*: written completely under a random name beside its
   target (``.ca.db.3f9a0c1e22b4.staged``, created with O_EXCL and its final
   mode, then fsync-ed). Its target and staged name are appended to
   ``<folder>/.journal`` (and fsync-ed) *before* the staged file is created,
   so recovery always knows every staged file that may exist. No target is
   touched yet: readers outside the lock (``openssl ca``, the CRL server)
   never see a change that might be undone.
3. Commit: the folders are fsync-ed, then a ``commit`` record is appended
   to the journal and fsync-ed. This record is the instant of the change.
4. The staged files are renamed over their targets in journal order, the
   folders fsync-ed, and the journal deleted.

Recovery runs whenever the lock is next taken (every command that opens
the CA takes it when a journal is there): with a commit record, every
staged file still present is renamed into place ("finished"); without one,
every staged file is deleted ("undone"), so no key is left in a stray file.
Both are idempotent, so a kill during recovery is recovered by the next one.
A single line says what was finished or undone (``report_recovery``).

Signals: SIGINT and SIGTERM (``docker stop``) that arrive while a
transaction is open make it undo (before the commit) or finish (after),
then raise ``Interrupted``; ``committed()`` lists what this process
completed before, so a front end can say exactly what was done.

Test hook (tests only): ``GENESYS_LAB_FAULT_STEP=N`` in the environment, or
``set_fault_step(N)``, ends the process with ``os._exit(FAULT_EXIT)`` just
before its Nth file-system step (create, write, fsync, rename, unlink of a
journal, staged or target file), like a power cut; ``steps_taken()`` counts them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_lab import files
from genesys_lab.errors import CADatabaseError, GenesysLabError

JOURNAL_NAME = ".journal"
_NO_LABEL = "unknown change"
LOCK_NAME = ".lock"
LOCK_MODE = 0o644
JOURNAL_MODE = 0o600
FAULT_EXIT = 86


class LockBusyError(GenesysLabError):
    """Another process holds the folder's lock for longer than we wait."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; the transaction in progress was finished or undone first."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


@dataclass(frozen=True)
class Recovery:
    """What recovery did with a transaction that a killed process left."""

    root: Path
    label: str
    finished: bool  # True: it was committed and is now complete; False: undone
    files: tuple[Path, ...]  # put in place (finished) or deleted (undone)

    def message(self) -> str:
        if not self.finished and not self.files and self.label == _NO_LABEL:
            return f"recovered {self.root}: removed the journal of a change that was stopped before it staged anything"
        if self.finished:
            return (
                f"recovered {self.root}: finished the interrupted change '{self.label}' "
                f"(it was committed; {len(self.files)} file(s) put in place)"
            )
        return (
            f"recovered {self.root}: undid the interrupted change '{self.label}' "
            f"(it was not committed; {len(self.files)} staged file(s) removed, nothing of it kept)"
        )


def _print_recovery(recovery: Recovery) -> None:
    import sys

    print(f"genesys-lab: {recovery.message()}", file=sys.stderr, flush=True)


#: Called with each Recovery; the default prints its one line on stderr (CLI and notebooks alike).
report_recovery = _print_recovery

# ------------------------------------------------------------------ fault injection (tests only)

_fault = {"at": int(os.environ.get("GENESYS_LAB_FAULT_STEP") or 0), "taken": 0}


def set_fault_step(n: int) -> None:
    """Die (``os._exit(FAULT_EXIT)``) before the ``n``-th file-system step from now; 0 turns it off."""
    _fault["at"], _fault["taken"] = n, 0


def steps_taken() -> int:
    return _fault["taken"]


_pause = os.environ.get("GENESYS_LAB_TEST_PAUSE", "")  # "staged:0.5" or "committed:0.5" (tests only)


def _test_pause(where: str) -> None:
    """Hold a transaction at one point so that a test's signal lands there (``GENESYS_LAB_TEST_PAUSE``)."""
    point, _, seconds = _pause.partition(":")
    if point == where:
        time.sleep(float(seconds or 0.5))


def _step(what: str, path) -> None:
    _fault["taken"] += 1
    if _fault["taken"] == _fault["at"]:
        os._exit(FAULT_EXIT)


# ------------------------------------------------------------------ signals

_deferred = {"depth": 0, "pending": None}
_committed: list[str] = []


def committed() -> list[str]:
    """Labels of the transactions this process committed, oldest first."""
    return list(_committed)


def _on_signal(signum, frame):
    if _deferred["depth"]:
        _deferred["pending"] = signum
        return
    raise Interrupted(signum)


def raise_on_signals() -> None:
    """For a command-line process: SIGTERM (``docker stop``) raises Interrupted like Ctrl-C.

    Outside a transaction it stops the command at once with a report of
    what was completed; inside one it is held until the change is finished
    or undone (see ``_uninterruptible``). Only the main thread can do this.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)


@contextlib.contextmanager
def _signals_raise():
    """While a transaction is open in the main thread, SIGINT/SIGTERM raise Interrupted (not a hard stop)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(sig)
        if current in (signal.SIG_DFL, signal.default_int_handler) or current is _on_signal:
            old[sig] = signal.signal(sig, _on_signal)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _uninterruptible():
    """Hold SIGINT/SIGTERM back until the block ends (commit, roll-forward, undo must not stop half-way)."""
    _deferred["depth"] += 1
    try:
        yield
    finally:
        _deferred["depth"] -= 1
        if not _deferred["depth"] and _deferred["pending"] is not None:
            signum, _deferred["pending"] = _deferred["pending"], None
            raise Interrupted(signum)


# ------------------------------------------------------------------ the lock

_LOCKS: dict[tuple[int, str], Any] = {}
_HELD: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar("genesys_lab_held_locks", default=())


def held_roots() -> tuple[Path, ...]:
    """The store folders whose lock this context holds, innermost last."""
    return _HELD.get()


@contextlib.contextmanager
def locked(root: Path | str, timeout: float | None = None):
    """Serialize writers of one store folder (processes and threads) with ``<root>/.lock``.

    One FileLock object per lock file, so a change made of several changes
    (renew = issue + record + revoke) can hold the lock throughout: filelock
    counts re-entries by the same thread instead of deadlocking on itself.
    The first acquisition recovers what a killed process left behind.
    ``timeout`` defaults to ``GENESYS_LAB_LOCK_TIMEOUT`` seconds, else 60.
    """
    if timeout is None:
        timeout = float(os.environ.get("GENESYS_LAB_LOCK_TIMEOUT") or 60)
    from filelock import FileLock, Timeout

    root = Path(root)
    key = str((root / LOCK_NAME).resolve())
    owner = (os.getpid(), key)  # a forked child needs its own instance (filelock refuses an inherited one)
    lock = _LOCKS.get(owner)
    if lock is None:
        lock = _LOCKS.setdefault(owner, FileLock(key, timeout=timeout, mode=LOCK_MODE))
    started = time.monotonic()
    _make_lock_file(Path(key))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockBusyError(busy_message(Path(key), time.monotonic() - started)) from None
    token = _HELD.set(_HELD.get() + (root,))
    try:
        if lock.lock_counter == 1:
            recover(root)
        yield
    finally:
        _HELD.reset(token)
        lock.release()


def _make_lock_file(path: Path) -> None:
    """Create the lock file with exactly LOCK_MODE (filelock's own creation is subject to the umask)."""
    if not os.path.lexists(path):
        with contextlib.suppress(FileExistsError):
            files.write_new_file(path, b"", LOCK_MODE)


def busy_message(lock_file: Path, waited: float) -> str:
    """One line: who holds the lock (from /proc/locks on Linux), how long we waited, what to do."""
    holder = lock_holder(lock_file)
    who = f"process {holder[0]} ({holder[1]})" if holder else "another process"
    return f"{lock_file} is held by {who}; waited {waited:.0f} s: let that command finish (or stop it) and run this one again"


def lock_holder(lock_file: Path) -> tuple[int, str] | None:
    """(pid, command line) of the process holding a flock on ``lock_file``, where the kernel says."""
    try:
        info = lock_file.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    wanted = f":{info.st_ino}"
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and fields[1] in ("FLOCK", "POSIX") and fields[5].endswith(wanted) and "->" not in line:
            pid = int(fields[4]) if fields[4].isdigit() else 0
            if pid and pid != os.getpid():
                return pid, _command_of(pid)
    return None


def _command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "unknown command"
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    words = [Path(words[0]).name, *words[1:]] if words else ["unknown command"]
    return " ".join(words)[:80]


# ------------------------------------------------------------------ the transaction

_ACTIVE: contextvars.ContextVar[tuple[Transaction, ...]] = contextvars.ContextVar("genesys_lab_transactions", default=())


@dataclass
class _Stage:
    target: Path
    staged: Path
    data: bytes
    create: bool


class Transaction:
    """The staged file changes of one change to a store folder; see the module docstring.

    Use it through ``transaction()``; ``create``, ``replace``, ``read_bytes``
    and ``exists`` are its public face.
    """

    def __init__(self, root: Path | str | None, label: str = "change"):
        self._root = Path(root) if root is not None else None  # None: the folder of the first file staged
        self.label = label
        self.created: list[Path] = []
        self._stages: dict[Path, _Stage] = {}
        self._journal_fd: int | None = None
        self.state = "open"  # open, committed, rolled back

    @property
    def root(self) -> Path:
        """The store folder (of the first file staged, for a transaction opened without one)."""
        if self._root is None:
            raise GenesysLabError(f"the change '{self.label}' has no folder yet: it has staged nothing")
        return self._root

    # -- staging -----------------------------------------------------
    def create(self, path: Path | str, data: bytes, mode: int = 0o644) -> None:
        """Stage a new file; refuses (nothing written) when the name is taken."""
        path = self._inside(path)
        if self.exists(path):
            raise CADatabaseError(_exists_message(path))
        self._stage(path, data, mode, create=True)
        self.created.append(path)

    def replace(self, path: Path | str, data: bytes, mode: int | None = None) -> None:
        """Stage a file's new content, keeping its mode unless one is given (ca.db may have been made 0600)."""
        path = self._inside(path)
        if mode is None:
            try:
                mode = path.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
        earlier = self._stages.get(path)
        self._stage(path, data, mode, create=bool(earlier and earlier.create) or not path.exists())

    def read_bytes(self, path: Path | str) -> bytes:
        """The file as this transaction will leave it (a staged change, else the disk)."""
        stage = self._stages.get(Path(path))
        return stage.data if stage is not None else Path(path).read_bytes()

    def exists(self, path: Path | str) -> bool:
        return Path(path) in self._stages or Path(path).exists()

    def _inside(self, path: Path | str) -> Path:
        path = Path(path)
        if self._root is None:
            self._root = path.parent
            recover(self._root)
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            raise GenesysLabError(f"{path} is outside {self.root}: a transaction writes only inside its own folder") from None
        return path

    def _stage(self, path: Path, data: bytes, mode: int, *, create: bool) -> None:
        if self.state != "open":
            raise GenesysLabError(f"the change '{self.label}' is already {self.state}: start a new transaction")
        staged = files.staged_name(path)
        self._journal({"stage": self._rel(path), "tmp": self._rel(staged), "create": create})
        previous = self._stages.get(path)
        self._stages[path] = _Stage(path, staged, bytes(data), create)
        files.write_new_file(staged, data, mode, step=_step)
        if previous is not None:
            _step("unlink", previous.staged)
            _unlink(previous.staged)
        if _pause:
            _test_pause("staged")

    def _rel(self, path: Path) -> str:
        return os.path.relpath(path, self.root)

    def _journal(self, record: dict) -> None:
        line = (json.dumps(record) + "\n").encode()
        if self._journal_fd is None:
            path = self.root / JOURNAL_NAME
            _step("create", path)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, JOURNAL_MODE)
            except FileExistsError:
                recover(self.root)  # a journal nobody recovered (a writer that skipped the lock)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, JOURNAL_MODE)
            self._journal_fd = fd
            begin = {"begin": self.label, "pid": os.getpid(), "at": dt.datetime.now(dt.UTC).isoformat()}
            line = (json.dumps(begin) + "\n").encode() + line
        _step("write", self.root / JOURNAL_NAME)
        os.write(self._journal_fd, line)
        _step("fsync", self.root / JOURNAL_NAME)
        os.fsync(self._journal_fd)

    # -- the end -----------------------------------------------------
    def commit(self) -> None:
        """Make the change happen: commit record, then the renames (see the module docstring)."""
        with _uninterruptible():
            if self._journal_fd is None:  # nothing staged
                self.state = "committed"
                return
            for stage in self._stages.values():
                if stage.create and stage.target.exists():
                    raise CADatabaseError(_exists_message(stage.target))
            for folder in sorted({s.staged.parent for s in self._stages.values()}):
                _step("fsync", folder)
                files.fsync_dir(folder)
            self._journal({"commit": len(self._stages)})
            self.state = "committed"
            os.close(self._journal_fd)
            self._journal_fd = None
            if _pause:
                _test_pause("committed")
            _apply(self.root, [(s.target, s.staged) for s in self._stages.values()])
            _committed.append(self.label)

    def rollback(self) -> None:
        """Forget the change: delete the staged files and the journal; the targets were never touched."""
        with _uninterruptible():
            if self.state == "committed":
                return
            self.state = "rolled back"
            for stage in self._stages.values():
                _step("unlink", stage.staged)
                _unlink(stage.staged)
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
                _step("unlink", self.root / JOURNAL_NAME)
                _unlink(self.root / JOURNAL_NAME)
                files.fsync_dir(self.root)


def _exists_message(path: Path) -> str:
    hint = "set serial.num past the highest serial" if path.parent.name == "repository" else "remove or rename it first"
    return f"{path} already exists: {hint}"


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _apply(root: Path, moves: list[tuple[Path, Path]]) -> list[Path]:
    """Rename each staged file still present over its target (idempotent: a kill here is finished later)."""
    placed = []
    for target, staged in moves:
        if os.path.lexists(staged):
            _step("rename", target)
            os.replace(staged, target)
            placed.append(target)
    for folder in sorted({t.parent for t, _ in moves}):
        _step("fsync", folder)
        files.fsync_dir(folder)
    _step("unlink", root / JOURNAL_NAME)
    _unlink(root / JOURNAL_NAME)
    files.fsync_dir(root)
    return placed


def active(root: Path | str | None = None) -> Transaction | None:
    """The innermost open transaction (of ``root``, if given) in this context."""
    for tx in reversed(_ACTIVE.get()):
        if root is None or (tx._root is not None and os.path.abspath(tx._root) == os.path.abspath(root)):
            return tx
    return None


def read_bytes(path: Path | str) -> bytes:
    """A file as the open transactions of this context will leave it (else as on disk)."""
    for tx in reversed(_ACTIVE.get()):
        if Path(path) in tx._stages:
            return tx.read_bytes(path)
    return Path(path).read_bytes()


def exists(path: Path | str) -> bool:
    return any(Path(path) in tx._stages for tx in _ACTIVE.get()) or Path(path).exists()


@contextlib.contextmanager
def transaction(root: Path | str | None = None, label: str = "change"):
    """One crash-safe change to the folder ``root``: all of its files land, or none does.

    Takes ``root``'s lock (re-entrant) and recovers a killed predecessor
    first. Without ``root``, the folder of the innermost lock this context
    holds; with no lock held either, the folder of the first file staged,
    without a lock (for a folder of output files only this command writes,
    which then keeps no ``.lock``). Inside another transaction of the same
    folder this joins it: a composite change (renew = issue + record +
    revoke) commits or is undone as a whole. Any exception undoes it and
    propagates. The targets change only when the block ends (commit): read
    them back with ``tx.read_bytes`` / ``tx.exists`` inside the block.
    """
    if root is None:
        held = held_roots()
        if not held:
            with _open(Transaction(None, label)) as tx:
                yield tx
            return
        root = held[-1]
    root = Path(root)
    outer = active(root)
    if outer is not None:
        yield outer
        return
    with locked(root), _open(Transaction(root, label)) as tx:
        yield tx


@contextlib.contextmanager
def _open(tx: Transaction):
    with _signals_raise():
        token = _ACTIVE.set(_ACTIVE.get() + (tx,))
        try:
            try:
                yield tx
                tx.commit()
            except BaseException:
                tx.rollback()  # nothing to do once committed: recovery finishes a commit cut short
                raise
        finally:
            _ACTIVE.reset(token)


# ------------------------------------------------------------------ recovery


def recover(root: Path | str) -> Recovery | None:
    """Finish or undo what a killed process left in ``root`` (call it under the lock; ``locked`` does)."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    if not journal.exists():
        return None
    with _uninterruptible():
        label, moves, is_committed = _read_journal(journal)
        if is_committed:
            placed = _apply(root, [(root / t, root / s) for t, s in moves])
            result = Recovery(root, label, True, tuple(placed))
        else:
            removed = []
            for _target, staged in moves:
                if os.path.lexists(root / staged):
                    _step("unlink", root / staged)
                    _unlink(root / staged)
                    removed.append(root / staged)
            _step("unlink", journal)
            _unlink(journal)
            files.fsync_dir(root)
            result = Recovery(root, label, False, tuple(removed))
    report_recovery(result)
    return result


def _read_journal(journal: Path) -> tuple[str, list[tuple[str, str]], bool]:
    """(label, [(target, staged)], committed); a torn last line (killed mid-write) is ignored."""
    label, moves, is_committed = _NO_LABEL, [], False
    for raw in journal.read_bytes().splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if "begin" in record:
            label = str(record["begin"])
        elif "stage" in record and "tmp" in record:
            target, staged = str(record["stage"]), str(record["tmp"])
            if _safe_rel(target) and _safe_rel(staged) and files.is_staged_name(Path(staged).name):
                moves.append((target, staged))
        elif "commit" in record:
            is_committed = True
    return label, moves, is_committed


def _safe_rel(rel: str) -> bool:
    """A journal never names a file outside its folder (a damaged or planted journal must not move files elsewhere)."""
    return not os.path.isabs(rel) and ".." not in Path(rel).parts
