"""Java itself as the judge: PKCS8EncodedKeySpec on converted keys, the host .pfx as a PKCS12 keystore, a keytool truststore."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import make_ca, require_tool, run_tool

from genesys_lab.errors import PasswordError, UsageError
from genesys_lab.formats import convert, java

JAVA_SOURCES = Path(__file__).parent / "java"


@pytest.fixture(scope="module")
def java_classes(tmp_path_factory):
    """tests/java/*.java compiled once for the module."""
    javac = require_tool("javac")
    require_tool("java")
    out = tmp_path_factory.mktemp("java_classes")
    run_tool(javac, "-d", out, *sorted(JAVA_SOURCES.glob("*.java")))
    return out


def run_java(classes, program, *args, password=None, check=True):
    env = dict(os.environ)
    if password is not None:
        env["PFX_PASSWORD"] = password
    proc = subprocess.run(["java", "-cp", str(classes), program, *map(str, args)], env=env, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("java_lab")
    ca = make_ca(root, "Java CA")
    return ca, ca.issue("psdk01.example.com", "psdk01", key_size=1024)


def _modulus_hex(path) -> str:
    return format(convert.load_key(path).public_key().public_numbers().n, "x")


def test_java_reads_the_pkcs8_key_that_genesys_lab_converted(lab, java_classes, tmp_path):
    _, host = lab
    out = convert.convert_key(host.key_file, tmp_path / "01_psdk01_priv_key_NEW.pem", informat="rsa").path
    words = run_java(java_classes, "ReadPkcs8", out).stdout.split()
    assert words[:3] == ["RSA", "PKCS#8", "1024"]
    assert words[3] == _modulus_hex(host.key_file)


def test_java_cannot_read_the_pkcs1_key_which_is_why_the_guide_converts_it(lab, java_classes):
    _, host = lab
    proc = run_java(java_classes, "ReadPkcs8", host.key_file, check=False)
    assert proc.returncode != 0 and "InvalidKeySpecException" in proc.stderr


def test_the_host_pfx_is_a_java_pkcs12_keystore_with_an_empty_password(lab, java_classes):
    _, host = lab
    lines = run_java(java_classes, "LoadPfx", host.pfx_file).stdout.splitlines()
    key_lines = [line for line in lines if line.startswith("key ")]
    assert len(key_lines) == 1
    assert " RSA chain=2 | " in key_lines[0]
    assert key_lines[0].endswith("| CN=psdk01 | CN=Java CA")


def test_a_legacy_pfx_with_a_password_loads_in_java(lab, java_classes, tmp_path):
    ca, host = lab
    out = convert.export_pkcs12(
        host.cert_file, host.key_file, tmp_path / "legacy.pfx", chain=[ca.paths.cert], password="Java-pw1", compat="legacy"
    )
    line = run_java(java_classes, "LoadPfx", out, password="Java-pw1").stdout
    assert "key psdk01.example.com RSA chain=2" in line
    assert run_java(java_classes, "LoadPfx", out, password="wrong-pw", check=False).returncode != 0


def test_truststore_made_with_keytool_lists_the_ca(lab, keytool, tmp_path):
    ca, _ = lab
    store = java.create_truststore(ca.paths.cert, tmp_path / "truststore.jks", "changeit", storetype="JKS")
    assert store.created and store.command[1] == "-importcert" and "changeit" not in store.command_line
    proc = subprocess.run(
        [keytool, "-list", "-v", "-keystore", str(store.path), "-storepass:env", "TS"],
        env=dict(os.environ, TS="changeit"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Keystore type: JKS" in proc.stdout and "trustedCertEntry" in proc.stdout
    assert "Owner: CN=Java CA" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["truststore.jks"]  # no temporary file left


def test_truststore_refusals_leave_nothing(lab, tmp_path, keytool):
    ca, host = lab
    with pytest.raises(PasswordError, match="at least 6 characters"):
        java.create_truststore(ca.paths.cert, tmp_path / "t.p12", "short")
    with pytest.raises(Exception, match="not a certificate file"):
        java.create_truststore(host.key_file, tmp_path / "t.p12", "changeit")
    with pytest.raises(UsageError, match="store type"):
        java.truststore_command(ca.paths.cert, tmp_path / "t.p12", storetype="BKS")
    assert list(tmp_path.iterdir()) == []


def test_without_keytool_the_exact_command_is_returned(lab, tmp_path, monkeypatch):
    ca, _ = lab
    monkeypatch.setattr(shutil, "which", lambda name: None)
    store = java.create_truststore(ca.paths.cert, tmp_path / "t.p12", "changeit")
    assert not store.created and list(tmp_path.iterdir()) == []
    assert store.command == (
        "keytool",
        "-importcert",
        "-noprompt",
        "-trustcacerts",
        "-alias",
        "genesys-ca",
        "-file",
        str(ca.paths.cert),
        "-keystore",
        str(tmp_path / "t.p12"),
        "-storetype",
        "PKCS12",
        "-storepass:env",
        "TRUSTSTORE_PASSWORD",
    )


def test_keystore_properties_point_java_at_the_pfx():
    props = java.keystore_properties("01_app_cert.pfx", "truststore.p12")
    assert "-Djavax.net.ssl.keyStoreType=PKCS12" in props and "-Djavax.net.ssl.keyStorePassword=" in props
    assert "-Djavax.net.ssl.trustStore=truststore.p12" in props


def test_keystore_made_with_importkeystore_opens_with_the_new_password(lab, keytool, tmp_path):
    _, host = lab
    store = java.create_keystore(host.pfx_file, tmp_path / "ks.p12", "new-store-pw")
    assert store.created and store.command[1] == "-importkeystore" and "new-store-pw" not in store.command_line
    assert "-deststorepass:env" in store.command and "-srcstorepass:env" in store.command
    proc = subprocess.run(
        [keytool, "-list", "-keystore", str(store.path), "-storepass:env", "KS"],
        env=dict(os.environ, KS="new-store-pw"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "PrivateKeyEntry" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ks.p12"]


def test_keystore_refusals_leave_nothing(lab, tmp_path, keytool):
    ca, host = lab
    with pytest.raises(PasswordError, match="does not open"):
        java.create_keystore(host.pfx_file, tmp_path / "k.p12", "new-store-pw", source_password="not-this-one")
    with pytest.raises(Exception, match="no private key"):
        java.create_keystore(ca.paths.pfx, tmp_path / "k.p12", "new-store-pw")
    with pytest.raises(PasswordError, match="at least 6"):
        java.create_keystore(host.pfx_file, tmp_path / "k.p12", "short")
    with pytest.raises(Exception, match="folder"):
        java.create_keystore(tmp_path, tmp_path / "k.p12", "new-store-pw")
    assert list(tmp_path.iterdir()) == []


def test_cli_java_keystore_and_its_refusals(lab, keytool, tmp_path):
    import sys

    ca, host = lab
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", KP="cli-store-pw")

    def run(*args):
        return subprocess.run(
            ["genesys-lab", "java-keystore", *map(str, args)], env=env, capture_output=True, text=True, cwd=tmp_path
        )

    ok = run(host.pfx_file, "--out", "ks.p12", "--storepass", "env:KP")
    assert ok.returncode == 0 and "-importkeystore" in ok.stdout and "cli-store-pw" not in ok.stdout
    listed = subprocess.run(
        [keytool, "-list", "-keystore", tmp_path / "ks.p12", "-storepass:env", "KP"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and "PrivateKeyEntry" in listed.stdout
    before = sorted(p.name for p in tmp_path.iterdir())
    for args, code, text in [
        ((host.pfx_file, "--out", "ks.p12", "--storepass", "env:KP"), 2, "already exists"),
        ((ca.paths.pfx, "--out", "k2.p12", "--storepass", "env:KP"), 1, "no private key"),
        ((tmp_path, "--out", "k2.p12", "--storepass", "env:KP"), 1, "is a folder"),
        ((host.pfx_file, "--out", "k2.p12", "--srcpass", "env:KP", "--storepass", "env:KP"), 1, "does not open"),
    ]:
        proc = run(*args)
        assert proc.returncode == code and text in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
