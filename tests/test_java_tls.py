"""Java really handshakes with what the lab made: TlsPeer.java (compiled here by javac) against the lab's TLS side.

Passing: PEM files (PKCS#8 key from the java-pem bundle) and keystore/truststore (the java-keystore
bundle), server authentication and mutual TLS, Java as client and as server. Failing, each with
Java's own exception text and the lab's explanation: a GUI certificate presented by a server, a
PKCS#1 key given to Java, an unknown CA, an expired certificate, a wrong keystore password.
"""

from __future__ import annotations

import pytest
from helpers import require_tool

from genesys_lab import ClientConfig, JavaSide, ServerConfig, create_ca, deploy
from genesys_lab.course import samples
from genesys_lab.errors import UsageError
from genesys_lab.install import javatls


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    require_tool("javac")
    require_tool("java")
    return javatls.compile_peer(tmp_path_factory.mktemp("tlspeer"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_tool("keytool")
    root = tmp_path_factory.mktemp("java_tls")
    (root / "ca").mkdir()
    (root / "other").mkdir()
    ca = create_ca(root / "ca", "Java TLS CA").ca
    other = create_ca(root / "other", "Unknown CA").ca
    server = ca.issue("srv01.example.com", "srv01")
    gui = ca.issue("desk01.example.com", "desk01", profile="gui")
    app = ca.issue("psdk01.example.com", "psdk01")
    pem = deploy(ca, app.serial, "java-pem", root / "pem")
    stores = deploy(ca, app.serial, "java-keystore", root / "ks", storepass="keystore-pw", trustpass="truststore-pw")
    expired = samples.expired(ca, "old01.example.com", "old01").write(root, "old01")
    return dict(ca=ca, other=other, server=server, gui=gui, app=app, pem=pem, stores=stores, expired=expired, root=root)


def pem_side(lab) -> JavaSide:
    pem, serial = lab["pem"], lab["app"].serial
    return JavaSide(
        cert=pem.path(f"{serial}_psdk01_cert.pem"), key=pem.path(f"{serial}_psdk01_priv_key_NEW.pem"), ca=pem.path("ca_cert.pem")
    )


def store_side(lab, password="keystore-pw") -> JavaSide:
    stores, serial = lab["stores"], lab["app"].serial
    return JavaSide(
        keystore=stores.path(f"{serial}_psdk01_cert.pfx"),
        truststore=stores.path("truststore.p12"),
        keystore_password=password,
        truststore_password="truststore-pw",
    )


def lab_server(lab, cert="server", mutual=False) -> ServerConfig:
    issued = lab[cert]
    return ServerConfig(issued.cert_file, issued.key_file, trust=lab["ca"].paths.cert, require_client_cert=mutual)


def test_java_client_with_pem_files_server_auth(lab, classes):
    result = javatls.java_client(classes, JavaSide(ca=pem_side(lab).ca), lab_server(lab), "srv01.example.com")
    assert result.ok, result.summary()
    assert "peer=CN=srv01" in result.java_output and result.protocol == "TLSv1.3"


def test_java_client_with_pem_files_mutual_tls(lab, classes):
    result = javatls.java_client(classes, pem_side(lab), lab_server(lab, mutual=True), "srv01.example.com")
    assert result.ok, result.summary()


def test_java_client_with_keystore_and_truststore_mutual_tls(lab, classes):
    result = javatls.java_client(classes, store_side(lab), lab_server(lab, mutual=True), "srv01.example.com")
    assert result.ok, result.summary()


def test_java_server_with_keystore_lab_client_mutual_tls(lab, classes):
    server = lab["server"]
    client = ClientConfig(lab["ca"].paths.cert, "psdk01.example.com", cert=server.cert_file, key=server.key_file)
    result = javatls.java_server(classes, store_side(lab), client, need_client_auth=True)
    assert result.ok, result.summary()
    assert "peer=CN=srv01" in result.java_output


def test_java_server_with_pem_files_lab_client_server_auth(lab, classes):
    result = javatls.java_server(classes, pem_side(lab), ClientConfig(lab["ca"].paths.cert, "psdk01.example.com"))
    assert result.ok, result.summary()


def test_gui_certificate_presented_by_a_server(lab, classes):
    result = javatls.java_client(classes, JavaSide(ca=lab["ca"].paths.cert), lab_server(lab, "gui"), "desk01.example.com")
    assert not result.ok
    assert "Extended key usage does not permit use for TLS server authentication" in result.java_error
    assert "GUI certificate" in result.explanation.cause and "server-profile" in result.explanation.fix
    assert "alert" in result.lab.error  # the lab's server saw Java's alert


def test_pkcs1_key_given_to_java(lab, classes):
    app = lab["app"]
    side = JavaSide(cert=app.cert_file, key=app.key_file, ca=lab["ca"].paths.cert)
    result = javatls.java_client(classes, side, lab_server(lab, mutual=True), "srv01.example.com")
    assert not result.ok
    assert "InvalidKeySpecException" in result.java_error
    assert result.explanation.fix.startswith("convert_priv_key.sh") and "-outformat pkcs8" in result.explanation.fix


def test_unknown_ca(lab, classes):
    result = javatls.java_client(classes, JavaSide(ca=lab["other"].paths.cert), lab_server(lab), "srv01.example.com")
    assert not result.ok
    assert "unable to find valid certification path to requested target" in result.java_error
    assert "does not trust" in result.explanation.cause


def test_expired_certificate(lab, classes):
    cert, key = lab["expired"]
    result = javatls.java_client(classes, JavaSide(ca=lab["ca"].paths.cert), ServerConfig(cert, key), "old01.example.com")
    assert not result.ok
    assert "validity check failed" in result.java_error and "CertificateExpiredException" in result.java_error
    assert "expired" in result.explanation.cause and "renew" in result.explanation.fix


def test_host_name_not_in_san(lab, classes):
    result = javatls.java_client(classes, JavaSide(ca=lab["ca"].paths.cert), lab_server(lab), "wrong.example.com")
    assert not result.ok and "No subject alternative DNS name matching wrong.example.com" in result.java_error


def test_wrong_keystore_password(lab, classes):
    result = javatls.java_client(classes, store_side(lab, "wrong-password"), lab_server(lab), "srv01.example.com")
    assert not result.ok and "password was incorrect" in result.java_error
    assert "password" in result.explanation.cause


def test_mutual_tls_without_a_client_certificate_is_refused_by_java(lab, classes):
    result = javatls.java_server(
        classes, pem_side(lab), ClientConfig(lab["ca"].paths.cert, "psdk01.example.com"), need_client_auth=True
    )
    assert not result.ok and "Empty client certificate chain" in result.java_error


def test_missing_java_side_file_is_refused_before_anything_runs(lab, classes, tmp_path):
    with pytest.raises(UsageError, match="not a file"):
        javatls.java_client(classes, JavaSide(ca=tmp_path / "none.pem"), lab_server(lab), "srv01.example.com")
    with pytest.raises(UsageError, match="not a file"):
        javatls.java_client(classes, JavaSide(ca=tmp_path), lab_server(lab), "srv01.example.com")


def test_cli_java_handshake_from_the_bundles(lab, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    require_tool("javac")
    ca = lab["ca"]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KS": "keystore-pw",
        "TS": "truststore-pw",
        "BAD": "wrong-password",
    }
    server = lab["server"].serial

    def run(*args):
        return subprocess.run(
            ["genesys-lab", "java-handshake", *map(str, args), "--ca-dir", ca.paths.root], env=env, capture_output=True, text=True
        )

    ok = run(lab["pem"].directory, "--platform", "java-pem", "--lab", server, "--mutual")
    assert ok.returncode == 0 and ok.stdout.startswith("ok: Java client"), ok.stdout + ok.stderr
    served = run(lab["stores"].directory, "--platform", "java-keystore", "--lab", server, "--role", "server", "--mutual",
                 "--storepass", "env:KS", "--trustpass", "env:TS")  # fmt: skip
    assert served.returncode == 0 and served.stdout.startswith("ok: Java server"), served.stdout + served.stderr
    wrong = run(
        lab["stores"].directory, "--platform", "java-keystore", "--lab", server, "--storepass", "env:BAD", "--trustpass", "env:TS"
    )
    assert wrong.returncode == 1 and "password was incorrect" in wrong.stdout and "fix: give the password" in wrong.stdout
    unix = run(lab["root"], "--platform", "unix", "--lab", server)
    assert unix.returncode == 2 and "not a Java bundle" in unix.stderr and len(unix.stderr.strip().splitlines()) == 1
