"""Exercises for the notebooks: per question ``check()``, ``hint()`` and ``solution()``.

In a notebook::

    from genesys_lab.exercises import for_notebook
    q1, q2 = for_notebook("03", work)
    q1                      # shows the question
    q1.check(answer)        # prints ✔ or ✘ with the reason, returns the Outcome
    q1.hint(); q1.solution()

The questions of notebook NN live in ``exNN.py``; the checking logic is in
``core.py`` and prints nothing, the notebook display is in ``display.py``.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

NOTEBOOKS = ("02", "03", "04", "05", "06", "07", "10")


def questions(notebook: str, workdir: Path | str, **params) -> tuple:
    """The core Question objects of one notebook, bound to its working folder (no printing)."""
    number = str(notebook).strip()
    if not re.fullmatch(r"\d\d", number) or number not in NOTEBOOKS:
        from genesys_lab.errors import UsageError

        raise UsageError(f"notebook {notebook!r} has no exercises: use one of {', '.join(NOTEBOOKS)}")
    module = importlib.import_module(f"{__name__}.ex{number}")
    return module.questions(workdir, **params)


def for_notebook(notebook: str, workdir: Path | str, **params) -> tuple:
    """The same questions wrapped for a notebook: checks print a one-line verdict."""
    from genesys_lab.exercises.display import Exercise

    return tuple(Exercise(q) for q in questions(notebook, workdir, **params))
