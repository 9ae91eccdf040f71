"""A learner's progress: every checked answer (question, passed, when), per notebook passed of total.

Why SQLite: each ``check()`` appends one row inside a transaction, so a
record is either written whole or not at all, even with two notebooks'
kernels checking at the same moment (SQLite's locking, with a timeout),
and a trainer can read the file with any SQLite tool. The file lives in the
learner's workspace (``make lab``'s working copy), never in the repository.

Which questions exist comes from the course catalogue (``catalog.COURSE``),
so a notebook nobody has opened yet still shows ``0 of 2``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.course.catalog import COURSE
from genesys_lab.errors import GenesysLabError

FILE_NAME = "progress.sqlite"
ENV_WORKSPACE = "GENESYS_LAB_WORKSPACE"
_SCHEMA = "CREATE TABLE IF NOT EXISTS attempts (question TEXT NOT NULL, passed INTEGER NOT NULL, at TEXT NOT NULL)"


class ProgressError(GenesysLabError):
    """The progress file cannot be read or written."""


@dataclass(frozen=True)
class Attempt:
    question: str  # "03.2"
    passed: bool
    at: dt.datetime

    @property
    def notebook(self) -> str:
        return self.question.split(".", 1)[0]


@dataclass(frozen=True)
class NotebookProgress:
    number: str
    name: str
    does: str
    passed: int
    total: int
    attempted: int  # questions with at least one checked answer

    @property
    def done(self) -> bool:
        return self.total > 0 and self.passed == self.total


def default_workspace() -> Path:
    """``$GENESYS_LAB_WORKSPACE``, else ``./workspace`` when it exists (the repository's root), else ``.``.

    A notebook's kernel runs in the notebook's folder, which is the workspace
    itself, so ``progress()`` with no argument finds the file there.
    """
    if os.environ.get(ENV_WORKSPACE):
        return Path(os.environ[ENV_WORKSPACE])
    here = Path.cwd()
    return here / "workspace" if (here / "workspace").is_dir() else here


def workspace_for(workdir: Path | str) -> Path:
    """The workspace of an exercise's working folder: ``<workspace>/scratch/NN_topic`` -> ``<workspace>``."""
    if os.environ.get(ENV_WORKSPACE):
        return Path(os.environ[ENV_WORKSPACE])
    workdir = Path(workdir).resolve()
    return workdir.parent.parent if workdir.parent.name == "scratch" else workdir


def progress_file(workspace: Path | str | None = None) -> Path:
    return Path(workspace if workspace is not None else default_workspace()) / FILE_NAME


def record(workspace: Path | str, question: str, passed: bool, *, at: dt.datetime | None = None) -> Path:
    """Append one checked answer to the workspace's progress file (one transaction); return the file."""
    path = progress_file(workspace)
    if not path.parent.is_dir():
        raise ProgressError(f"the workspace {path.parent} does not exist: open the course with make lab")
    moment = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    try:
        with _database(path) as db:
            db.execute("INSERT INTO attempts VALUES (?, ?, ?)", (question, int(bool(passed)), moment))
    except sqlite3.Error as error:
        raise ProgressError(f"{path}: cannot record the answer ({error}); check that the folder is writable") from None
    return path


def attempts(source: Path | str | None = None) -> list[Attempt]:
    """Every recorded answer, oldest first; an empty list when nothing was checked yet.

    ``source`` is a workspace folder or a progress file (a trainer's copy, named as they like).
    """
    path = _file_of(source)
    if not path.exists():
        return []
    try:
        with _database(path, create=False) as db:
            rows = db.execute("SELECT question, passed, at FROM attempts ORDER BY at, rowid").fetchall()
    except sqlite3.Error as error:
        raise ProgressError(f"{path} is not a progress file ({error}): give a workspace's {FILE_NAME}") from None
    return [_attempt(path, number, row) for number, row in enumerate(rows, 1)]


def _attempt(path: Path, number: int, row) -> Attempt:
    """A row of a learner's file (outside data a trainer collects): a bad one is one line, not a traceback."""
    question, passed, at = row
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise ProgressError(
            f"{path}, row {number}: the time {at!r} is not an ISO date and time: the file was edited by hand"
        ) from None
    if not isinstance(question, str) or when.tzinfo is None:
        raise ProgressError(f"{path}, row {number}: not a row genesys-lab wrote (question {question!r}, time {at!r})")
    return Attempt(question, bool(passed), when)


def progress(workspace: Path | str | None = None) -> tuple[NotebookProgress, ...]:
    """Per notebook of the course: exercises passed (ever) of total, and how many were attempted."""
    done = attempts(workspace)
    passed = {a.question for a in done if a.passed}
    tried = {a.question for a in done}
    return tuple(
        NotebookProgress(
            nb.number,
            nb.name,
            nb.does,
            sum(q in passed for q in nb.question_ids()),
            nb.exercises,
            sum(q in tried for q in nb.question_ids()),
        )
        for nb in COURSE
    )


def collect_progress(sources: Mapping[str, Path | str] | Iterable[Path | str]):
    """One pandas table of a class: a row per learner and question (attempts, passed, last attempt).

    ``sources`` maps learner names to their progress files (or workspaces), or
    is a list of files: each learner is then named by the file's stem, or by
    its folder when the file keeps its usual name (``alice/progress.sqlite``).
    """
    import pandas as pd

    named = dict(sources) if isinstance(sources, Mapping) else {_learner(Path(s)): s for s in sources}
    rows = []
    for learner, source in named.items():
        by_question: dict[str, list[Attempt]] = {}
        for attempt in attempts(source):
            by_question.setdefault(attempt.question, []).append(attempt)
        for question, tries in sorted(by_question.items()):
            rows.append(
                {
                    "learner": learner,
                    "notebook": question.split(".", 1)[0],
                    "question": question,
                    "attempts": len(tries),
                    "passed": any(t.passed for t in tries),
                    "last_attempt": max(t.at for t in tries),
                }
            )
    columns = ["learner", "notebook", "question", "attempts", "passed", "last_attempt"]
    return pd.DataFrame(rows, columns=columns)


def _learner(path: Path) -> str:
    file = path if path.suffix else path / FILE_NAME
    return file.parent.name if file.name == FILE_NAME else file.stem


def _file_of(source) -> Path:
    path = Path(source) if source is not None else progress_file()
    return path / FILE_NAME if path.is_dir() else path


@contextlib.contextmanager
def _database(path: Path, *, create: bool = True):
    """One transaction on the file (committed, or rolled back on error), and the connection closed after."""
    uri = f"file:{path}?mode={'rwc' if create else 'ro'}"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db, db:
        if create:
            db.execute(_SCHEMA)
        yield db
