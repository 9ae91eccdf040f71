"""Lab certificates in OpenSSL's own TLS tools: ``openssl s_server`` and ``s_client``, as a native Genesys host would use them.

s_server listens on 127.0.0.1 port 0 (the kernel picks a free port, which
s_server prints as ``ACCEPT 127.0.0.1:PORT``), serves one connection
(``-naccept 1``) and requires a client certificate (``-Verify 1``). Without
``-verify_return_error`` the OpenSSL apps only *log* a failed verification
and carry on, so both sides get it. s_server treats end of standard input
as "quit", so its stdin stays open until the test is done with it.
"""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import threading

import pytest

from genesys_lab import create_ca
from genesys_lab.authority.crl import generate_crl
from genesys_lab.authority.revoke import revoke
from genesys_lab.checks.tls import ClientConfig, client_context

TIMEOUT = 20


@pytest.fixture(scope="module")
def lab(tmp_path_factory, openssl):
    ca = create_ca(tmp_path_factory.mktemp("interop"), "Interop CA").ca
    server = ca.issue("confserv.example.com", "confserv")
    client = ca.issue("tserver.example.com", "tserver")
    revoked = ca.issue("oldapp.example.com", "oldapp")
    revoke(ca, revoked.serial, "keyCompromise")
    generate_crl(ca)
    return ca, server, client, revoked


class SServer:
    """``openssl s_server`` for one connection; always killed on exit."""

    def __init__(self, openssl, ca, server, *extra):
        self.proc = subprocess.Popen(
            [
                openssl,
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-naccept",
                "1",
                "-cert",
                str(server.cert_file),
                "-key",
                str(server.key_file),
                "-CAfile",
                str(ca.paths.cert),
                "-Verify",
                "1",
                "-verify_return_error",
                *map(str, extra),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.errors: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=lambda: self.errors.extend(self.proc.stderr), daemon=True),
        ]
        for pump in self.pumps:
            pump.start()
        self.port = self._wait_for_port()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _wait_for_port(self) -> int:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"s_server printed no ACCEPT line: {seen}") from None
            if line is None:
                raise AssertionError(f"s_server exited: {seen}")
            seen.append(line)
            match = re.match(r"ACCEPT 127\.0\.0\.1:(\d+)", line)
            if match:
                return int(match.group(1))

    def finish(self) -> str:
        """Everything s_server wrote after ACCEPT (stdout, then stderr) once it has served its one connection."""
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        for pump in self.pumps:
            pump.join(TIMEOUT)
        out = []
        while (line := self.lines.get(timeout=TIMEOUT)) is not None:
            out.append(line)
        return "".join(out) + "".join(self.errors)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        for pump in self.pumps:
            pump.join(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


def s_client(openssl, ca, port, cert, version) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            openssl,
            "s_client",
            f"-tls{version.replace('.', '_')}",
            "-connect",
            f"127.0.0.1:{port}",
            "-cert",
            str(cert.cert_file),
            "-key",
            str(cert.key_file),
            "-CAfile",
            str(ca.paths.cert),
            "-verify_return_error",
            "-verify_hostname",
            "confserv.example.com",
            "-brief",
        ],
        input="Q\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_mutual_tls_with_lab_certificates(lab, openssl, version):
    ca, server, client, _ = lab
    with SServer(openssl, ca, server) as srv:
        result = s_client(openssl, ca, srv.port, client, version)
        log = srv.finish()
    assert result.returncode == 0, result.stderr
    assert "CONNECTION ESTABLISHED" in result.stderr and f"Protocol version: TLSv{version}" in result.stderr
    assert "Verification: OK" in result.stderr and "Verified peername: confserv.example.com" in result.stderr
    assert "depth=0 CN = tserver\nverify return:1" in log and "verify error" not in log


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_revoked_client_refused_by_s_server_with_crl_check(lab, openssl, version):
    ca, server, _, revoked = lab
    with SServer(openssl, ca, server, "-CRL", ca.paths.crl_pem, "-crl_check") as srv:
        result = s_client(openssl, ca, srv.port, revoked, version)
        log = srv.finish()
    assert "verify error:num=23:certificate revoked" in log
    assert "subject=CN = oldapp" not in log  # no session was established for it
    if version == "1.2":
        assert result.returncode != 0 and "sslv3 alert certificate revoked" in result.stderr


def test_same_crl_admits_a_good_client(lab, openssl):
    """The refusal above is about the serial on the CRL, not about CRL checking breaking every client."""
    ca, server, client, _ = lab
    with SServer(openssl, ca, server, "-CRL", ca.paths.crl_pem, "-crl_check") as srv:
        result = s_client(openssl, ca, srv.port, client, "1.3")
        log = srv.finish()
    assert result.returncode == 0 and "CONNECTION ESTABLISHED" in result.stderr
    assert "verify error" not in log


def test_lab_python_client_against_s_server(lab, openssl):
    """genesys_lab.checks.tls's client context (the one the scenarios use) talks to OpenSSL's server."""
    ca, server, client, _ = lab
    ctx = client_context(ClientConfig(ca.paths.cert, cert=client.cert_file, key=client.key_file))
    with SServer(openssl, ca, server) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=TIMEOUT) as raw:
            with ctx.wrap_socket(raw, server_hostname="confserv.example.com") as tls:
                version = tls.version()
                peer = tls.getpeercert()
        log = srv.finish()
    assert version == "TLSv1.3"
    assert dict(x[0] for x in peer["subject"])["commonName"] == "confserv"
    assert "depth=0 CN = tserver\nverify return:1" in log
