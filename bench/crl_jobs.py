"""Job 4 and 7b: a CA whose ca.db holds 100,000 certificates, half revoked: CRL, revoke, status, peak memory.

The state is built from ca.db alone, as ``openssl ca`` keeps it: 100,000
lines written directly (no key generations), plus one real certificate so
that ``openssl ca -revoke FILE`` has a file to revoke.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from genesys_lab import create_ca, load_ca
from genesys_lab.authority.crl import generate_crl
from genesys_lab.authority.revoke import revoke

from .harness import Result, lab_env, median_time, run

ROWS = 100_000


def build_large_ca(root: Path, rows: int = ROWS) -> tuple[Path, str]:
    """A CA with ``rows`` ca.db lines (every other one revoked) and one real certificate after them."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    ca = create_ca(root, "Large CA", days=3650).ca
    ca.paths.serial.write_text(f"{rows + 1:06X}\n")
    real = ca.issue("real.example.com", "real")
    real_line = ca.paths.db.read_text()
    lines = []
    for n in range(1, rows + 1):
        revoked = n % 2 == 0
        lines.append(
            "\t".join(
                [
                    "R" if revoked else "V",
                    "300101000000Z",
                    "260101120000Z,keyCompromise" if revoked else "",
                    f"{n:06X}",
                    "unknown",
                    f"/CN=host{n}",
                ]
            )
        )
    ca.paths.db.write_text("\n".join(lines) + "\n" + real_line)
    return root, real.serial


def run_jobs(work: Path, args) -> list[Result]:
    root, real_serial = build_large_ca(work / "large")
    conf = root / "ca_conf"
    pristine = (conf / "ca.db").read_bytes()

    def restore():
        (conf / "ca.db").write_bytes(pristine)

    ca = load_ca(root)
    runs = max(3, args.runs // 2)
    lab_crl = median_time(lambda: generate_crl(ca), runs)
    openssl_crl = _median_run(["openssl", "ca", "-config", "ca_conf/ca.conf", "-gencrl", "-out", "ca_conf/crl.pem"], root, runs)
    cmd_crl = _median_run([Path(sys.executable).parent / "genesys-lab", "gen-crl", "--ca-dir", str(root)], root, runs)
    lab_revoke = median_time(lambda: revoke(load_ca(root), real_serial, "superseded"), runs, setup=restore)
    openssl_revoke = _median_run(
        [
            "openssl",
            "ca",
            "-config",
            "ca_conf/ca.conf",
            "-revoke",
            f"ca_conf/repository/{real_serial}.pem",
            "-crl_reason",
            "superseded",
        ],
        root,
        runs,
        setup=restore,
    )
    restore()
    lab_status = median_time(lambda: load_ca(root).record(real_serial).status, runs)
    openssl_status = _median_run(["openssl", "ca", "-config", "ca_conf/ca.conf", "-status", real_serial], root, runs)
    _, lab_mem = run(
        [sys.executable, "-c", f"from genesys_lab.authority.crl import generate_crl; generate_crl({str(root)!r})"], env=lab_env()
    )
    _, openssl_mem = run(["openssl", "ca", "-config", "ca_conf/ca.conf", "-gencrl", "-out", "ca_conf/crl.pem"], cwd=root)
    return [
        Result("4 gen-crl, 100,000-row ca.db (50,000 revoked)", lab_crl, openssl_crl, 1.0, note="in process, through the API"),
        Result("4a  gen-crl as a command (genesys-lab gen-crl)", cmd_crl, openssl_crl, None, note="Python start-up included"),
        Result("4b revoke one more certificate", lab_revoke, openssl_revoke, 1.0, note="ca.db rewritten atomically"),
        Result("4c load the CA, look up one serial's status", lab_status, openssl_status, 1.0),
        Result(
            "7b peak memory: gen-crl with 50,000 entries",
            lab_mem,
            openssl_mem,
            None,
            unit="MiB",
            note="whole process, Python interpreter included",
        ),
    ]


def _median_run(args, cwd, runs, setup=None) -> float:
    from statistics import median

    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        times.append(run(args, cwd=cwd, check=args[-2] != "-status")[0])
    return median(times)
