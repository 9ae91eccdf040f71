"""Small helpers for the notebooks: a scratch directory per notebook, listing files, running the commands.

No cryptography here: notebooks call the core API, and use these only to
keep each notebook re-runnable from the top and its stored output tidy.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

SCRATCH = "scratch"


def scratch(name: str, *, base: Path | str = ".") -> Path:
    """A fresh, empty ``scratch/<name>`` beside the notebook (removed first if it exists).

    Every notebook works only in its own scratch directory, so running it
    again from the top starts from the same state and never touches a real CA.
    """
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"scratch name {name!r} must be a plain folder name such as '02_create_the_ca'")
    root = Path(base) / SCRATCH / name
    remove(root)
    root.mkdir(parents=True)
    return root


def remove(path: Path | str) -> None:
    """Remove a file or a folder of lab output (read-only key files included); nothing if it is absent.

    Used by ``scratch()`` and by an exercise's ``reset()``, which removes what a
    learner's answer made so that the question can be attempted again.
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        _make_writable(path)
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _make_writable(root: Path) -> None:
    """Read-only key files (mode 0400) are removable on POSIX, but not on Windows without this."""
    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def environment_report() -> dict[str, str]:
    """What the lab runs on: versions, and whether the real tools it compares against are installed.

    The notebooks print this instead of importing packages themselves; the
    values are the ones a bug report needs.
    """
    import platform

    import cryptography

    from genesys_lab import __version__

    report = {"Python": platform.python_version(), "genesys_lab": __version__, "cryptography": cryptography.__version__}
    for tool in ("openssl", "keytool", "javac"):
        report[tool] = "found" if shutil.which(tool) else "not found"
    return report


def files(directory: Path | str) -> list[tuple[str, str, int]]:
    """(relative path, permissions like ``-rw-------``, size) for every file, sorted: never the contents."""
    root = Path(directory)
    return [
        (str(p.relative_to(root)), stat.filemode(p.stat().st_mode), p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]


def show_files(directory: Path | str) -> None:
    """Print ``files()`` as the learner would see ``ls -l``."""
    for name, mode, _size in files(directory):
        print(f"{mode}  {name}")


def sh(command: str, *, cwd: Path | str = ".", input: str | None = None) -> int:
    """Run one of the lab's commands (``create_cert.sh ...``) as in a terminal and print its output.

    The lab's commands are installed beside the Python running this kernel;
    that folder is put first on PATH so the notebook finds them even when the
    virtual environment is not activated.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(shlex.split(command), cwd=cwd, env=env, input=input, capture_output=True, text=True)
    print(f"$ {command}")
    if proc.stdout:
        print(proc.stdout, end="")
    if proc.stderr:
        print(proc.stderr, end="")
    print(f"[exit {proc.returncode}]")
    return proc.returncode
