"""The command lines: the guide's scripts with its exact options, and genesys-lab subcommands."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GUIDE_CA_ARGS, snapshot

from genesys_lab import cli
from genesys_lab.cli import scripts

BIN = Path(sys.executable).parent
GUIDE_CA = GUIDE_CA_ARGS


def run_installed(command, *args, cwd):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([command, *args], cwd=cwd, env=env, capture_output=True, text=True)


def exit_code(main, argv):
    """The exit status a shell would see: argparse usage errors raise SystemExit(2)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


@pytest.fixture
def script_ca(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert scripts.create_ca_main(GUIDE_CA + ["-keySz", "1024"]) == 0
    return tmp_path


def test_guide_examples_as_installed_commands(tmp_path):
    made = run_installed("create_ca.sh", *GUIDE_CA, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "ca_conf/ca_priv_key.pem" in made.stdout
    issued = run_installed("create_cert.sh", "-host", "myHOST.domain1.domain2.com", "-CN", "myWorkstation", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    assert "ca_conf/repository/01_myHOST_cert.pfx" in issued.stdout
    assert (tmp_path / "ca_conf/repository/01_myHOST_priv_key.pem").exists()


def test_every_create_cert_option(script_ca):
    rc = scripts.create_cert_main(
        [
            "-keySz",
            "1024",
            "-time",
            "30",
            "-dgst",
            "sha384",
            "-host",
            "app.example.com",
            "-CN",
            "app",
            "-IP",
            "10.1.1.1",
            "-E",
            "ops@example.com",
            "-OU",
            "IT",
            "-O",
            "Org",
            "-L",
            "Z\u00fcrich",
            "-S",
            "ZH",
            "-C",
            "CH",
            "-SANdomain",
            "a.example.com, b.example.com",
            "-SANip",
            "10.1.1.2,10.1.1.3",
            "-profile",
            "gui",
        ]
    )
    assert rc == 0
    from genesys_lab import describe

    info = describe(script_ca / "ca_conf/repository/01_app_cert.pem")
    assert info.san_dns == ("app.example.com", "a.example.com", "b.example.com")
    assert info.san_ip == ("10.1.1.1", "10.1.1.2", "10.1.1.3")
    assert info.signature_algorithm == "sha384WithRSAEncryption" and info.key_size == 1024
    assert info.extended_key_usage == ("clientAuth",)
    assert dict(info.subject) == {
        "C": "CH",
        "ST": "ZH",
        "L": "Z\u00fcrich",
        "O": "Org",
        "OU": "IT",
        "CN": "app",
        "emailAddress": "ops@example.com",
    }
    assert (info.not_after - info.not_before).days == 30


def test_sandomain_spelling_from_the_table_also_works(script_ca):
    assert scripts.create_cert_main(["-host", "h.example.com", "-CN", "h", "-SANDomain", "x.example.com", "-keySz", "1024"]) == 0


@pytest.mark.parametrize(
    "argv, code, words",
    [
        (["-host", "h.example.com"], 2, "-CN"),
        (["-CN", "h"], 2, "-host"),
        (["-host", "h.example.com", "-CN", "h", "-bogus", "1"], 2, "-bogus"),
        (["-host", "h.example.com", "-CN", "h", "-C", "USA"], 2, "USA"),
        (["-host", "h.example.com", "-CN", "h", "-dgst", "md5"], 2, "md5"),
        (["-host", "h.example.com", "-CN", "h", "-keySz", "abc"], 2, "abc"),
        (["-host", "h.example.com", "-CN", "h", "-time", "0"], 2, "at least 1"),
        (["-host", "h.example.com", "-CN", "h", "-time", "1000"], 2, "outlive"),
        (["-host", "../etc", "-CN", "h"], 2, "label"),
        (["-host", "h.example.com", "-CN", "h", "-SANip", "10.0.0.1,10.0.0.x"], 2, "10.0.0.x"),
    ],
)
def test_script_errors_are_one_line_and_change_nothing(script_ca, capsys, argv, code, words):
    before = snapshot(script_ca)
    rc = exit_code(scripts.create_cert_main, argv)
    err = capsys.readouterr().err
    assert rc == code and words in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err
    assert snapshot(script_ca) == before


def test_create_cert_without_ca_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert scripts.create_cert_main(["-host", "h.example.com", "-CN", "h"]) == 1
    assert "create_ca.sh" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_create_ca_twice_exits_1(script_ca, capsys):
    before = snapshot(script_ca)
    assert scripts.create_ca_main(["-CN", "Again"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert snapshot(script_ca) == before


def test_genesys_lab_commands(tmp_path, capsys):
    d = str(tmp_path)
    assert cli.main(["create-ca", "--cn", "Lab CA", "--key-size", "1024", "--ca-dir", d]) == 0
    assert (
        cli.main(
            [
                "create-cert",
                "--host",
                "app01.example.com",
                "--cn",
                "app01",
                "--ip",
                "10.0.0.5",
                "--san-domain",
                "a.example.com,b.example.com",
                "--san-ip",
                "10.0.0.6",
                "--key-size",
                "1024",
                "--ca-dir",
                d,
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "create-cert",
                "--host",
                "gui01.example.com",
                "--cn",
                "gui01",
                "--profile",
                "gui",
                "--key-size",
                "1024",
                "--ca-dir",
                d,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert cli.main(["list", "--ca-dir", d, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["serial"], r["status"], r["host"]) for r in listed] == [("01", "V", "app01"), ("02", "V", "gui01")]
    assert cli.main(["inspect", "02", "--ca-dir", d, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["extended_key_usage"] == ["clientAuth"]
    assert cli.main(["inspect", str(tmp_path / "ca_conf/repository/01_app01_cert.pem")]) == 0
    out = capsys.readouterr().out
    assert "a.example.com" in out and "serverAuth, clientAuth" in out and "thumbprint" in out


def test_genesys_lab_errors(tmp_path, capsys):
    assert cli.main(["list", "--ca-dir", str(tmp_path)]) == 1
    assert "no CA" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2


def test_installed_commands_fail_with_one_line(tmp_path):
    proc = run_installed("genesys-lab", "inspect", "nothing.pem", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_command_line_does_not_import_heavy_modules(script_ca):
    """The guide's commands and genesys-lab start fast: no pandas, ipywidgets, IPython or JupyterLab."""
    code = (
        "import sys; from genesys_lab import cli; from genesys_lab.cli import scripts; "
        "scripts.create_cert_main(['-host', 'light.example.com', '-CN', 'light', '-keySz', '1024']); "
        "cli.main(['list']); "
        "print(sorted(m for m in ('pandas', 'ipywidgets', 'jupyterlab', 'IPython') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=script_ca, capture_output=True, text=True, check=True)
    assert "Issued certificate 01" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_output_into_a_closed_pipe_is_quiet(tmp_path):
    ca_dir = str(tmp_path)
    assert cli.main(["create-ca", "--cn", "Pipe CA", "--key-size", "1024", "--ca-dir", ca_dir]) == 0
    inventory = tmp_path / "hosts.csv"
    inventory.write_text("host,cn,key_size\n" + "".join(f"h{i}.example.com,h{i},1024\n" for i in range(3)))
    assert cli.main(["create-certs", str(inventory), "--ca-dir", ca_dir]) == 0
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(f"genesys-lab list --ca-dir {ca_dir} | true", shell=True, env=env, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_small_key_is_allowed_with_a_warning(script_ca, capsys):
    assert scripts.create_cert_main(["-host", "weak.example.com", "-CN", "weak", "-keySz", "1024"]) == 0
    err = capsys.readouterr().err
    assert "warning: key size 1024 is below the guide's recommended 2048 bits" in err


def test_inspect_a_missing_file_says_so(script_ca, capsys):
    assert exit_code(cli.main, ["inspect", "nothing/here.pem", "--ca-dir", str(script_ca)]) == 1
    assert "cannot read certificate nothing/here.pem" in capsys.readouterr().err


def test_handshake_timeout_must_be_sensible():
    from genesys_lab.checks.tls import check_timeout
    from genesys_lab.errors import UsageError

    assert check_timeout("2.5") == 2.5
    for bad in ("-1", "nan", "1e300", "soon", 0):
        with pytest.raises(UsageError, match="timeout"):
            check_timeout(bad)


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "/dev/zero"],
        ["identify", "/dev/zero"],
        ["inspect", "/tmp"],
        ["verify", "/dev/zero", "--ca", "/dev/zero"],
        ["pkcs12", "info", "/dev/zero"],
    ],
)
def test_devices_and_folders_are_refused_at_once(argv, capsys):
    assert exit_code(cli.main, argv) == 1
    err = capsys.readouterr().err
    assert ("not a regular file" in err or "folder" in err) and len(err.strip().splitlines()) == 1


def test_a_malformed_extension_is_one_line_not_a_traceback(tmp_path, capsys):
    """An empty extendedKeyUsage breaks RFC 5280 (SIZE 1..MAX); cryptography refuses to parse it."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    from genesys_lab.x509.keys import generate_rsa_key

    key = generate_rsa_key(1024)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "broken")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([]), False)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "broken.pem"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    for argv in (["inspect", str(path)], ["lint", str(path)]):
        assert exit_code(cli.main, argv) == 1
        err = capsys.readouterr().err
        assert "malformed extension" in err and "Traceback" not in err
    # verify refuses it too, in one line that says OpenSSL reads it (issue 17, group 8), exit 1
    assert exit_code(cli.main, ["verify", str(path), "--ca", str(path)]) == 1
    out = capsys.readouterr()
    said = out.out + out.err
    assert "openssl" in said.lower() and "Traceback" not in said
