"""Real TLS handshakes between lab certificates, on 127.0.0.1, with Python's ``ssl`` (OpenSSL).

Why a real handshake rather than a simulation: what a Genesys administrator
has to recognise is the text OpenSSL writes into a log when a connection is
refused ("certificate verify failed: unsuitable certificate purpose",
"sslv3 alert certificate revoked"). Python's ``ssl`` is OpenSSL underneath,
so the messages reported here are OpenSSL's own.

One handshake = one server thread that accepts exactly one connection, and
the client in the caller's thread; both with socket timeouts, and the
listener is always closed, so a failed case never leaves a port or thread
behind. After the handshake the client sends one line and reads the answer:
in TLS 1.3 the server checks the client certificate *after* the client has
finished its handshake (RFC 8446 4.4), so a refused client certificate
reaches the client only as an alert at its first read.
"""

from __future__ import annotations

import enum
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import UsageError
from genesys_lab.x509.profiles import parse_choice

DEFAULT_TIMEOUT = 5.0
_PING, _PONG = b"ping\n", b"pong\n"


class TLSVersion(enum.Enum):
    """The protocol versions a Genesys site may pin; None (no pin) lets the peers agree on the highest."""

    TLS1_2 = "1.2"
    TLS1_3 = "1.3"

    @classmethod
    def parse(cls, value: str | TLSVersion | None) -> TLSVersion | None:
        if value is None:
            return None
        return parse_choice(
            cls,
            value,
            words="is not a TLS version the lab pins: use 1.2 or 1.3",
            normalize=lambda text: text.strip().lower().removeprefix("tlsv").removeprefix("tls"),
        )

    @property
    def ssl_version(self) -> ssl.TLSVersion:
        return {TLSVersion.TLS1_2: ssl.TLSVersion.TLSv1_2, TLSVersion.TLS1_3: ssl.TLSVersion.TLSv1_3}[self]


@dataclass(frozen=True)
class ServerConfig:
    """The TLS server: its certificate and key, and how it treats client certificates.

    ``trust`` is the CA certificate the server accepts client certificates
    from; ``require_client_cert`` turns on mutual TLS (CERT_REQUIRED).
    ``crl_check`` makes OpenSSL look up the client certificate in a CRL
    (VERIFY_CRL_CHECK_LEAF); ``crl`` is that CRL as PEM. Checking without a
    CRL is allowed on purpose: it is a real misconfiguration to show.
    """

    cert: Path
    key: Path
    trust: Path | None = None
    require_client_cert: bool = False
    crl_check: bool = False
    crl: Path | None = None
    min_version: ssl.TLSVersion | None = None
    max_version: ssl.TLSVersion | None = None
    ciphers: str | None = None


@dataclass(frozen=True)
class ClientConfig:
    """The TLS client: what it trusts, the name it expects, and its own certificate for mutual TLS."""

    trust: Path
    server_hostname: str | None = None
    check_hostname: bool = True
    cert: Path | None = None
    key: Path | None = None
    crl_check: bool = False
    crl: Path | None = None
    min_version: ssl.TLSVersion | None = None
    max_version: ssl.TLSVersion | None = None
    ciphers: str | None = None


@dataclass(frozen=True)
class SideOutcome:
    """How one side ended: ``error`` is OpenSSL's text, ``refused`` is True when this side rejected the peer."""

    ok: bool
    error: str | None = None
    refused: bool = False

    def __str__(self) -> str:
        return "ok" if self.ok else f"{'refused' if self.refused else 'failed'}: {self.error}"


@dataclass(frozen=True)
class HandshakeResult:
    """Both sides' outcomes, and what was negotiated when the handshake got that far."""

    ok: bool
    version: str | None
    cipher: str | None
    server: SideOutcome
    client: SideOutcome

    @property
    def refused_by(self) -> str | None:
        """ "client", "server", or None: the side whose own verification failed (the other saw an alert)."""
        if self.client.refused:
            return "client"
        if self.server.refused:
            return "server"
        return None

    @property
    def reason(self) -> str | None:
        """The refusing side's error, else the first error seen: the line to look for in a log."""
        side = {"client": self.client, "server": self.server}.get(self.refused_by or "")
        if side is not None:
            return side.error
        return self.client.error or self.server.error

    def summary(self) -> str:
        if self.ok:
            return f"ok ({self.version}, {self.cipher})"
        if self.refused_by:
            return f"refused by the {self.refused_by}: {self.reason}"
        return f"failed: {self.reason}"


# ---------------------------------------------------------------- contexts


def _pin(ctx: ssl.SSLContext, version: TLSVersion | None) -> None:
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version.ssl_version


def _crl(ctx: ssl.SSLContext, check: bool, crl: Path | None) -> None:
    """OpenSSL finds CRLs in the same store as CA certificates: load_verify_locations reads a PEM CRL."""
    if check:
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if crl is not None:
        ctx.load_verify_locations(cafile=str(crl))


