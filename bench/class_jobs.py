"""Job 9: a class on one server: 1, 3 and 6 learners running the whole course at the same time.

Each learner has a workspace of their own (a copy of notebooks/) and runs every course notebook top
to bottom in a kernel, as Run All does (nbclient, the engine behind nbval and papermill). Reported:
the wall time for the class to finish against the floor of one learner alone (the ratio says how
the course scales on this machine's cores), and each learner's peak resident memory (their runner,
kernels and every process a notebook starts), sampled every 0.2 s. These figures size a hub:
hub/README.md turns them into learners per core and GiB.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from .harness import Result

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZES = (1, 3, 6)

RUNNER = """
import sys, nbformat
from pathlib import Path
from nbclient import NotebookClient
for path in sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
"""


def _tree_rss(proc) -> int:
    import psutil

    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def _run_class(work: Path, size: int) -> tuple[float, list[float]]:
    import psutil

    learners = []
    for n in range(size):
        home = work / f"class{size}" / f"learner{n}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(ROOT / "notebooks", home, ignore=shutil.ignore_patterns("scratch", ".ipynb_checkpoints"))
        learners.append(home)
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", RUNNER, str(home)], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for home in learners
    ]
    peaks = [0] * size
    watched = [psutil.Process(p.pid) for p in procs]
    done = threading.Event()

    def sample():
        while not done.is_set():
            for i, proc in enumerate(watched):
                peaks[i] = max(peaks[i], _tree_rss(proc))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    errors = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    failed = [e.decode(errors="replace")[-400:] for p, e in zip(procs, errors) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"a learner's course run failed: {failed[0]}")
    return wall, [peak / 2**20 for peak in peaks]


def run_jobs(work: Path, args) -> list[Result]:
    results = []
    alone = None
    notebooks = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    for size in CLASS_SIZES:
        wall, peaks = _run_class(work / "class", size)
        alone = alone or wall
        results.append(
            Result(
                f"9 {size} learner{'s' if size > 1 else ''} run the course ({notebooks} notebooks) at once",
                wall,
                alone,
                None,
                baseline="one learner alone",
                note=f"peak memory per learner: max {max(peaks):.0f} MiB, median {sorted(peaks)[len(peaks) // 2]:.0f} MiB",
            )
        )
    return results
