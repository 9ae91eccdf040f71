"""Deploy bundles: exactly the guide's files per platform, with modes and owners, a manifest, the steps; refusals change nothing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import require_tool, run_tool, snapshot

from genesys_lab import create_ca, deploy, revoke
from genesys_lab.errors import CertificateNotFoundError, GenesysLabError, PasswordError, UsageError
from genesys_lab.install import bundle

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle_ca")
    ca = create_ca(root, "Bundle CA").ca
    host = ca.issue("app01.example.com", "app01")
    return ca, host


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def manifest(folder: Path) -> list[list[str]]:
    lines = (folder / bundle.MANIFEST).read_text().splitlines()
    assert lines[0] == "file\tsha256\tmode\tpurpose"
    return [line.split("\t") for line in lines[1:]]


def assert_manifest_true(folder: Path, expected: set[str]):
    rows = manifest(folder)
    assert {r[0] for r in rows} == expected
    for name, digest, text_mode, purpose in rows:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
        assert int(text_mode, 8) == mode(folder / name)
        assert purpose


def test_unix_bundle_has_the_three_files_of_the_guide_and_openssl_accepts_them(lab, tmp_path, openssl):
    ca, host = lab
    out = tmp_path / "unix"
    result = deploy(ca, host.serial, "unix", out)
    files = {"ca_cert.pem", f"{host.serial}_app01_cert.pem", f"{host.serial}_app01_priv_key.pem"}
    assert names(out) == sorted(files | {"INSTALL.txt", "MANIFEST.tsv"})
    assert_manifest_true(out, files)
    assert mode(out / f"{host.serial}_app01_priv_key.pem") == 0o600
    assert mode(out / "ca_cert.pem") == mode(out / f"{host.serial}_app01_cert.pem") == 0o644
    assert mode(out) == 0o755
    assert (out / f"{host.serial}_app01_priv_key.pem").read_bytes() == host.key_file.read_bytes()
    run_tool(openssl, "verify", "-CAfile", out / "ca_cert.pem", out / f"{host.serial}_app01_cert.pem")
    steps = (out / "INSTALL.txt").read_text()
    assert result.steps_text() == steps
    assert f'chmod 600 "$DEST"/{host.serial}_app01_priv_key.pem' in steps
    assert "genesys-lab check-install" in steps and "--host app01.example.com" in steps


def test_java_pem_bundle_key_is_pkcs8_named_NEW(lab, tmp_path, openssl):
    ca, host = lab
    out = tmp_path / "javapem"
    deploy(ca, host.serial, "java-pem", out)
    key = out / f"{host.serial}_app01_priv_key_NEW.pem"
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert mode(key) == 0o600
    assert_manifest_true(out, {"ca_cert.pem", f"{host.serial}_app01_cert.pem", key.name})
    modulus = run_tool(openssl, "rsa", "-in", key, "-noout", "-modulus").stdout
    assert modulus == run_tool(openssl, "x509", "-in", out / f"{host.serial}_app01_cert.pem", "-noout", "-modulus").stdout


def test_java_keystore_bundle_opens_in_keytool_with_its_passwords(lab, tmp_path, keytool):
    ca, host = lab
    out = tmp_path / "javaks"
    result = deploy(ca, host.serial, "java-keystore", out, storepass="keystore-pw", trustpass="truststore-pw")
    assert result.keytool_ran
    store = out / f"{host.serial}_app01_cert.pfx"
    assert_manifest_true(out, {store.name, "truststore.p12"})
    env = dict(os.environ, KS="keystore-pw", TS="truststore-pw", BAD="wrong-pw")
    listed = subprocess.run(
        [keytool, "-list", "-keystore", store, "-storepass:env", "KS"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and "PrivateKeyEntry" in listed.stdout
    trusted = subprocess.run(
        [keytool, "-list", "-v", "-keystore", out / "truststore.p12", "-storepass:env", "TS"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert trusted.returncode == 0 and "trustedCertEntry" in trusted.stdout and "Owner: CN=Bundle CA" in trusted.stdout
    wrong = subprocess.run(
        [keytool, "-list", "-keystore", store, "-storepass:env", "BAD"], env=env, capture_output=True, text=True
    )
    assert wrong.returncode != 0
    assert "keystore-pw" not in (out / "INSTALL.txt").read_text()


def test_without_keytool_the_keystore_bundle_carries_the_commands(lab, tmp_path, monkeypatch):
    ca, host = lab
    monkeypatch.setattr(bundle.shutil, "which", lambda name: None)
    result = deploy(ca, host.serial, "java-keystore", tmp_path / "b", storepass="keystore-pw", trustpass="truststore-pw")
    assert not result.keytool_ran
    steps = result.steps_text()
    assert "-importkeystore" in steps and "-srcstorepass:env SOURCE_STORE_PASSWORD" in steps
    assert "-importcert" in steps and "-storepass:env TRUSTSTORE_PASSWORD" in steps
    assert "keystore-pw" not in steps
    assert {f.name for f in result.files} == {"ca_cert.pem", f"{host.serial}_app01_cert.pfx"}


def test_windows_bundle_has_both_pfx_and_the_thumbprint(lab, tmp_path, openssl):
    ca, host = lab
    out = tmp_path / "win"
    result = deploy(ca, host.serial, "windows", out)
    assert_manifest_true(out, {"ca_cert.pfx", f"{host.serial}_app01_cert.pfx"})
    fingerprint = run_tool(openssl, "x509", "-in", host.cert_file, "-noout", "-fingerprint", "-sha1").stdout
    assert result.thumbprint == fingerprint.strip().split("=")[1].replace(":", "")
    assert result.thumbprint in result.steps_text()
    run_tool(openssl, "pkcs12", "-in", out / f"{host.serial}_app01_cert.pfx", "-passin", "pass:", "-noout")


def test_owner_and_group_are_given_as_numbers_and_the_key_becomes_0640(lab, tmp_path):
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("giving files to another uid needs root; .ci/run runs as root")
        pytest.skip("giving files to another uid needs root")
    ca, host = lab
    out = tmp_path / "owned"
    deploy(ca, host.serial, "unix", out, owner="4321", group="4400")
    for path in out.iterdir():
        assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4400)
    assert mode(out / f"{host.serial}_app01_priv_key.pem") == 0o640
    assert 'chown 4321:4400 "$DEST"' in (out / "INSTALL.txt").read_text()


def test_modes_do_not_depend_on_the_umask(lab, tmp_path):
    ca, host = lab
    old = os.umask(0o077)
    try:
        deploy(ca, host.serial, "unix", tmp_path / "u")
    finally:
        os.umask(old)
    assert mode(tmp_path / "u" / "ca_cert.pem") == 0o644 and mode(tmp_path / "u") == 0o755


def test_refusals_change_nothing(lab, tmp_path):
    ca, host = lab
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "other.txt").write_text("keep")
    (tmp_path / "a_file").write_text("x")
    before = snapshot(tmp_path), snapshot(ca.paths.root)
    cases = [
        (dict(platform="mac", out=tmp_path / "n1"), UsageError, "not a platform"),
        (dict(platform="unix", out=tmp_path / "busy"), UsageError, "not empty"),
        (dict(platform="unix", out=tmp_path / "a_file"), UsageError, "is a file"),
        (dict(platform="unix", out=tmp_path / "no" / "such"), UsageError, "does not exist"),
        (dict(platform="unix", out=tmp_path / "n2", serial="7F"), CertificateNotFoundError, "not in"),
        (
            dict(platform="java-keystore", out=tmp_path / "n3", storepass="short", trustpass="truststore-pw"),
            PasswordError,
            "at least 6",
        ),
        (dict(platform="unix", out=tmp_path / "n4", owner="no-such-account-xyz"), UsageError, "does not exist"),
    ]
    for kwargs, error, text in cases:
        serial = kwargs.pop("serial", host.serial)
        with pytest.raises(error, match=text):
            deploy(ca, serial, kwargs.pop("platform"), kwargs.pop("out"), **kwargs)
    assert (snapshot(tmp_path), snapshot(ca.paths.root)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "busy"]


def test_a_revoked_certificate_is_not_deployed(tmp_path):
    (tmp_path / "ca").mkdir()
    ca = create_ca(tmp_path / "ca", "Revoking CA", key_size=1024).ca
    host = ca.issue("old01.example.com", "old01", key_size=1024)
    revoke(ca, host.serial)
    with pytest.raises(UsageError, match="revoked"):
        deploy(ca, host.serial, "unix", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_overwrite_replaces_the_bundle_files(lab, tmp_path):
    ca, host = lab
    out = tmp_path / "again"
    deploy(ca, host.serial, "unix", out)
    (out / "ca_cert.pem").write_text("damaged")
    deploy(ca, host.serial, "unix", out, overwrite=True)
    assert (out / "ca_cert.pem").read_bytes() == ca.paths.cert.read_bytes()


def test_a_failure_part_way_leaves_no_folder(lab, tmp_path, monkeypatch):
    ca, host = lab

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle.os, "chmod", broken)
    with pytest.raises(GenesysLabError, match="No space left"):
        deploy(ca, host.serial, "unix", tmp_path / "half")
    assert not (tmp_path / "half").exists()


def cli(*args, cwd, input=None):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "KS": "keystore-pw", "TS": "truststore-pw"}
    return subprocess.run(["genesys-lab", *args], cwd=cwd, env=env, capture_output=True, text=True, input=input)


def test_cli_deploy_and_its_one_line_errors(lab, tmp_path):
    ca, host = lab
    require_tool("keytool")
    ok = cli("deploy", host.serial, "--platform", "java-keystore", "--out", "ks", "--ca-dir", ca.paths.root,
             "--storepass", "env:KS", "--trustpass", "env:TS", cwd=tmp_path)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "truststore.p12" in ok.stdout and "Install steps" in ok.stdout and "keystore-pw" not in ok.stdout
    for args, code, text in [
        (["--platform", "mac", "--out", "x"], 2, "not a platform"),
        (["--platform", "unix", "--out", "ks"], 2, "not empty"),
        (["--platform", "unix", "--out", "x", "--owner", "no-such-account-xyz"], 2, "does not exist"),
    ]:
        proc = cli("deploy", host.serial, *args, "--ca-dir", ca.paths.root, cwd=tmp_path)
        assert proc.returncode == code and text in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    missing = cli("deploy", host.serial, "--platform", "unix", "--out", "x", "--ca-dir", tmp_path / "nowhere", cwd=tmp_path)
    assert missing.returncode == 1 and "no CA" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ks"]