def _tune(ctx: ssl.SSLContext, config) -> None:
    """One side's own version range and cipher string (a Genesys end's sec-protocol and cipher-list).

    The cipher string is OpenSSL's SSL_CTX_set_cipher_list: it governs TLS
    1.2 and below; TLS 1.3 suites are a separate list Python does not set.
    """
    if config.min_version is not None:
        ctx.minimum_version = config.min_version
    if config.max_version is not None:
        ctx.maximum_version = config.max_version
    if config.ciphers:
        ctx.set_ciphers(config.ciphers)


def server_context(config: ServerConfig, version: TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _tune(ctx, config)
    _pin(ctx, version)
    ctx.load_cert_chain(str(config.cert), str(config.key))
    if config.trust is not None:
        ctx.load_verify_locations(cafile=str(config.trust))
    ctx.verify_mode = ssl.CERT_REQUIRED if config.require_client_cert else ssl.CERT_NONE
    _crl(ctx, config.crl_check, config.crl)
    return ctx


def client_context(config: ClientConfig, version: TLSVersion | None = None) -> ssl.SSLContext:
    """PROTOCOL_TLS_CLIENT: peer verification on; OpenSSL then also checks the serverAuth purpose."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _tune(ctx, config)
    _pin(ctx, version)
    ctx.check_hostname = config.check_hostname
    ctx.load_verify_locations(cafile=str(config.trust))
    if config.cert is not None:
        ctx.load_cert_chain(str(config.cert), str(config.key) if config.key else None)
    _crl(ctx, config.crl_check, config.crl)
    return ctx


# ---------------------------------------------------------------- errors

_SSL_TEXT = re.compile(r"\] (.*?)(?: \(_ssl\.c:\d+\))?$")


def openssl_text(exc: BaseException) -> str:
    """OpenSSL's message without Python's decoration: "[SSL: X] text (_ssl.c:123)" -> "text"."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}".rstrip(".")
    if isinstance(exc, ssl.SSLError):
        match = _SSL_TEXT.search(str(exc))
        return match.group(1) if match else (exc.reason or str(exc)).lower().replace("_", " ")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out waiting for the peer"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(exc, BrokenPipeError):
        return "connection closed by peer"
    return str(exc) or type(exc).__name__


def _refusal(exc: BaseException) -> SideOutcome:
    """A local verification failure means this side refused; anything else (an alert) came from the peer."""
    return SideOutcome(
        False,
        openssl_text(exc),
        refused=isinstance(exc, ssl.SSLCertVerificationError) or "peer did not return a certificate" in str(exc),
    )


# ---------------------------------------------------------------- handshake


@dataclass
class _ServerBox:
    outcome: SideOutcome = field(default_factory=lambda: SideOutcome(False, "no connection arrived"))
    version: str | None = None
    cipher: str | None = None


def _serve(listener: socket.socket, ctx: ssl.SSLContext, timeout: float, box: _ServerBox) -> None:
    try:
        conn, _ = listener.accept()
    except OSError as exc:
        box.outcome = SideOutcome(False, openssl_text(exc))
        return
    conn.settimeout(timeout)
    spare = conn.dup()  # keeps the TCP connection open after ssl closes its socket on failure
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            box.version, box.cipher = tls.version(), _cipher_name(tls)
            if tls.recv(len(_PING)) == _PING:
                tls.sendall(_PONG)
            box.outcome = SideOutcome(True)
    except (ssl.SSLError, OSError) as exc:
        box.outcome = _refusal(exc)
        _drain(spare)
    finally:
        spare.close()


def _drain(sock: socket.socket) -> None:
    """Close gently after sending an alert: FIN, then read what the client still sends until it closes.

    Closing a socket with unread data makes the kernel send a reset, and a
    reset can destroy the alert before the client reads it; in TLS 1.3 the
    client's first data is usually in flight when the server refuses it.
    """
    try:
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):
            pass
    except OSError:
        pass


def _client(port: int, ctx: ssl.SSLContext, hostname: str | None, timeout: float):
    """(outcome, version, cipher): connect, handshake, send one line and read the server's answer."""
    version = cipher = None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=hostname) as tls:
                version, cipher = tls.version(), _cipher_name(tls)
                tls.sendall(_PING)
                answer = tls.recv(len(_PONG))
                if answer != _PONG:
                    return SideOutcome(False, "the server closed the connection without answering"), version, cipher
        return SideOutcome(True), version, cipher
    except (ssl.SSLError, OSError) as exc:
        return _refusal(exc), version, cipher


def check_timeout(value) -> float:
    """A socket timeout in seconds: positive and finite, or the handshake would never end (or fail at once)."""
    import math

    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"timeout {value!r} is not a number of seconds: use e.g. 5") from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > 3600:
        raise UsageError(f"timeout {value!r} must be more than 0 and at most 3600 seconds: use e.g. 5")
    return seconds


