"""Job 8: the everyday commands at site scale (a CA with 50 certificates), over Python's own floor.

The floor is ``python -c "import cryptography.x509"``: start the interpreter
and load the library every command needs. What a command costs beyond it is
the lab's own start-up (imports, loading the CA) plus its work, and that is
what moving modules around could slow down (issue 9, section 5). Each row is
the command's median wall time over the floor's median, measured in the same
run; target 1.6. ``create_cert.sh`` also generates an RSA-2048 key (job 1a:
about 40 ms of random prime search), which no start-up work can remove.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

from genesys_lab import create_ca

from .harness import BIN, Result, lab_env, run

SITE_CERTIFICATES = 50
TARGET = 1.6


def build_site(root: Path) -> Path:
    """A CA with 50 host certificates and a published CRL, as a mid-size Genesys site has."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    ca = create_ca(root, "Site CA", days=3650).ca
    ca.issue_many([dict(host=f"app{n:02d}.site.example.com", cn=f"app{n:02d}") for n in range(SITE_CERTIFICATES)])
    from genesys_lab.authority.crl import generate_crl

    generate_crl(ca)
    return root


def _paired(argv_for, floor_argv, runs: int, cwd: Path) -> tuple[float, float]:
    """Medians of the command and of the floor, runs alternating, so that a busy moment of
    this shared machine weighs on both sides of the ratio alike."""
    env = lab_env()
    lab, floor = [], []
    for n in range(runs):
        floor.append(run(floor_argv, cwd=cwd, env=env)[0])
        lab.append(run(argv_for(n), cwd=cwd, env=env)[0])
    return statistics.median(lab), statistics.median(floor)


def compile_package() -> None:
    """Byte-compile the lab as any installation has it (pip compiles what it installs; an editable
    checkout compiles on first import), so no run pays for compiling sources. This matters where
    PYTHONDONTWRITEBYTECODE is set (as in this project's sandbox): otherwise every command would
    compile the lab's modules afresh, about 20 ms, while cryptography's bytecode came with its wheel."""
    import compileall

    import genesys_lab

    compileall.compile_dir(Path(genesys_lab.__file__).parent, quiet=1)


def run_jobs(work: Path, args) -> list[Result]:
    compile_package()
    root = build_site(work / "site")
    runs = max(args.runs, 9)
    lab = str(BIN / "genesys-lab")
    floor_argv = [sys.executable, "-c", "import cryptography.x509"]
    commands = [
        ("create_cert.sh", lambda n: [str(BIN / "create_cert.sh"), "-host", f"new{n}.site.example.com", "-CN", f"new{n}"]),
        ("list", lambda _n: [lab, "list"]),
        ("inspect 05", lambda _n: [lab, "inspect", "05"]),
        ("gen-crl", lambda _n: [lab, "gen-crl"]),
        # each run revokes another certificate (serials 0B, 0C, ...): revoking twice is refused
        ("revoke", lambda n: [lab, "revoke", f"{11 + n:02X}", "--reason", "superseded"]),
        ("verify 05 (with the CA's CRL)", lambda _n: [lab, "verify", "05"]),
    ]
    results = []
    for name, argv_for in commands:
        median_lab, median_floor = _paired(argv_for, floor_argv, runs, root)
        results.append(
            Result(
                f"8 {name}, site CA ({SITE_CERTIFICATES} certificates)",
                median_lab,
                median_floor,
                TARGET,
                baseline="python -c 'import cryptography.x509'",
                note="includes RSA-2048 key generation (job 1a)" if name == "create_cert.sh" else "floor measured alternately",
            )
        )
    return results
