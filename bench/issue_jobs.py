"""Jobs 1, 2, 3 and 7a: issuing certificates, in process, as a command, as an inventory; and peak memory."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from genesys_lab import create_ca, load_ca
from genesys_lab.x509.keys import generate_rsa_key

from .harness import Result, lab_env, median_time, run

# What the Security Pack's create_cert.sh does with the OpenSSL command line, in the same layout.
OPENSSL_PIPELINE = r"""set -e
serial=$(head -n1 ca_conf/serial.num)
openssl genrsa -traditional -out tmp_key.pem 2048 2>/dev/null
openssl req -new -key tmp_key.pem -subj "/CN=$2" -addext "subjectAltName=DNS:$1" -out tmp.csr 2>/dev/null
openssl ca -batch -config ca_conf/ca.conf -in tmp.csr -out tmp_cert.pem 2>/dev/null
short=${1%%.*}
mv tmp_cert.pem "ca_conf/repository/${serial}_${short}_cert.pem"
mv tmp_key.pem "ca_conf/repository/${serial}_${short}_priv_key.pem"
openssl pkcs12 -export -in "ca_conf/repository/${serial}_${short}_cert.pem" \
  -inkey "ca_conf/repository/${serial}_${short}_priv_key.pem" -certfile ca_conf/ca_cert.pem \
  -passout pass: -out "ca_conf/repository/${serial}_${short}_cert.pfx"
rm -f tmp.csr
"""

# The same without key generation: the key is made beforehand (job 1b).
OPENSSL_PIPELINE_GIVEN_KEY = OPENSSL_PIPELINE.replace(
    "openssl genrsa -traditional -out tmp_key.pem 2048 2>/dev/null", 'cp "$3" tmp_key.pem'
)


class Workspace:
    """A lab CA and an identical copy that only the OpenSSL command line touches."""

    def __init__(self, root: Path):
        self.root = root
        self.lab_dir = root / "lab"
        self.openssl_dir = root / "openssl"
        for d in (self.lab_dir, self.openssl_dir):
            if d.exists():
                shutil.rmtree(d)
        self.lab_dir.mkdir(parents=True)
        create_ca(self.lab_dir, "Bench CA", days=3650)
        shutil.copytree(self.lab_dir, self.openssl_dir, dirs_exist_ok=True)
        self.script = root / "openssl_create_cert.sh"
        self.script.write_text(OPENSSL_PIPELINE)
        self.script_given_key = root / "openssl_create_cert_given_key.sh"
        self.script_given_key.write_text(OPENSSL_PIPELINE_GIVEN_KEY)
        self.names = (f"h{n}" for n in itertools.count())

    def next_host(self) -> tuple[str, str]:
        name = next(self.names)
        return f"{name}.bench.example.com", name

    def openssl_issue(self) -> float:
        host, cn = self.next_host()
        return run(["bash", self.script, host, cn], cwd=self.openssl_dir)[0]


def job_issue_in_process(ws: Workspace, runs: int) -> list[Result]:
    """Job 1: one certificate with its four files through the API, against genrsa + req + ca + pkcs12."""
    ca = load_ca(ws.lab_dir)
    lab = median_time(lambda: ca.issue(*ws.next_host()), runs)
    openssl = _median(ws.openssl_issue, runs)
    lab_key = median_time(lambda: generate_rsa_key(2048), runs * 2)
    key_file = ws.root / "k.pem"
    openssl_key = _median(lambda: run(["openssl", "genrsa", "-traditional", "-out", str(key_file), "2048"])[0], runs * 2)
    from genesys_lab.x509.keys import load_private_key_file

    given = load_private_key_file(key_file)
    rest_lab = median_time(lambda: ca.issue(*ws.next_host(), key=given), runs)
    rest_openssl = _median(lambda: run(["bash", ws.script_given_key, *ws.next_host(), key_file], cwd=ws.openssl_dir)[0], runs)
    return [
        Result(
            "1 issue one certificate, in process (4 files)",
            lab,
            openssl,
            0.5,
            note="RSA key generation is most of both sides; see the two rows below",
        ),
        Result(
            "1a  of which: RSA-2048 key generation",
            lab_key,
            openssl_key,
            None,
            note="same OpenSSL code; openssl genrsa also pays a process start",
        ),
        Result(
            "1b  the same with a key made beforehand",
            rest_lab,
            rest_openssl,
            None,
            note="signing, database, PKCS#12, files; OpenSSL: req + ca + pkcs12",
        ),
    ]


def job_issue_command(ws: Workspace, runs: int) -> tuple[Result, Result]:
    """Job 2 (and 7a): create_cert.sh as a whole process against the OpenSSL shell pipeline."""
    env = lab_env()
    runs = max(runs * 2, 15)  # both sides include a random prime search: more runs for a stable median
    lab_runs, lab_mem = [], []
    for _ in range(runs):
        host, cn = ws.next_host()
        wall, rss = run(["create_cert.sh", "-host", host, "-CN", cn], cwd=ws.lab_dir, env=env)
        lab_runs.append(wall)
        lab_mem.append(rss)
    openssl_runs, openssl_mem = [], []
    for _ in range(runs):
        host, cn = ws.next_host()
        wall, rss = run(["bash", ws.script, host, cn], cwd=ws.openssl_dir)
        openssl_runs.append(wall)
        openssl_mem.append(rss)
    from statistics import median

    return (
        Result("2 create_cert.sh as a process (start-up included)", median(lab_runs), median(openssl_runs), 1.0),
        Result(
            "7a peak memory: issue one certificate from the command line",
            max(lab_mem),
            max(openssl_mem),
            None,
            unit="MiB",
            note="largest single process; OpenSSL side: the largest of its commands",
        ),
    )


def job_inventory(ws: Workspace, hosts: int) -> Result:
    """Job 3: a site inventory in one call (every core) against issuing one after another."""
    rows = [dict(host=f"inv{n}.site.example.com", cn=f"inv{n}") for n in range(hosts)]
    seq_dir, par_dir = ws.root / "seq", ws.root / "par"
    for d in (seq_dir, par_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
        create_ca(d, "Inventory CA", days=3650)
    seq_ca, par_ca = load_ca(seq_dir), load_ca(par_dir)
    sequential = median_time(lambda: [seq_ca.issue(r["host"], r["cn"]) for r in rows], 1)
    parallel = median_time(lambda: par_ca.issue_many(rows), 1)
    return Result(
        f"3 inventory of {hosts} hosts in one call",
        parallel,
        sequential,
        0.6,
        baseline="lab, one after another",
        note="baseline is the lab issuing them one by one",
    )


def _median(func, runs: int) -> float:
    from statistics import median

    return median(func() for _ in range(runs))
