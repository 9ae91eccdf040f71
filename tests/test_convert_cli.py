"""convert_priv_key.sh with the guide's options, and genesys-lab convert-key, pkcs12, identify, convert-cert, java-truststore."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from helpers import make_ca, run_tool, snapshot

from genesys_lab import cli
from genesys_lab.cli import scripts
from genesys_lab.formats.identify import Kind, identify
from genesys_lab.formats.pkcs12 import read_pkcs12

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_formats")
    ca = make_ca(root, "CLI CA")
    return ca, ca.issue("app01.example.com", "app01", key_size=1024)


@pytest.fixture
def work(tmp_path, monkeypatch, lab):
    """A working folder (cwd) with the host's files copied in, as a learner would have them."""
    ca, host = lab
    for source in (host.key_file, host.cert_file, host.pfx_file, ca.paths.cert, ca.paths.pfx):
        shutil.copy(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def feed(monkeypatch, text: str) -> None:
    """Standard input that is not a terminal: passwords are read from its lines."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def exit_code(main, argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


KEY = "01_app01_priv_key.pem"
CERT = "01_app01_cert.pem"
PFX = "01_app01_cert.pfx"


# -- convert_priv_key.sh ------------------------------------------------------------


def test_script_defaults_are_rsa_in_pkcs8_out(work, openssl, capsys):
    assert scripts.convert_priv_key_main(["-in", KEY, "-out", "01_app01_priv_key_NEW.pem"]) == 0
    assert identify("01_app01_priv_key_NEW.pem").kind is Kind.PKCS8_KEY
    assert mode("01_app01_priv_key_NEW.pem") == 0o600
    run_tool(openssl, "pkey", "-in", "01_app01_priv_key_NEW.pem", "-noout")
    assert "wrote PKCS#8 key 01_app01_priv_key_NEW.pem (mode 0600)" in capsys.readouterr().out


def test_script_encrypt_reads_the_password_from_stdin(work, monkeypatch, openssl):
    feed(monkeypatch, "new-pass\n")
    assert scripts.convert_priv_key_main(["-in", KEY, "-out", "enc.pem", "-encrypt"]) == 0
    assert identify("enc.pem").kind is Kind.ENCRYPTED_PKCS8_KEY
    run_tool(openssl, "pkey", "-in", "enc.pem", "-noout", "-passin", "file:/dev/stdin", input="new-pass\n")


def test_script_encrypted_input_then_new_password_one_line_each(work, monkeypatch, openssl):
    feed(monkeypatch, "first-pw\n")
    scripts.convert_priv_key_main(["-in", KEY, "-out", "enc.pem", "-encrypt"])
    feed(monkeypatch, "first-pw\nsecond-pw\n")
    assert (
        scripts.convert_priv_key_main(
            ["-in", "enc.pem", "-out", "enc1.pem", "-informat", "pkcs8", "-outformat", "rsa", "-encrypt"]
        )
        == 0
    )
    assert identify("enc1.pem").kind is Kind.ENCRYPTED_RSA_KEY
    proc = run_tool(openssl, "rsa", "-check", "-noout", "-in", "enc1.pem", "-passin", "file:/dev/stdin", input="second-pw\n")
    assert "RSA key ok" in proc.stdout


@pytest.mark.parametrize("informat", ["pfx", "pkcs12"])
def test_script_takes_the_key_out_of_the_host_pfx(work, informat, capsys):
    assert scripts.convert_priv_key_main(["-in", PFX, "-out", "k.pem", "-informat", informat]) == 0
    assert "from a PKCS#12" in capsys.readouterr().out
    key = serialization.load_pem_private_key(Path("k.pem").read_bytes(), None)
    assert key.public_key() == serialization.load_pem_private_key(Path(KEY).read_bytes(), None).public_key()


def test_script_errors_are_one_line_and_write_nothing(work, monkeypatch, capsys):
    before = snapshot(work)
    cases = [
        (
            ["-in", PFX, "-out", "k.pem"],
            1,
            "is a DER PKCS#12 (.pfx/.p12) file (empty password; a private key, 2 certificate(s)), not a PKCS#1 RSA private key (-informat rsa): use -informat pfx",
        ),
        (["-in", CERT, "-out", "k.pem", "-informat", "pkcs8"], 1, "holds no private key"),
        (["-in", "ca_cert.pfx", "-out", "k.pem", "-informat", "pfx"], 1, "with no private key"),
        (["-in", KEY, "-out", "nowhere/k.pem"], 2, "output folder nowhere does not exist"),
        (["-in", KEY, "-out", CERT], 2, f"{CERT} already exists"),
        (["-in", KEY, "-out", "k.pem", "-informat", "der"], 2, "-informat 'der' is not one of"),
        (["-in", KEY, "-out", "k.pem", "-outformat", "pkcs12"], 2, "not a key format"),
        (["-in", KEY], 2, "the following arguments are required: -out"),
    ]
    for argv, code, message in cases:
        assert exit_code(scripts.convert_priv_key_main, argv) == code, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert snapshot(work) == before


def test_script_wrong_or_missing_password(work, monkeypatch, capsys):
    feed(monkeypatch, "right-pw\n")
    scripts.convert_priv_key_main(["-in", KEY, "-out", "enc.pem", "-encrypt"])
    before = snapshot(work)
    feed(monkeypatch, "wrong-pw\n")
    assert scripts.convert_priv_key_main(["-in", "enc.pem", "-out", "k.pem", "-informat", "pkcs8"]) == 1
    assert "enc.pem: wrong password" in capsys.readouterr().err
    feed(monkeypatch, "")
    assert scripts.convert_priv_key_main(["-in", "enc.pem", "-out", "k.pem", "-informat", "pkcs8"]) == 1
    assert "standard input, which is empty" in capsys.readouterr().err
    feed(monkeypatch, "abc\n")
    assert scripts.convert_priv_key_main(["-in", KEY, "-out", "k.pem", "-encrypt"]) == 1
    assert "at least 4 characters" in capsys.readouterr().err
    assert snapshot(work) == before


def test_installed_script_with_the_password_on_stdin(work, openssl):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["convert_priv_key.sh", "-in", KEY, "-out", "01_app01_priv_key_NEW.pem", "-encrypt"],
        input="piped-pw\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "piped-pw" not in proc.stdout + proc.stderr
    assert mode("01_app01_priv_key_NEW.pem") == 0o600
    run_tool(openssl, "pkey", "-in", "01_app01_priv_key_NEW.pem", "-noout", "-passin", "file:/dev/stdin", input="piped-pw\n")
    usage = subprocess.run(["convert_priv_key.sh", "-h"], env=env, capture_output=True, text=True)
    assert "convert_priv_key.sh -in INPUTFILE -out OUTFILE [-informat pfx|pkcs8|pkcs12|rsa]" in usage.stdout


# -- genesys-lab convert-key -------------------------------------------------------------


def test_convert_key_recognises_the_input_and_takes_passout_from_env(work, monkeypatch, openssl):
    monkeypatch.setenv("NEW_PW", "env-pass")
    assert cli.main(["convert-key", PFX, "--out", "k.pem", "--passout", "env:NEW_PW"]) == 0
    assert identify("k.pem").kind is Kind.ENCRYPTED_PKCS8_KEY
    run_tool(openssl, "pkey", "-in", "k.pem", "-noout", "-passin", "env:NEW_PW")
    Path("pw.txt").write_text("env-pass\n")
    assert cli.main(["convert-key", "k.pem", "--out", "k1.pem", "--outformat", "rsa", "--passin", "file:pw.txt"]) == 0
    assert identify("k1.pem").kind is Kind.RSA_KEY
    assert (
        cli.main(["convert-key", "k.pem", "--out", "k1.pem", "--outformat", "rsa", "--passin", "file:pw.txt", "--overwrite"]) == 0
    )


def test_convert_key_refuses_pass_in_clear(work, capsys):
    assert cli.main(["convert-key", KEY, "--out", "k.pem", "--passout", "pass:secret"]) == 2
    assert "shell history" in capsys.readouterr().err
    assert not Path("k.pem").exists()


# -- genesys-lab pkcs12 ----------------------------------------------------------------------


def test_pkcs12_export_empty_password_by_default(work, openssl, keytool, capsys):
    assert cli.main(["pkcs12", "export", CERT, "--key", KEY, "--chain", "ca_cert.pem", "--out", "host.pfx"]) == 0
    assert "empty password" in capsys.readouterr().out
    assert mode("host.pfx") == 0o600
    run_tool(openssl, "pkcs12", "-in", "host.pfx", "-noout", "-passin", "pass:")
    assert "PrivateKeyEntry" in run_tool(keytool, "-list", "-keystore", "host.pfx", "-storepass", "").stdout


def test_pkcs12_export_legacy_with_a_prompted_password(work, monkeypatch, openssl, capsys):
    feed(monkeypatch, "Legacy-pw1\n")
    assert (
        cli.main(
            [
                "pkcs12",
                "export",
                CERT,
                "--key",
                KEY,
                "--chain",
                "ca_cert.pem",
                "--compat",
                "legacy",
                "--name",
                "app01 legacy",
                "--out",
                "old.pfx",
                "--password-prompt",
            ]
        )
        == 0
    )
    info = run_tool(openssl, "pkcs12", "-in", "old.pfx", "-info", "-noout", "-passin", "file:/dev/stdin", input="Legacy-pw1\n")
    assert "3DES" in info.stderr or "pbeWithSHA1And3-KeyTripleDES-CBC" in info.stderr
    assert read_pkcs12(Path("old.pfx").read_bytes(), "Legacy-pw1").friendly_name == "app01 legacy"
    capsys.readouterr()
    feed(monkeypatch, "Legacy-pw1\n")
    assert cli.main(["pkcs12", "info", "old.pfx"]) == 0
    out = capsys.readouterr().out
    assert "password set, MAC HMAC-SHA1" in out and "friendly name 'app01 legacy'" in out
    assert "Windows Server 2016 and older" in out


def test_pkcs12_info_of_the_ca_pfx_and_of_a_non_pfx(work, capsys):
    assert cli.main(["pkcs12", "info", "ca_cert.pfx"]) == 0
    out = capsys.readouterr().out
    assert "password empty" in out and "CN=CLI CA" in out and "key " not in out
    assert cli.main(["pkcs12", "info", KEY]) == 1
    assert "not a PKCS#12" in capsys.readouterr().err


def test_pkcs12_export_refuses_a_foreign_key_and_an_existing_output(work, lab, capsys):
    ca, _ = lab
    shutil.copy(ca.paths.key, "ca_key.pem")
    before = snapshot(work)
    assert cli.main(["pkcs12", "export", CERT, "--key", "ca_key.pem", "--out", "x.pfx"]) == 1
    assert "does not belong to" in capsys.readouterr().err
    assert cli.main(["pkcs12", "export", CERT, "--key", KEY, "--out", PFX]) == 2
    assert "already exists" in capsys.readouterr().err
    assert snapshot(work) == before


# -- identify, convert-cert, java-truststore ----------------------------------------------------


def test_identify_prints_the_kind_and_whether_a_key_matches(work, lab, capsys):
    ca, _ = lab
    shutil.copy(ca.paths.key, "ca_key.pem")
    assert cli.main(["identify", PFX]) == 0
    assert "DER PKCS#12" in capsys.readouterr().out
    assert cli.main(["identify", CERT, "--key", PFX]) == 0
    assert f"{PFX}: matches" in capsys.readouterr().out
    assert cli.main(["identify", CERT, "--key", "ca_key.pem"]) == 1
    assert "does NOT match" in capsys.readouterr().out
    assert cli.main(["identify", KEY, "--key", KEY]) == 2
    assert "--key needs FILE to be one certificate" in capsys.readouterr().err


def test_identify_json(work, capsys):
    import json

    assert cli.main(["identify", KEY, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["items"][0]["kind"] == "RSA_KEY" and data["key_matches"] is None


def test_convert_cert_pem_der_and_chain(work, openssl):
    assert cli.main(["convert-cert", CERT, "--out", "host.der"]) == 0
    run_tool(openssl, "x509", "-inform", "DER", "-in", "host.der", "-noout")
    assert cli.main(["convert-cert", "host.der", "--out", "host.pem"]) == 0
    assert Path("host.pem").read_bytes() == Path(CERT).read_bytes()
    assert cli.main(["convert-cert", CERT, "ca_cert.pem", "--out", "chain.pem"]) == 0
    run_tool(openssl, "verify", "-CAfile", "ca_cert.pem", "chain.pem")
    assert len(identify("chain.pem").items) == 2


def test_java_truststore_with_keytool(work, monkeypatch, keytool, capsys):
    monkeypatch.setenv("TS_PW", "changeit")
    assert cli.main(["java-truststore", "ca_cert.pem", "--out", "truststore.p12", "--storepass", "env:TS_PW"]) == 0
    assert "keytool -importcert" in capsys.readouterr().out
    listing = run_tool(keytool, "-list", "-keystore", "truststore.p12", "-storepass:env", "TS_PW").stdout
    assert "genesys-ca" in listing and "trustedCertEntry" in listing


def test_java_truststore_without_keytool_shows_the_command(work, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    feed(monkeypatch, "changeit\n")
    assert cli.main(["java-truststore", "ca_cert.pem", "--out", "truststore.p12"]) == 1
    captured = capsys.readouterr()
    assert "keytool is not installed" in captured.err
    assert captured.out.strip() == (
        "keytool -importcert -noprompt -trustcacerts -alias genesys-ca -file ca_cert.pem "
        "-keystore truststore.p12 -storetype PKCS12 -storepass:env TRUSTSTORE_PASSWORD"
    )
    assert not Path("truststore.p12").exists()


# -- a real terminal: the password is asked twice, without echo -------------------------------


def _run_on_terminal(argv, answers, cwd):
    """Run an installed command with a pseudo-terminal as its controlling terminal; answer each prompt."""
    import select

    pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")

    pid, fd = pty.fork()
    if pid == 0:  # child: the command, on the terminal
        try:
            os.chdir(cwd)
            os.execv(str(BIN / argv[0]), argv)
        finally:
            os._exit(127)
    transcript, pending, answered = b"", list(answers), 0
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        transcript += chunk
        if pending and transcript[answered:].endswith(b": "):  # a new prompt, waiting (getpass flushes early typing)
            os.write(fd, pending.pop(0).encode() + b"\n")
            answered = len(transcript)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), transcript.decode(errors="replace")


def test_on_a_terminal_a_new_password_is_asked_twice_and_not_echoed(work, openssl):
    code, transcript = _run_on_terminal(
        ["convert_priv_key.sh", "-in", KEY, "-out", "tty.pem", "-encrypt"], ["tty-pass1", "tty-pass1"], work
    )
    assert code == 0, transcript
    assert "Enter new pass phrase for tty.pem:" in transcript and "Verifying - Enter new pass phrase" in transcript
    assert "tty-pass1" not in transcript
    run_tool(openssl, "pkey", "-in", "tty.pem", "-noout", "-passin", "file:/dev/stdin", input="tty-pass1\n")


def test_on_a_terminal_a_mistyped_confirmation_writes_nothing(work):
    code, transcript = _run_on_terminal(
        ["convert_priv_key.sh", "-in", KEY, "-out", "tty.pem", "-encrypt"], ["tty-pass1", "tty-pass2"], work
    )
    assert code == 1 and "do not match" in transcript
    assert not Path("tty.pem").exists()
