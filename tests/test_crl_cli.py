"""genesys-lab revoke, gen-crl, serve-crl and list --expiring, as a user types them."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from helpers import make_ca, run_tool, snapshot

from genesys_lab import cli, load_ca
from genesys_lab.authority.crl import load_crl
from genesys_lab.authority.crlserver import free_port
from genesys_lab.x509 import keys


@pytest.fixture(scope="module")
def base_ca(tmp_path_factory):
    """Certificates valid for 10, 20 and 100 days (one host key) under a CA with a local CDP."""
    root = tmp_path_factory.mktemp("clibase")
    ca = make_ca(root, "CLI CRL CA", crl_url=f"http://127.0.0.1:{free_port()}/lab.crl")
    host_key = keys.generate_rsa_key(1024)
    for i, days in enumerate([10, 20, 100]):
        ca.issue(f"host{i}.example.com", f"host{i}", key=host_key, key_size=1024, days=days)
    return root


@pytest.fixture
def ca_dir(base_ca, tmp_path):
    return shutil.copytree(base_ca, tmp_path / "ca")


def run(argv, capsys):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_revoke_by_serial_and_by_file_then_gen_crl(openssl, ca_dir, capsys):
    code, out, _ = run(["revoke", "0x02", "--reason", "KeyCompromise", "--ca-dir", ca_dir], capsys)
    assert code == 0 and re.match(r"Revoked certificate 02 \(/CN=host1\) at .* UTC, reason keyCompromise\n", out)
    code, out, _ = run(["revoke", ca_dir / "ca_conf/repository/03_host2_cert.pem", "--ca-dir", ca_dir], capsys)
    assert code == 0 and "Revoked certificate 03" in out and "reason" not in out.splitlines()[0]
    code, out, _ = run(["gen-crl", "--days", "7", "--ca-dir", ca_dir], capsys)
    assert code == 0 and "Published CRL number 1 with 2 revoked certificate(s)" in out
    assert "crl.pem" in out and "crl.der" in out
    text = run_tool(openssl, "crl", "-in", ca_dir / "ca_conf/crl.pem", "-noout", "-text").stdout
    assert re.findall(r"Serial Number: (\w+)", text) == ["02", "03"]
    info = load_crl(ca_dir / "ca_conf/crl.der")
    assert (info.next_update - info.this_update).days == 7


@pytest.mark.parametrize(
    "argv, code, words",
    [
        (["revoke", "0B"], 1, ["serial 0B is not in", "genesys-lab list"]),
        (["revoke", "01", "--reason", "stolen"], 1, ["'stolen'", "keyCompromise"]),
        (["revoke", "missing.pem"], 1, ["'missing.pem'"]),
        (["gen-crl", "--days", "0"], 2, ["--days 0"]),
        (["gen-crl", "--days", "many"], 2, ["'many'"]),
        (["serve-crl", "--delay", "-1"], 2, ["delay -1"]),
    ],
)
def test_errors_are_one_line_and_change_nothing(ca_dir, capsys, argv, code, words):
    before = snapshot(ca_dir)
    got, out, err = run([*argv, "--ca-dir", ca_dir], capsys)
    assert got == code and out == ""
    assert len(err.strip().splitlines()) == 1 and all(w in err for w in words), err
    assert snapshot(ca_dir) == before


def test_revoking_twice_fails(ca_dir, capsys):
    assert run(["revoke", "01", "--ca-dir", ca_dir], capsys)[0] == 0
    code, _, err = run(["revoke", "01", "--ca-dir", ca_dir], capsys)
    assert code == 1 and "already revoked" in err


def test_list_expiring(ca_dir, capsys):
    code, out, _ = run(["list", "--expiring", "30", "--json", "--ca-dir", ca_dir], capsys)
    assert code == 0 and [r["serial"] for r in json.loads(out)] == ["01", "02"]
    run(["revoke", "01", "--ca-dir", ca_dir], capsys)
    code, out, _ = run(["list", "--expiring", "30", "--ca-dir", ca_dir], capsys)
    rows = out.splitlines()[1:]
    assert code == 0 and [r.split()[0] for r in rows] == ["02"]
    code, out, _ = run(["list", "--expiring", "5", "--ca-dir", ca_dir], capsys)
    assert code == 0 and not re.search(r"^0[123]\b", out, re.MULTILINE)
    assert run(["list", "--expiring", "soon", "--ca-dir", ca_dir], capsys)[0] == 2


def test_serve_crl_until_ctrl_c(ca_dir, capsys):
    """A real process: it prints the URL, serves crl.der there, and stops cleanly on SIGINT."""
    assert run(["revoke", "02", "--ca-dir", ca_dir], capsys)[0] == 0
    assert run(["gen-crl", "--ca-dir", ca_dir], capsys)[0] == 0
    url = load_ca(ca_dir).crl_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "genesys_lab.cli", "serve-crl", "--ca-dir", str(ca_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("Serving") and first.strip().endswith(f" at {url}")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == (Path(ca_dir) / "ca_conf/crl.der").read_bytes()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_help_does_not_import_pandas():
    code = (
        "import sys; from genesys_lab.cli.main import build_parser; build_parser();"
        "print(sorted(m for m in ('pandas', 'ipywidgets') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    )
    assert proc.stdout.strip() == "[]", proc.stderr
