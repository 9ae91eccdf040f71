"""``genesys-lab windows ...``: the wizards from the command line, refusals in one line, files real tools open."""

from __future__ import annotations

import pytest
from helpers import run_tool, snapshot

from genesys_lab import cli

PASSWORD = "Genesys-Lab-1"


def code(argv):
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return exc.code


@pytest.fixture
def machine(tmp_path, capsys):
    folder = tmp_path / "ws01"
    assert code(["windows", "new-machine", str(folder), "--name", "WS01", "--version", "2019"]) == 0
    capsys.readouterr()
    return str(folder)


def _thumb(machine, capsys, store="LocalMachine\\My", host="myWorkstation"):
    capsys.readouterr()
    assert code(["windows", "list", "--machine", machine, "--store", store]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.split()[1:2] == [host])
    return line.split()[-1]


def test_guide_steps_from_the_command_line(machine, session_ca, server_cert, capsys, tmp_path, openssl, keytool, monkeypatch):
    root = [
        "windows",
        "import",
        str(session_ca.paths.pfx),
        "--machine",
        machine,
        "--store",
        "LocalMachine\\Root",
        "--no-password",
    ]
    before = snapshot(tmp_path / "ws01")
    assert code(root) == 1  # a pipe, not a terminal: the Root warning needs --yes
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--yes" in err and "Traceback" not in err
    assert snapshot(tmp_path / "ws01") == before
    assert code([*root, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Import-PfxCertificate" in out and "certutil" in out and "Cert:\\LocalMachine\\Root" in out
    host = ["windows", "import", str(server_cert.pfx_file), "--machine", machine, "--store", "LocalMachine\\My"]
    assert code([*host, "--no-password", "--exportable"]) == 0
    assert "with its private key (exportable)" in capsys.readouterr().out
    thumb = _thumb(machine, capsys)
    assert code(["windows", "show", thumb.lower(), "--machine", machine]) == 0
    shown = capsys.readouterr().out
    assert "[Certification Path]" in shown and "Certificate status: ok" in shown
    assert "You have a private key that corresponds to this certificate." in shown
    monkeypatch.setenv("PW", PASSWORD)
    out_file = tmp_path / "moved.pfx"
    export = ["windows", "export", thumb, "--machine", machine, "--out", str(out_file), "--with-key", "--passout", "env:PW"]
    assert code([*export, "--chain", "--encryption", "tripledes"]) == 0
    assert "Export-PfxCertificate" in capsys.readouterr().out
    assert run_tool(openssl, "pkcs12", "-in", out_file, "-passin", "env:PW", "-nokeys").stdout.count("BEGIN CERTIFICATE") == 2
    assert "PrivateKeyEntry" in run_tool(keytool, "-list", "-keystore", out_file, "-storepass", PASSWORD).stdout
    assert code(["windows", "check", "--machine", machine, "--app", "server", "--thumbprint", thumb]) == 0
    assert (
        code(["windows", "check", "--machine", machine, "--app", "server", "--thumbprint", thumb, "--account", "LAB\\svc"]) == 1
    )
    assert "Manage Private Keys" in capsys.readouterr().out
    assert code(["windows", "grant-key", thumb, "--machine", machine, "--account", "LAB\\svc"]) == 0
    assert (
        code(["windows", "check", "--machine", machine, "--app", "server", "--thumbprint", thumb, "--account", "LAB\\svc"]) == 0
    )


def test_non_exportable_export_refused_in_one_line(machine, server_cert, capsys, tmp_path, monkeypatch):
    assert (
        code(
            ["windows", "import", str(server_cert.pfx_file), "--machine", machine, "--store", "LocalMachine\\My", "--no-password"]
        )
        == 0
    )
    thumb = _thumb(machine, capsys)
    monkeypatch.setenv("PW", PASSWORD)
    before = snapshot(tmp_path / "ws01")
    argv = [
        "windows",
        "export",
        thumb,
        "--machine",
        machine,
        "--out",
        str(tmp_path / "x.pfx"),
        "--with-key",
        "--passout",
        "env:PW",
    ]
    assert code(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "not exportable" in err
    assert not (tmp_path / "x.pfx").exists() and snapshot(tmp_path / "ws01") == before


@pytest.mark.parametrize(
    "argv, rc, words",
    [
        (["windows", "list", "--machine", "{tmp}"], 1, "not a simulated Windows machine"),
        (["windows", "list", "--machine", "{m}", "--store", "LocalMachine\\Trusted"], 2, "not a certificate store"),
        (["windows", "show", "00" * 20, "--machine", "{m}"], 1, "no certificate with thumbprint"),
        (["windows", "show", "12ab", "--machine", "{m}"], 2, "40"),
        (["windows", "import", "{key}", "--machine", "{m}", "--store", "LocalMachine\\My"], 1, "not a certificate file"),
        (["windows", "import", "{cert}", "--machine", "{m}", "--store", "Nowhere\\My"], 2, "not a certificate store"),
        (["windows", "new-machine", "{m}", "--name", "WS09"], 1, "already holds the machine WS01"),
        (["windows", "new-machine", "{tmp}/n", "--name", "bad name"], 2, "computer name"),
        (["windows", "check", "--machine", "{m}", "--app", "server", "--thumbprint", "zz"], 2, "not hexadecimal"),
    ],
)
def test_bad_input_one_line_nothing_changed(machine, tmp_path, server_cert, capsys, argv, rc, words):
    values = {"tmp": str(tmp_path), "m": machine, "key": str(server_cert.key_file), "cert": str(server_cert.cert_file)}
    before = snapshot(tmp_path / "ws01")
    assert code([a.format(**values) for a in argv]) == rc
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(tmp_path / "ws01") == before


def test_wrong_password_from_stdin_refused(machine, tmp_path, server_cert, session_ca, capsys, monkeypatch):
    import io

    from genesys_lab.formats.pkcs12 import Compat, build_pkcs12
    from genesys_lab.x509.keys import load_private_key_file

    pfx = tmp_path / "pw.pfx"
    key = load_private_key_file(server_cert.key_file)
    pfx.write_bytes(build_pkcs12(key, server_cert.certificate, password=PASSWORD, compat=Compat.LEGACY))
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    before = snapshot(tmp_path / "ws01")
    assert code(["windows", "import", str(pfx), "--machine", machine, "--store", "LocalMachine\\My"]) == 1
    assert "does not open with the password" in capsys.readouterr().err
    assert snapshot(tmp_path / "ws01") == before
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert code(["windows", "import", str(pfx), "--machine", machine, "--store", "LocalMachine\\My"]) == 0


def test_remote_view_lists_and_refuses_changes(machine, session_ca, capsys):
    assert (
        code(["windows", "import", str(session_ca.paths.cert), "--machine", machine, "--store", "LocalMachine\\Root", "--yes"])
        == 0
    )
    capsys.readouterr()
    assert code(["windows", "list", "--machine", machine, "--remote"]) == 0
    assert "another computer, read-only" in capsys.readouterr().out
    argv = [
        "windows",
        "import",
        str(session_ca.paths.cert),
        "--machine",
        machine,
        "--store",
        "CurrentUser\\Root",
        "--yes",
        "--remote",
    ]
    assert code(argv) == 1
    assert "read-only" in capsys.readouterr().err


def test_show_with_a_crl_and_base64_export(tmp_path, capsys, openssl):
    from genesys_lab import create_ca, generate_crl, revoke

    (tmp_path / "ca").mkdir()
    ca = create_ca(tmp_path / "ca", "CLI Win CA", key_size=1024).ca
    host = ca.issue("app03.lab.example.com", "app03", key_size=1024)
    machine = str(tmp_path / "m")
    assert code(["windows", "new-machine", machine, "--name", "APP03"]) == 0
    assert code(["windows", "import", str(ca.paths.cert), "--machine", machine, "--store", "LocalMachine\\Root", "--yes"]) == 0
    assert (
        code(["windows", "import", str(host.pfx_file), "--machine", machine, "--store", "LocalMachine\\My", "--no-password"]) == 0
    )
    revoke(ca, host.serial)
    generate_crl(ca)
    thumb = _thumb(machine, capsys, host="app03")
    assert code(["windows", "show", thumb, "--machine", machine, "--crl", str(ca.paths.crl_pem)]) == 0
    assert "Certificate status: revoked [CERT_TRUST_IS_REVOKED]" in capsys.readouterr().out
    out = tmp_path / "app03.cer"
    assert code(["windows", "export", thumb, "--machine", machine, "--out", str(out), "--base64"]) == 0
    assert "Base-64 encoded X.509" in capsys.readouterr().out
    run_tool(openssl, "x509", "-in", out, "-noout")
    assert out.read_text().startswith("-----BEGIN CERTIFICATE-----")
