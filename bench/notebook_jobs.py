"""Job 6: the notebook suite under nbval (strict, with the sanitize file): total time and the slowest notebook."""

from __future__ import annotations

import sys
from pathlib import Path

from .harness import Result, run

ROOT = Path(__file__).resolve().parent.parent


def run_jobs(work: Path, args) -> list[Result]:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        return []
    times = {}
    for notebook in notebooks:
        wall, _ = run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--nbval",
                str(notebook),
                "--nbval-sanitize-with",
                str(ROOT / "notebooks/sanitize.cfg"),
            ],
            cwd=ROOT,
        )
        times[notebook.name] = wall
    slowest = max(times, key=times.get)
    return [
        Result(
            f"6 notebook suite under nbval ({len(times)} notebooks)",
            sum(times.values()),
            None,
            None,
            baseline="-",
            note="each notebook in its own pytest run, kernel start included",
        ),
        Result(f"6a  slowest notebook: {slowest}", times[slowest], None, None, baseline="-"),
    ]