def handshake(
    server: ServerConfig, client: ClientConfig, *, tls_version=None, timeout: float = DEFAULT_TIMEOUT
) -> HandshakeResult:
    """Run one real handshake on 127.0.0.1 (a free port) and report both sides.

    Bad file names or unreadable keys fail before any socket is opened
    (with a GenesysLabError naming the file); everything after that is a
    handshake outcome, never an exception.
    """
    timeout = check_timeout(timeout)
    version = TLSVersion.parse(tls_version)
    server_ctx, client_ctx = _contexts(server, client, version)
    box = _ServerBox()
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        listener.settimeout(timeout)
        thread = threading.Thread(
            target=_serve, args=(listener, server_ctx, timeout, box), name="genesys-lab-tls-server", daemon=True
        )
        thread.start()
        outcome, got_version, got_cipher = _client(listener.getsockname()[1], client_ctx, client.server_hostname, timeout)
        thread.join(2 * timeout + 1)
    finally:
        listener.close()
    ok = outcome.ok and box.outcome.ok
    return HandshakeResult(ok, got_version or box.version, got_cipher or box.cipher, box.outcome, outcome)


def _contexts(server: ServerConfig, client: ClientConfig, version: TLSVersion | None):
    from genesys_lab.errors import FormatError

    for label, path in (
        ("server certificate", server.cert),
        ("server key", server.key),
        ("CA certificate", client.trust),
        ("client certificate", client.cert),
        ("client key", client.key),
        ("CRL", server.crl),
        ("CRL", client.crl),
    ):
        if path is not None and not Path(path).is_file():
            raise FormatError(f"{label} {path} does not exist: check the path (lab files are in ca_conf/repository/)")
    if client.check_hostname and not client.server_hostname:
        raise UsageError("the client checks the host name but was given none: set server_hostname, or check_hostname=False")
    try:
        return server_context(server, version), client_context(client, version)
    except ssl.SSLError as exc:
        text = openssl_text(exc)
        hint = ""
        if "too small" in text or "too weak" in text:
            hint = (
                "; OpenSSL's default security level refuses keys under 2048 bits and SHA-1 signatures:"
                " renew the certificate with --key-size 2048 --digest sha256"
            )
        raise FormatError(f"OpenSSL refused the lab files before any handshake: {text}{hint}") from None


# ---------------------------------------------------------------- from a CA


@dataclass(frozen=True)
class Credentials:
    """A certificate and its key file, as the repository holds them."""

    cert: Path
    key: Path


def _cipher_name(tls) -> str | None:
    """The negotiated cipher suite's name (``SSLSocket.cipher()`` is None only before a handshake)."""
    cipher = tls.cipher()
    return cipher[0] if cipher else None


def credentials(ca, serial) -> Credentials:
    """``<SERIAL>_<host>_cert.pem`` and ``<SERIAL>_<host>_priv_key.pem`` of an issued certificate (the CA names them)."""
    from genesys_lab.errors import CertificateNotFoundError

    files = ca.host_files(serial)
    if not files.key.exists():
        raise CertificateNotFoundError(
            f"serial {ca.record(serial).serial} has no key file in {ca.paths.repository}: a handshake needs <SERIAL>_<host>_priv_key.pem"
        )
    return Credentials(files.cert, files.key)


def first_dns_name(cert_path: Path) -> str | None:
    from genesys_lab.x509.describe import describe

    info = describe(cert_path)
    return info.san_dns[0] if info.san_dns else info.common_name


def handshake_with_ca(
    ca,
    server_serial,
    client_serial=None,
    *,
    hostname: str | None = None,
    crl: bool = False,
    tls_version=None,
    timeout: float = DEFAULT_TIMEOUT,
    mutual: bool | None = None,
    check_hostname: bool = True,
) -> HandshakeResult:
    """A handshake between two certificates of one CA (``genesys-lab handshake``, the playground).

    ``mutual`` (default: whether a client serial is given) makes the server
    demand a client certificate, so mutual TLS without one can be shown;
    ``hostname`` defaults to the server certificate's first DNS name;
    ``crl`` makes both sides check the CA's current ``ca_conf/crl.pem`` (and
    fail, as OpenSSL does, when there is none yet).
    """
    server = credentials(ca, server_serial)
    client = credentials(ca, client_serial) if client_serial is not None else None
    crl_file = ca.paths.crl_pem if crl and ca.paths.crl_pem.exists() else None
    return handshake(
        ServerConfig(
            server.cert,
            server.key,
            trust=ca.paths.cert,
            require_client_cert=client is not None if mutual is None else mutual,
            crl_check=crl,
            crl=crl_file,
        ),
        ClientConfig(
            ca.paths.cert,
            server_hostname=hostname or first_dns_name(server.cert),
            check_hostname=check_hostname,
            cert=client.cert if client else None,
            key=client.key if client else None,
            crl_check=crl,
            crl=crl_file,
        ),
        tls_version=tls_version,
        timeout=timeout,
    )
