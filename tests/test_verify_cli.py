"""genesys-lab verify and lint: exit codes, the table, JSON, and the CA's own CRL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from helpers import make_crl

from genesys_lab import cli


def run(argv):
    try:
        return cli.main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code


@pytest.fixture
def lab(fresh_ca):
    """A fresh 1024-bit CA with a server certificate 01 for app01.example.com / 10.0.0.5."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    issued = fresh_ca.issue("app01.example.com", "app01", ip="10.0.0.5", key=key)
    return fresh_ca, issued


def test_valid_certificate_exits_0_and_prints_the_table(lab, capsys):
    ca, issued = lab
    rc = run(
        [
            "verify",
            issued.cert_file,
            "--ca-dir",
            ca.paths.root,
            "--purpose",
            "server",
            "--hostname",
            "app01.example.com",
            "--ip",
            "10.0.0.5",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "chain signature   PASS" in out and "host name         PASS" in out
    assert "key strength      WARN" in out and "openssl verify accepts it" in out  # the 1024-bit keys
    assert "verdict: VALID (1 warning)" in out


def test_wrong_host_exits_1_and_says_what_to_do(lab, capsys):
    ca, issued = lab
    rc = run(["verify", issued.cert_file, "--ca", ca.paths.cert, "--hostname", "db01.example.com"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "verdict: NOT VALID (host name failed)" in out
    assert "host name: " in out.split("what to do:")[1]


def test_ca_dir_uses_the_current_crl_unless_no_crl(lab, capsys):
    ca, issued = lab
    crl = make_crl(ca.certificate.subject, ca.key, [issued.certificate.serial_number])
    ca.paths.crl_pem.write_bytes(crl.public_bytes(Encoding.PEM))
    assert run(["verify", "01", "--ca-dir", ca.paths.root]) == 1
    assert "revocation        FAIL" in capsys.readouterr().out
    assert run(["verify", "01", "--ca-dir", ca.paths.root, "--no-crl"]) == 0
    assert "revocation        SKIP" in capsys.readouterr().out


def test_explicit_crl_file_and_json(lab, tmp_path, capsys):
    ca, issued = lab
    crl_file = tmp_path / "other.der"
    crl_file.write_bytes(make_crl(ca.certificate.subject, ca.key, [0x7F]).public_bytes(Encoding.DER))
    rc = run(["verify", issued.cert_file, "--ca", ca.paths.cert, "--crl", crl_file, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["valid"] is True
    assert {c["check"]: c["status"] for c in data["checks"]}["revocation"] == "pass"


def test_require_crl_and_at(lab, capsys):
    ca, issued = lab
    assert run(["verify", issued.cert_file, "--ca", ca.paths.cert, "--require-crl"]) == 1
    assert run(["verify", issued.cert_file, "--ca", ca.paths.cert, "--at", "+200d"]) == 1
    assert "certificate has expired" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--crl", "x.pem", "--no-crl"], ["--at", "soon"], ["--purpose", "mail"]])
def test_usage_errors_exit_2_in_one_line(lab, argv, capsys):
    ca, issued = lab
    assert run(["verify", issued.cert_file, "--ca", ca.paths.cert, *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_lint_whole_ca_and_single_files(lab, capsys):
    ca, issued = lab
    assert run(["lint", "--ca-dir", ca.paths.root]) == 1  # 1024-bit keys are errors
    out = capsys.readouterr().out
    assert "rsa-key-size" in out and "how to fix:" in out
    assert run(["lint", issued.cert_file, "--role", "server", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert {r["rule"] for r in rows} == {"rsa-key-size"} and rows[0]["role"] == "server"


def test_lint_clean_certificate_exits_0(session_ca, capsys):
    issued = session_ca.issue("web01.example.com", "web01")
    assert run(["lint", issued.cert_file, session_ca.paths.cert]) == 0
    out = capsys.readouterr().out
    assert out.count("OK") == 2 and "0 errors" in out


def test_lint_without_anything_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["lint"]) == 2
    assert "--ca-dir" in capsys.readouterr().err


def test_help_does_not_import_pandas():
    code = (
        "import sys; from genesys_lab import cli; cli.build_parser(); "
        "import genesys_lab.checks.verify, genesys_lab.checks.lint; assert 'pandas' not in sys.modules, 'pandas imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_file_is_named(lab, capsys):
    ca, _ = lab
    assert run(["verify", "nope.pem", "--ca-dir", ca.paths.root]) == 1
    assert "cannot read certificate nope.pem" in capsys.readouterr().err


# -- the options that map to openssl verify's (issue 17) -------------------------------------------------


@pytest.fixture
def site(tmp_path):
    """Files for a site with a root, an intermediate, a migration root and a constrained CA (EC keys)."""
    from test_verify_differential import (
        CASES,
        INTER,
        LEAF_UNDER_INTER,
        NEW_ROOT,
        ROOT,
        _pem,
    )

    files = {
        "root.pem": ROOT.cert,
        "inter.pem": INTER.cert,
        "leaf.pem": LEAF_UNDER_INTER,
        "new-root.pem": NEW_ROOT.cert,
    }
    for name, cert in files.items():
        (tmp_path / name).write_bytes(_pem(cert))
    (tmp_path / "bundle.pem").write_bytes(_pem(NEW_ROOT.cert) + _pem(ROOT.cert))
    for name in ("duplicate-extension-in-leaf", "nc-odd-ip-mask-inside", "unreadable-issuer-key", "v3-root-without-bc-default"):
        leaf, ca, chain, _ = CASES[name].build(None)
        (tmp_path / f"{name}.leaf.pem").write_bytes(_pem(leaf))
        (tmp_path / f"{name}.ca.pem").write_bytes(_pem(ca))
        (tmp_path / f"{name}.chain.pem").write_bytes(b"".join(_pem(c) for c in chain))
    return tmp_path


@pytest.mark.parametrize(
    "argv, rc, words",
    [
        (["--ca", "inter.pem"], 1, "unable to get issuer certificate"),
        (["--ca", "inter.pem", "--partial-chain"], 0, "an anchor only with --partial-chain"),
        (["--ca", "root.pem", "--untrusted", "inter.pem"], 0, "every signature verifies"),
        (["--ca", "new-root.pem", "--ca", "root.pem", "--chain", "inter.pem"], 0, "every signature verifies"),
        (["--ca", "bundle.pem", "--untrusted", "inter.pem", "--purpose", "server"], 0, "verdict: VALID"),
        (["--ca", "root.pem", "--untrusted", "inter.pem", "--verify-depth", "0"], 1, "certificate chain too long"),
        (["--ca", "root.pem", "--untrusted", "inter.pem", "--verify-depth", "1", "--x509-strict"], 0, "verdict: VALID"),
        (["--ca", "root.pem", "--untrusted", "inter.pem", "--email", "agent@example.com"], 1, "email address mismatch"),
    ],
)
def test_openssl_options(site, monkeypatch, capsys, argv, rc, words):
    monkeypatch.chdir(site)
    assert run(["verify", "leaf.pem", *argv]) == rc
    assert words in capsys.readouterr().out


def test_x509_strict_refuses_a_root_without_basic_constraints(site, monkeypatch, capsys):
    monkeypatch.chdir(site)
    name = "v3-root-without-bc-default"
    assert run(["verify", f"{name}.leaf.pem", "--ca", f"{name}.ca.pem"]) == 0
    assert run(["verify", f"{name}.leaf.pem", "--ca", f"{name}.ca.pem", "--x509-strict"]) == 1
    assert "-x509_strict does not" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, words",
    [
        ("duplicate-extension-in-leaf", "OpenSSL refuses it too"),
        ("nc-odd-ip-mask-inside", "Deliberate difference: OpenSSL reads it"),
        ("unreadable-issuer-key", "unable to decode issuer public key"),
    ],
)
def test_unreadable_certificates_are_one_line_never_a_traceback(site, monkeypatch, capsys, name, words):
    monkeypatch.chdir(site)
    argv = ["verify", f"{name}.leaf.pem", "--ca", f"{name}.ca.pem"]
    if (site / f"{name}.chain.pem").read_bytes():
        argv += ["--untrusted", f"{name}.chain.pem"]
    assert run([*argv, "--purpose", "server", "--hostname", "app01.example.com", "--ip", "10.7.0.9"]) == 1
    out, err = capsys.readouterr()
    assert words in out and "Traceback" not in out + err
    assert run([*argv, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and next(c for c in data["checks"] if c["status"] == "fail")["check"] == "chain signature"


def test_negative_verify_depth_is_a_usage_error(site, monkeypatch, capsys):
    monkeypatch.chdir(site)
    assert run(["verify", "leaf.pem", "--ca", "root.pem", "--verify-depth", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--verify-depth" in err
