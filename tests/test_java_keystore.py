"""Java's own TLS stack (JSSE) as the judge of what notebook 04 teaches: a keystore with a password.

A Genesys Java application that uses a key store is pointed at it with the
``javax.net.ssl.keyStore*`` system properties. The test starts a JSSE server
configured only by those properties and lets Python's ``ssl`` connect to it
with the CA as its trust anchor: the handshake succeeds only if JSSE found the
key and its chain in the keystore.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from helpers import require_tool, run_tool

from genesys_lab import create_ca, export_pkcs12

SOURCES = Path(__file__).parent / "java_tls"
HOST = "psdk02.example.com"


@pytest.fixture(scope="module")
def jsse(tmp_path_factory):
    javac = require_tool("javac")
    require_tool("java")
    out = tmp_path_factory.mktemp("jsse_classes")
    run_tool(javac, "-d", out, *sorted(SOURCES.glob("*.java")))
    return out


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    ca = create_ca(tmp_path_factory.mktemp("jsse_ca"), "JSSE CA").ca
    return ca, ca.issue(HOST, "psdk02")


def _serve_and_connect(classes, keystore: Path, password: str):
    """(JSSE's output, what the Python client read or the error it got)."""
    env = {**os.environ, "KEYSTORE_PASSWORD": password}
    command = [
        "java",
        f"-Djavax.net.ssl.keyStore={keystore}",
        "-Djavax.net.ssl.keyStoreType=PKCS12",
        f"-Djavax.net.ssl.keyStorePassword={password}",
        "-cp",
        str(classes),
        "JsseServer",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        port = int(server.stdout.readline().split()[1])
        return server, port
    except (IndexError, ValueError):
        server.kill()
        raise AssertionError("JSSE server did not start: " + server.stderr.read()) from None


def _client(ca, port):
    context = ssl.create_default_context(cafile=str(ca.paths.cert))
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw, context.wrap_socket(raw, server_hostname=HOST) as tls:
        return tls.recv(100).decode(), tls.version()


def test_a_keystore_with_a_password_serves_tls_from_jsse(jsse, host, tmp_path):
    ca, issued = host
    keystore = export_pkcs12(
        issued.cert_file, issued.key_file, tmp_path / "keystore.p12", chain=[ca.paths.cert], password="Keystore-pw-1"
    )
    server, port = _serve_and_connect(jsse, Path(keystore), "Keystore-pw-1")
    try:
        said, version = _client(ca, port)
    finally:
        out, err = server.communicate(timeout=30)
    assert said == "hello from JSSE\n", err
    assert f"HANDSHAKE {version}" in out


def test_the_empty_password_pfx_is_no_jsse_keystore(jsse, host):
    """What notebook 04 used to teach: create_cert.sh's .pfx with keyStorePassword= (empty) does not serve TLS."""
    ca, issued = host
    server, port = _serve_and_connect(jsse, issued.pfx_file, "")
    try:
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            _client(ca, port)
    finally:
        _out, err = server.communicate(timeout=30)
    assert "No available authentication scheme" in err or "handshake_failure" in err, err
