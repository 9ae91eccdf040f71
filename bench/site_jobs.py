"""Job 10: a site's runbook for 200 hosts against issuing the same 200 certificates alone.

Both sides start from an empty folder and make 200 RSA-2048 host certificates with issue_many (keys on
every core); the runbook side also plans, writes each host's bundle (install.deploy), its Genesys options
and the runbook, calendar and timeline. The ratio is what the documentation costs on top of issuing.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .harness import Result

PLATFORMS = ("unix", "windows", "java-pem", "java-keystore")


def _inventory(path: Path, hosts: int) -> list[dict]:
    rows = [{"host": f"h{n:03d}.example.com", "cn": f"h{n:03d}", "ip": f"10.1.{n // 250}.{n % 250 + 1}"} for n in range(hosts)]
    lines = ["host,cn,ip,profile,platform"] + [
        f"{r['host']},{r['cn']},{r['ip']},server,{PLATFORMS[i % 4]}" for i, r in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return rows


def run_jobs(work: Path, args) -> list[Result]:
    from genesys_lab import create_ca
    from genesys_lab.site.procedure import SiteSettings, run_procedure
    from genesys_lab.site.runbook import write_runbook

    hosts = getattr(args, "hosts", 200)
    root = work / "site"
    shutil.rmtree(root, ignore_errors=True)
    (root / "issue").mkdir(parents=True)
    rows = _inventory(root / "hosts.csv", hosts)

    start = time.perf_counter()
    ca = create_ca(root / "issue", "Bench CA", days=1825).ca
    ca.issue_many([dict(r, days=365) for r in rows])
    alone = time.perf_counter() - start

    start = time.perf_counter()
    proc = run_procedure(
        SiteSettings("Bench site", root / "hosts.csv", root / "runbook", keystore_password="bench-only-password")
    )
    write_runbook(proc)
    runbook = time.perf_counter() - start
    return [
        Result(
            f"10 runbook for {hosts} hosts (bundles, options, calendar, runbook)",
            runbook,
            alone,
            None,
            baseline="issuing them alone",
            note=f"{runbook / hosts * 1000:.0f} ms per host; issuing alone {alone / hosts * 1000:.0f} ms per host",
        )
    ]
