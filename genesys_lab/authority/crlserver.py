"""A CRL distribution point on 127.0.0.1: serve the CA's ``crl.der`` over HTTP.

Why DER: OpenSSL's ``-crl_download`` (and Windows' SChannel) fetch the CDP URL
and expect a DER CRL (RFC 5280 4.2.1.13: "application/pkix-crl"); a PEM file
there is rejected. The file is read on every request, so a CRL published
after the server started is served at once.

``delay`` holds each answer back for that many seconds, to show what the guide
warns about: a slow or unreachable CDP stalls every certificate verification
that checks revocation, while a local one answers at once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from genesys_lab.errors import UsageError

HOST = "127.0.0.1"
MAX_DELAY = 60.0
#: Seconds a connection may stay silent (idle, or a request sent half-way) before it is closed.
IDLE_TIMEOUT = 10.0
#: Connections served at once; more are closed at once instead of each costing a thread.
MAX_CONNECTIONS = 32


class _BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with at most MAX_CONNECTIONS handler threads.

    The standard server starts one thread per connection without limit, so
    400 half-sent requests held 402 threads (issue 10). A connection over
    the limit is closed straight away; with ``IDLE_TIMEOUT`` on each socket
    a slow or silent client frees its slot within seconds.
    """

    daemon_threads = True
    block_on_close = False  # a delayed answer must not hold up shutdown

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


@dataclass(frozen=True)
class CrlServer:
    """A running CDP: where it listens and which file it serves."""

    url: str  # the CRL's URL, e.g. http://127.0.0.1:8765/crl.der
    port: int
    path: str  # URL path of the CRL
    crl_file: Path
    delay: float


def _handler(crl_file: Path, url_path: str, delay: float):
    class CrlHandler(BaseHTTPRequestHandler):
        server_version = "genesys-lab-cdp"
        timeout = IDLE_TIMEOUT + delay  # socket timeout: an idle or half-sent request is dropped

        def do_GET(self):
            if delay:
                time.sleep(delay)
            if urlsplit(self.path).path not in (url_path, "/crl.der"):
                return self._send(404, b"not found: the CRL is at " + url_path.encode() + b"\n", "text/plain")
            try:
                data = crl_file.read_bytes()
            except OSError:
                return self._send(404, b"no CRL published yet: run genesys-lab gen-crl\n", "text/plain")
            self._send(200, data, "application/pkix-crl")

        def _send(self, status: int, body: bytes, content_type: str):
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format, *args):  # quiet: notebooks and tests read stdout
            pass

    return CrlHandler


def _url_parts(ca, port: int | None) -> tuple[int, str]:
    """Port and path: from the CA's CDP URL when it points at this machine, else an ephemeral port and /crl.der."""
    url = ca.crl_url
    if url:
        parts = urlsplit(url)
        if parts.hostname in ("127.0.0.1", "localhost"):
            return (parts.port or 80) if port is None else port, parts.path or "/crl.der"
    return (0 if port is None else port), "/crl.der"


@contextlib.contextmanager
def serve_crl(ca, *, port: int | None = None, delay: float = 0.0):
    """Serve ``ca_conf/crl.der`` on 127.0.0.1 in a background thread; yields a CrlServer.

    ``port`` defaults to the port of the CA's own CDP URL (so the certificates'
    CRL distribution point reaches this server), or a free port when the CA
    has no local CDP. The server stops when the ``with`` block ends.
    """
    from genesys_lab.authority.ca import load_ca

    ca = load_ca(ca)
    delay = _check_delay(delay)
    port, url_path = _url_parts(ca, _check_port(port))
    try:
        httpd = _BoundedServer((HOST, port), _handler(ca.paths.crl_der, url_path, delay))
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {HOST}:{port} ({exc.strerror}): stop what uses that port, or pass another --port"
        ) from None
    bound = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"crl-server-{bound}", daemon=True)
    thread.start()
    try:
        yield CrlServer(f"http://{HOST}:{bound}{url_path}", bound, url_path, ca.paths.crl_der, delay)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _check_delay(value) -> float:
    try:
        delay = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"delay {value!r} is not a number of seconds: use e.g. --delay 3") from None
    if not 0 <= delay <= MAX_DELAY:
        raise UsageError(f"delay {delay:g} s is outside 0..{MAX_DELAY:g}: use a few seconds")
    return delay


def _check_port(value) -> int | None:
    if value is None:
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"port {value!r} is not a number: use e.g. --port 8080") from None
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is outside 0..65535: use e.g. --port 8080")
    return port


def free_port() -> int:
    """A port that is free right now on 127.0.0.1, to put in a CA's CDP URL before the server starts."""
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]
