"""Input that was accepted before issue 10 and is refused now (or handled), each with the one-line fix."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time

import pytest
from helpers import openssl_ca, run_tool, snapshot

from genesys_lab import create_ca, load_ca
from genesys_lab.cli.main import main
from genesys_lab.errors import CANotFoundError, GenesysLabError, InvalidNameError, UsageError


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://127.0.0.1/crl.der\n[ evil ]\nx = y", "contains '\\n'"),
        ("http://127.0.0.1/crl\r.der", "contains '\\r'"),
        ("http://127.0.0.1/$dir/crl.der", "contains '$'"),
        ("http://127.0.0.1/crl.der#x", "contains '#'"),
        ("http://127.0.0.1/a.der,URI:http://evil/", "contains ','"),
        ("http://127.0.0.1/a b.der", "contains ' '"),
        ("http://127.0.0.1:99999/crl.der", "not an http:// address"),
        ("http:///crl.der", "not an http:// address"),
        ("http://h\u00f4te/crl.der", "not ASCII"),
    ],
)
def test_crl_url_that_would_change_ca_conf_is_refused(tmp_path, url, words):
    with pytest.raises(UsageError) as err:
        create_ca(tmp_path, "URL CA", key_size=1024, crl_url=url)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_crl_url_option_with_newline_on_the_command_line(tmp_path, capsys):
    code = main(["create-ca", "--ca-dir", str(tmp_path), "--cn", "x", "--key-size", "1024", "--crl-url", "http://a/c\n[x]"])
    assert code == 2 and "contains '\\n'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_render_checks_its_values_whoever_calls():
    from genesys_lab.authority import caconf

    with pytest.raises(UsageError):
        caconf.render("sha256\n[ evil ]")
    with pytest.raises(UsageError):
        caconf.render("sha256", "http://a/\n[x]")


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_modes_are_explicit_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        ca = create_ca(tmp_path, "Umask CA", key_size=1024).ca
        issued = ca.issue("u.example.com", "u", key_size=1024)
    finally:
        os.umask(old)
    assert _mode(ca.paths.conf) == 0o755 and _mode(ca.paths.repository) == 0o755
    assert _mode(ca.paths.lock) == 0o644
    assert _mode(ca.paths.key) == 0o400
    assert _mode(issued.key_file) == 0o600 and _mode(issued.pfx_file) == 0o600
    for path in (ca.paths.cert, ca.paths.db, ca.paths.serial, issued.cert_file, issued.serial_file):
        assert _mode(path) == 0o644, path


def test_truststore_mode_under_umask_000(session_ca, tmp_path, keytool):
    from genesys_lab.formats.java import create_truststore

    old = os.umask(0)
    try:
        made = create_truststore(session_ca.paths.cert, tmp_path / "trust.p12", "changeit")
    finally:
        os.umask(old)
    assert made.created and _mode(made.path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["trust.p12"]


def test_expired_ca_says_so(fresh_ca, monkeypatch):
    from genesys_lab.authority import ca as ca_module

    later = fresh_ca.certificate.not_valid_after_utc + dt.timedelta(days=2)
    monkeypatch.setattr(ca_module, "_now", lambda: later)
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(UsageError) as err:
        fresh_ca.issue("late.example.com", "late", key_size=1024)
    message = str(err.value)
    assert "expired on" in message and "create a new CA" in message and "-time 0" not in message
    assert snapshot(fresh_ca.paths.root) == before


def test_scoped_ipv6_address_is_refused(fresh_ca):
    for kwargs in (dict(ip="fe80::1%eth0"), dict(san_ips=["10.0.0.1", "fe80::1%2"])):
        with pytest.raises(InvalidNameError, match="has a zone"):
            fresh_ca.issue("z.example.com", "z", key_size=1024, **kwargs)
    assert fresh_ca.records() == []


@pytest.mark.parametrize(
    "name, words", [("*.com", "single label 'com'"), ("*.co.uk", "public suffix 'co.uk'"), ("*.github.io", "public suffix")]
)
def test_wildcard_over_a_public_suffix_is_refused(fresh_ca, name, words):
    with pytest.raises(InvalidNameError, match=words):
        fresh_ca.issue("w.example.com", "w", key_size=1024, san_domains=[name])
    assert fresh_ca.records() == []


def test_wildcard_over_an_own_domain_is_fine(fresh_ca):
    issued = fresh_ca.issue("w.example.com", "w", key_size=1024, san_domains=["*.example.com", "*.lab.local"])
    assert issued.serial == "01"


def test_missing_ca_conf_is_noticed_and_recreated(tmp_path, openssl, capsys):
    ca = create_ca(tmp_path, "Conf CA", key_size=1024, crl_url="http://127.0.0.1:8099/crl.der").ca
    ca.issue("c.example.com", "c", key_size=1024)
    original = ca.paths.config.read_bytes()
    ca.paths.config.unlink()
    with pytest.raises(CANotFoundError, match="ca.conf is missing: openssl ca cannot run this CA") as err:
        load_ca(tmp_path)
    assert "genesys-lab recreate-conf" in str(err.value)
    assert main(["recreate-conf", "--ca-dir", str(tmp_path)]) == 0
    assert ca.paths.config.read_bytes() == original  # digest from the CA, CDP from the last certificate
    assert main(["recreate-conf", "--ca-dir", str(tmp_path)]) == 1
    assert "exists: nothing to recreate" in capsys.readouterr().err
    openssl_ca(openssl, load_ca(tmp_path), "-gencrl", "-out", "ca_conf/crl.pem")


# -------------------------------------------------------------- serve-crl


def _threads() -> int:
    return threading.active_count()


def test_serve_crl_bounds_threads_and_drops_idle_connections(fresh_ca, monkeypatch):
    from genesys_lab import generate_crl
    from genesys_lab.authority import crlserver

    generate_crl(fresh_ca)
    monkeypatch.setattr(crlserver, "IDLE_TIMEOUT", 1.0)
    monkeypatch.setattr(crlserver, "MAX_CONNECTIONS", 4)
    base = _threads()
    with crlserver.serve_crl(fresh_ca) as server:
        clients = []
        for _ in range(20):  # half-sent requests, as a slowloris client keeps them
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET /crl.der HTTP/1.1\r\nHost: x\r\n")
            clients.append(sock)
        time.sleep(0.3)
        assert (
            _threads() - base <= 4 + 2
        )  # before: one thread per connection, kept for ever  # the serving thread, and the bounded handlers
        first = clients[0]
        started = time.monotonic()
        assert first.recv(100) == b""  # the server closed the half-sent request ...
        assert time.monotonic() - started < 5  # ... after its idle timeout
        for sock in clients:
            sock.close()
        time.sleep(1.5)
        # once the slow clients are gone, a real client is served
        proc = run_tool("openssl", "crl", "-inform", "DER", "-noout", "-in", fresh_ca.paths.crl_der)
        assert proc.returncode == 0
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /crl.der HTTP/1.0\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.0 200") and reply.endswith(fresh_ca.paths.crl_der.read_bytes())


def test_refusals_are_genesys_lab_errors():
    from genesys_lab.x509.names import validate_ip

    with pytest.raises(GenesysLabError):
        validate_ip("fe80::1%eth0")
