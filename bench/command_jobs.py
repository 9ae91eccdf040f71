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


def _median(argv_for, runs: int, cwd: Path) -> float:
    env = lab_env()
    return statistics.median(run(argv_for(n), cwd=cwd, env=env)[0] for n in range(runs))


def run_jobs(work: Path, args) -> list[Result]:
    root = build_site(work / "site")
    runs = max(args.runs, 9)
    lab = str(BIN / "genesys-lab")
    floor = _median(lambda _n: [sys.executable, "-c", "import cryptography.x509"], runs, root)
    commands = [
        ("create_cert.sh", lambda n: [str(BIN / "create_cert.sh"), "-host", f"new{n}.site.example.com", "-CN", f"new{n}"]),
        ("list", lambda _n: [lab, "list"]),
        ("inspect 05", lambda _n: [lab, "inspect", "05"]),
        ("gen-crl", lambda _n: [lab, "gen-crl"]),
        # each run revokes another certificate (serials 0B, 0C, ...): revoking twice is refused
        ("revoke", lambda n: [lab, "revoke", f"{11 + n:02X}", "--reason", "superseded"]),
        ("verify 05 (with the CA's CRL)", lambda _n: [lab, "verify", "05"]),
    ]
    results = [
        Result("8 floor: python -c 'import cryptography.x509'", floor, None, None, note="interpreter + cryptography.x509")
    ]
    for name, argv_for in commands:
        results.append(
            Result(
                f"8 {name}, site CA ({SITE_CERTIFICATES} certificates)",
                _median(argv_for, runs, root),
                floor,
                TARGET,
                baseline="python floor",
                note="includes RSA-2048 key generation" if name == "create_cert.sh" else "",
            )
        )
    return results
