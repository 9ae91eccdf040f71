"""Timing helpers: medians of repeated runs, child-process timing and peak memory, the machine's description.

No absolute time is a target here (the machine is shared and noisy): every
job is measured against the OpenSSL command line in the same run and
reported as a ratio.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Result:
    job: str
    lab: float  # seconds (or MiB for memory jobs), median
    openssl: float | None  # same unit, median; None when the job has no OpenSSL side
    target: float | None  # highest acceptable ratio lab/openssl (or lab/baseline)
    unit: str = "s"
    note: str = ""
    baseline: str = "openssl"

    @property
    def ratio(self) -> float | None:
        if self.openssl in (None, 0):
            return None
        return self.lab / self.openssl

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def median_time(func, runs: int, setup=None) -> float:
    """Median wall time of ``func()`` over ``runs`` calls; ``setup()`` runs untimed before each."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


GNU_TIME = Path("/usr/bin/time")


def run(args, *, cwd=None, env=None, check=True) -> tuple[float, float | None]:
    """Run a command; return (wall seconds, peak resident MiB of it and its children, or None).

    Peak memory comes from GNU time: a child forked from this (large) Python
    process would report Python's resident size as its own peak, because
    Linux keeps the high-water mark across exec; GNU time's own fork is tiny.
    """
    report = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-rss-{os.getpid()}"
    command = [str(a) for a in args]
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-f", "%M", "-o", str(report), *command]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, args))} failed ({proc.returncode}): {proc.stderr.decode(errors='replace').strip()[:400]}"
        )
    if not GNU_TIME.exists():
        return wall, None
    lines = report.read_text().split()
    return wall, int(lines[-1]) / 1024


def machine() -> dict:
    import cryptography

    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "openssl_cli": openssl,
    }


def lab_env() -> dict:
    """The environment in which the lab's installed commands are found first."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure the lab as installed, with its bytecode (command_jobs)
    return env
