"""A learner's workspace: a working copy of the course notebooks, outside git's view.

Why: JupyterLab autosaves a notebook as soon as it runs, so a learner who
opened the repository's notebooks would change the tracked files (and their
stored outputs, which the tests compare). ``make lab`` opens a copy instead:
made from ``notebooks/`` on first run, and afterwards only completed with
notebooks added to the course since, never overwritten. The notebooks'
scratch folders and the progress file live in the workspace too, because a
notebook's kernel runs in the notebook's folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError

COURSE_FILE = re.compile(r"^\d\d_[\w-]+\.ipynb$")
#: files beside the notebooks that they need (nbval's sanitizer, for ``pytest --nbval`` in the workspace)
SUPPORT_FILES = ("sanitize.cfg",)
BACKUPS = ".before-reset"


class WorkspaceError(GenesysLabError):
    """The workspace or the original notebooks cannot be found or written."""


@dataclass(frozen=True)
class WorkspaceReport:
    root: Path
    created: bool  # the folder was made now
    copied: tuple[str, ...]  # notebooks copied now (new to this workspace)
    kept: tuple[str, ...]  # notebooks already there, left as the learner has them


def originals() -> Path:
    """The repository's ``notebooks/`` (the package is installed from a clone, ``pip install -e``)."""
    here = Path(__file__).resolve().parents[2] / "notebooks"
    if not here.is_dir():
        raise WorkspaceError(f"no course notebooks at {here}: run this from a clone of the repository (pip install -e .)")
    return here


def default_root() -> Path:
    """``$GENESYS_LAB_WORKSPACE``, else ``workspace/`` beside ``notebooks/`` (git-ignored)."""
    from genesys_lab.course.tracking import ENV_WORKSPACE

    if os.environ.get(ENV_WORKSPACE):
        return Path(os.environ[ENV_WORKSPACE])
    return originals().parent / "workspace"


def course_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if COURSE_FILE.match(p.name))


def make_workspace(root: Path | str | None = None, *, source: Path | str | None = None) -> WorkspaceReport:
    """Create the workspace, or add the notebooks it lacks; a notebook that is there is never touched."""
    from genesys_lab.authority.store import write_atomic

    root = Path(root) if root is not None else default_root()
    source = Path(source) if source is not None else originals()
    if root.resolve() == source.resolve():
        raise UsageError(f"the workspace {root} is the folder of the original notebooks: choose another folder")
    created = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        copied, kept = [], []
        for original in course_files(source) + [source / n for n in SUPPORT_FILES if (source / n).is_file()]:
            target = root / original.name
            if target.exists():
                kept.append(original.name)
                continue
            write_atomic(target, original.read_bytes())
            copied.append(original.name)
    except OSError as error:
        raise WorkspaceError(f"cannot write the workspace {root}: {error.strerror}; choose a writable folder") from None
    return WorkspaceReport(root, created, tuple(copied), tuple(kept))


def reset_notebook(number: str, root: Path | str | None = None, *, source: Path | str | None = None) -> Path:
    """Put the original of notebook ``NN`` back in the workspace; the learner's copy is kept aside.

    The old copy goes to ``.before-reset/`` (with the time in its name), so a
    reset never loses notes; the notebook's scratch folder is emptied, since
    the original starts from nothing.
    """
    from genesys_lab.authority.store import write_atomic
    from genesys_lab.course.catalog import notebook
    from genesys_lab.course.lab import SCRATCH, remove

    root = Path(root) if root is not None else default_root()
    source = Path(source) if source is not None else originals()
    entry = notebook(number)
    original = source / entry.file
    if not original.is_file():
        raise WorkspaceError(f"notebook {entry.number} ({entry.file}) is not in {source} yet: nothing to reset it to")
    if not root.is_dir():
        raise WorkspaceError(f"there is no workspace {root}: make it first with 'genesys-lab course workspace' (make lab)")
    target = root / entry.file
    try:
        if target.exists():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            (root / BACKUPS).mkdir(exist_ok=True)
            write_atomic(root / BACKUPS / f"{entry.name}-{stamp}.ipynb", target.read_bytes())
        write_atomic(target, original.read_bytes())
        remove(root / SCRATCH / entry.name)
    except OSError as error:
        raise WorkspaceError(f"cannot reset {target}: {error.strerror}") from None
    return target
