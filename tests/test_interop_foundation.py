"""The real tools judge what the foundation writes: openssl verify/x509/ca/pkcs12, keytool, Python ssl."""

import datetime as dt
import shutil
import socket
import ssl
import threading

import pytest
from helpers import GUIDE_CA_ARGS, run_tool

from genesys_lab import load_ca
from genesys_lab.cli import scripts

pytestmark = pytest.mark.interop

HOST = "myHOST.domain1.domain2.com"


@pytest.fixture(scope="module")
def guide_dir(tmp_path_factory):
    """The guide's two example commands, verbatim, plus one GUI and one IP-bearing certificate."""
    root = tmp_path_factory.mktemp("guide")
    import os

    old = os.getcwd()
    os.chdir(root)
    try:
        assert scripts.create_ca_main(list(GUIDE_CA_ARGS)) == 0
        assert scripts.create_cert_main(["-host", HOST, "-CN", "myWorkstation"]) == 0
        assert scripts.create_cert_main(["-host", "desk.example.com", "-CN", "desk", "-profile", "gui"]) == 0
        assert (
            scripts.create_cert_main(
                [
                    "-host",
                    "ip.example.com",
                    "-CN",
                    "ip",
                    "-IP",
                    "10.0.0.5",
                    "-SANip",
                    "10.0.0.6, 2001:db8::1",
                    "-dgst",
                    "sha512",
                    "-keySz",
                    "3072",
                    "-time",
                    "45",
                    "-SANDomain",
                    "alt.example.com",
                ]
            )
            == 0
        )
    finally:
        os.chdir(old)
    return root


def verify(openssl, root, cert, *extra):
    return run_tool(openssl, "verify", "-CAfile", root / "ca_conf/ca_cert.pem", *extra, root / cert, check=False)


def test_server_cert_passes_sslserver_with_hostname_and_sslclient(openssl, guide_dir):
    ok = verify(openssl, guide_dir, "ca_conf/repository/01_myHOST_cert.pem", "-purpose", "sslserver", "-verify_hostname", HOST)
    assert ok.returncode == 0 and ": OK" in ok.stdout
    assert verify(openssl, guide_dir, "ca_conf/repository/01_myHOST_cert.pem", "-purpose", "sslclient").returncode == 0
    wrong = verify(openssl, guide_dir, "ca_conf/repository/01_myHOST_cert.pem", "-verify_hostname", "other.example.com")
    assert wrong.returncode != 0 and "hostname mismatch" in wrong.stdout + wrong.stderr


def test_gui_cert_is_a_client_not_a_server(openssl, guide_dir):
    server = verify(openssl, guide_dir, "ca_conf/repository/02_desk_cert.pem", "-purpose", "sslserver")
    assert server.returncode != 0 and "unsuitable certificate purpose" in server.stdout + server.stderr
    assert verify(openssl, guide_dir, "ca_conf/repository/02_desk_cert.pem", "-purpose", "sslclient").returncode == 0


@pytest.mark.parametrize("address", ["10.0.0.5", "10.0.0.6", "2001:db8::1"])
def test_verify_ip_for_ip_and_sanip(openssl, guide_dir, address):
    assert (
        verify(openssl, guide_dir, "ca_conf/repository/03_ip_cert.pem", "-purpose", "sslserver", "-verify_ip", address).returncode
        == 0
    )


def test_verify_ip_refuses_other_address(openssl, guide_dir):
    assert verify(openssl, guide_dir, "ca_conf/repository/03_ip_cert.pem", "-verify_ip", "10.0.0.7").returncode != 0


def test_x509_text_shows_what_was_asked(openssl, guide_dir):
    text = run_tool(openssl, "x509", "-noout", "-text", "-in", guide_dir / "ca_conf/repository/03_ip_cert.pem").stdout
    assert "Signature Algorithm: sha512WithRSAEncryption" in text
    assert "Public-Key: (3072 bit)" in text
    assert (
        "DNS:ip.example.com, DNS:alt.example.com, IP Address:10.0.0.5, IP Address:10.0.0.6, IP Address:2001:DB8:0:0:0:0:0:1"
        in text
    )
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text
    dates = run_tool(
        openssl, "x509", "-noout", "-startdate", "-enddate", "-in", guide_dir / "ca_conf/repository/03_ip_cert.pem"
    ).stdout
    start, end = (dt.datetime.strptime(line.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT") for line in dates.splitlines())
    assert (end - start).days == 45


def test_host_keys_are_valid_pkcs1(openssl, guide_dir):
    out = run_tool(openssl, "rsa", "-check", "-noout", "-in", guide_dir / "ca_conf/repository/01_myHOST_priv_key.pem")
    assert "RSA key ok" in out.stdout


def test_pfx_opens_with_empty_password_without_legacy(openssl, guide_dir):
    info = run_tool(
        openssl, "pkcs12", "-in", guide_dir / "ca_conf/repository/01_myHOST_cert.pfx", "-passin", "pass:", "-nodes", "-info"
    )
    assert info.stdout.count("BEGIN CERTIFICATE") == 2 and "BEGIN PRIVATE KEY" in info.stdout
    ca_only = run_tool(openssl, "pkcs12", "-in", guide_dir / "ca_conf/ca_cert.pfx", "-passin", "pass:", "-nokeys")
    assert ca_only.stdout.count("BEGIN CERTIFICATE") == 1


def _keytool_list(keytool, path, tmp_path):
    empty = tmp_path / "empty-password"
    empty.write_text("")
    return run_tool(keytool, "-list", "-v", "-storetype", "PKCS12", "-keystore", path, "-storepass:file", empty).stdout


def test_keytool_sees_private_key_entry_with_chain_of_two(keytool, guide_dir, tmp_path):
    out = _keytool_list(keytool, guide_dir / "ca_conf/repository/01_myHOST_cert.pfx", tmp_path)
    assert "Your keystore contains 1 entry" in out
    assert "Entry type: PrivateKeyEntry" in out and "Certificate chain length: 2" in out


def test_keytool_sees_ca_pfx_as_trusted_entry(keytool, guide_dir, tmp_path):
    out = _keytool_list(keytool, guide_dir / "ca_conf/ca_cert.pfx", tmp_path)
    assert "Entry type: trustedCertEntry" in out


@pytest.fixture
def ca_copy(guide_dir, tmp_path):
    root = tmp_path / "ca"
    shutil.copytree(guide_dir, root)
    return root


def test_openssl_ca_keeps_running_a_genesys_lab_ca(openssl, ca_copy):
    conf = "ca_conf/ca.conf"
    status = run_tool(openssl, "ca", "-config", conf, "-status", "01", cwd=ca_copy, check=False)
    assert "01=Valid (V)" in status.stdout + status.stderr
    run_tool(openssl, "ca", "-config", conf, "-revoke", "ca_conf/repository/01.pem", "-crl_reason", "keyCompromise", cwd=ca_copy)
    run_tool(openssl, "ca", "-config", conf, "-gencrl", "-out", "ca_conf/crl.pem", cwd=ca_copy)
    crl = run_tool(openssl, "crl", "-in", ca_copy / "ca_conf/crl.pem", "-noout", "-text").stdout
    assert "Serial Number: 01" in crl and "Key Compromise" in crl
    records = {r.serial: r for r in load_ca(ca_copy).records()}
    assert records["01"].status == "R" and records["01"].reason == "keyCompromise"
    assert records["02"].status == "V"
    checked = run_tool(
        openssl,
        "verify",
        "-crl_check",
        "-CAfile",
        ca_copy / "ca_conf/ca_cert.pem",
        "-CRLfile",
        ca_copy / "ca_conf/crl.pem",
        ca_copy / "ca_conf/repository/01.pem",
        check=False,
    )
    assert checked.returncode != 0 and "certificate revoked" in checked.stdout + checked.stderr


def test_openssl_ca_issues_into_genesys_lab_ca_and_back(openssl, ca_copy):
    run_tool(
        openssl,
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "r.csr",
        "-subj",
        "/CN=fromopenssl",
        cwd=ca_copy,
    )
    run_tool(openssl, "ca", "-batch", "-config", "ca_conf/ca.conf", "-in", "r.csr", "-out", "c.pem", cwd=ca_copy)
    ca = load_ca(ca_copy)
    assert ca.record("04").status == "V"
    nxt = ca.issue("after.example.com", "after", key_size=1024)
    assert nxt.serial == "05"
    text = run_tool(openssl, "x509", "-noout", "-text", "-in", ca_copy / "c.pem").stdout
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text


@pytest.fixture
def openssl_made_ca(openssl, tmp_path):
    """A CA made with the OpenSSL command line in the Security Pack layout (PKCS#8 CA key), with one certificate."""
    conf = tmp_path / "ca_conf"
    (conf / "repository").mkdir(parents=True)
    (conf / "ca.db").write_text("")
    (conf / "serial.num").write_text("01\n")
    (conf / "crlnumber").write_text("01\n")
    from genesys_lab.authority.caconf import render

    (conf / "ca.conf").write_text(render("sha256"))
    run_tool(
        openssl,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca_conf/ca_priv_key.pem",
        "-out",
        "ca_conf/ca_cert.pem",
        "-days",
        "365",
        "-subj",
        "/C=US/O=Genesys/CN=OpenSSL Made CA",
        "-config",
        "ca_conf/ca.conf",
        "-extensions",
        "ca_ext",
        cwd=tmp_path,
    )
    run_tool(
        openssl,
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "r.csr",
        "-subj",
        "/CN=first",
        cwd=tmp_path,
    )
    run_tool(openssl, "ca", "-batch", "-config", "ca_conf/ca.conf", "-in", "r.csr", "-out", "c.pem", cwd=tmp_path)
    assert (conf / "ca_priv_key.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    return tmp_path


def test_genesys_lab_issues_into_an_openssl_made_ca(openssl, openssl_made_ca):
    ca = load_ca(openssl_made_ca)
    assert [r.serial for r in ca.records()] == ["01"]
    issued = ca.issue(HOST, "myWorkstation")
    assert issued.serial == "02"
    ok = run_tool(
        openssl,
        "verify",
        "-CAfile",
        openssl_made_ca / "ca_conf/ca_cert.pem",
        "-purpose",
        "sslserver",
        "-verify_hostname",
        HOST,
        issued.cert_file,
    )
    assert ": OK" in ok.stdout
    status = run_tool(openssl, "ca", "-config", "ca_conf/ca.conf", "-status", "02", cwd=openssl_made_ca, check=False)
    assert "02=Valid (V)" in status.stdout + status.stderr


def test_python_ssl_handshake_with_hostname_check(guide_dir):
    repo = guide_dir / "ca_conf/repository"
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(repo / "01_myHOST_cert.pem", repo / "01_myHOST_priv_key.pem")
    client_ctx = ssl.create_default_context(cafile=str(guide_dir / "ca_conf/ca_cert.pem"))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    result = {}

    def serve():
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            result["server"] = tls.version()
            tls.sendall(b"hello")

    thread = threading.Thread(target=serve)
    thread.start()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with client_ctx.wrap_socket(raw, server_hostname=HOST) as tls:
            assert tls.recv(5) == b"hello"
            assert tls.getpeercert()["subject"] == ((("commonName", "myWorkstation"),),)
    thread.join(10)
    listener.close()
    assert result["server"].startswith("TLS")


def test_non_ascii_subject_in_ca_db_is_written_as_openssl_ca_writes_it(openssl, ca_copy):
    """The same UTF-8 subject issued once by openssl ca and once by the lab gives the same ca.db text."""
    run_tool(
        openssl,
        "req",
        "-new",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "r.csr",
        "-utf8",
        "-subj",
        "/C=CH/L=Z\u00fcrich/O=Gen\u00e8ve AG/CN=Z\u00fcrich host",
        cwd=ca_copy,
    )
    run_tool(openssl, "ca", "-batch", "-utf8", "-config", "ca_conf/ca.conf", "-in", "r.csr", "-out", "c.pem", cwd=ca_copy)
    ca = load_ca(ca_copy)
    theirs = ca.record("04").subject
    ours = ca.issue(
        "zh.example.ch", "Z\u00fcrich host", locality="Z\u00fcrich", org="Gen\u00e8ve AG", country="CH", key_size=1024
    )
    assert ca.record(ours.serial).subject == theirs
    assert "\\xC3\\xBC" in theirs
