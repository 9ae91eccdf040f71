"""Real TLS handshakes between a Java program (the JDK's JSSE) and the lab's TLS peer (Python ssl, OpenSSL).

A Genesys Java (PSDK) application either reads PEM files, the key as
PKCS#8 (guide: "... for Applications with Java dependency"), or uses a
keystore and a truststore. ``java/TlsPeer.java`` does exactly that with
nothing but the JDK, so what it prints when a handshake fails is Java's own
exception text, the line an administrator finds in a Java application's
log. ``explain`` names the usual causes and the fix for each: the texts it
matches are the JDK's (sun.security.validator and sun.security.ssl
messages of JDK 17; the tests produce each one for real).

The lab's side is ``checks.tls.server_context`` / ``client_context``: one
connection on 127.0.0.1 with socket timeouts, the listener always closed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.checks import tls
from genesys_lab.errors import GenesysLabError, UsageError

SOURCE = Path(__file__).with_name("java") / "TlsPeer.java"
TIMEOUT = 15.0
_PING, _PONG = b"ping\n", b"pong\n"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise GenesysLabError(f"{name} is not installed: install a JDK (apt-get install openjdk-17-jdk-headless) to run Java handshakes")
    return path


def compile_peer(folder) -> Path:
    """Compile TlsPeer.java into ``folder`` (once per source version); returns the class folder."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    classes = Path(folder) / f"tlspeer-{digest}"
    if (classes / "TlsPeer.class").is_file():
        return classes
    classes.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([_tool("javac"), "-d", str(classes), str(SOURCE)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise GenesysLabError(f"javac could not compile {SOURCE.name}: {(proc.stderr or proc.stdout).strip().splitlines()[0]}")
    return classes


@dataclass(frozen=True)
class JavaSide:
    """What the Java program uses: PEM files (cert + PKCS#8 key, CA) or a keystore and truststore."""

    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None
    keystore: Path | None = None
    truststore: Path | None = None
    keystore_password: str = field(default="", repr=False)
    truststore_password: str = field(default="", repr=False)

    def arguments(self) -> list[str]:
        args: list[str] = []
        if self.keystore is not None:
            args += ["--keystore", str(self.keystore)]
        elif self.cert is not None and self.key is not None:
            args += ["--pem", str(self.cert), str(self.key)]
        if self.truststore is not None:
            args += ["--truststore", str(self.truststore)]
        elif self.ca is not None:
            args += ["--ca", str(self.ca)]
        return args

    def environment(self) -> dict[str, str]:
        return dict(os.environ, KEYSTORE_PASSWORD=self.keystore_password, TRUSTSTORE_PASSWORD=self.truststore_password)


@dataclass(frozen=True)
class Explanation:
    cause: str
    fix: str


@dataclass(frozen=True)
class JavaHandshake:
    """Both sides of one handshake: Java's verdict and text, the lab's (OpenSSL's), and the explanation."""

    ok: bool
    java_role: str
    java_output: str
    java_error: str | None
    lab: tls.SideOutcome
    protocol: str | None
    explanation: Explanation | None

    def summary(self) -> str:
        if self.ok:
            return f"ok: Java {self.java_role} and the lab handshook ({self.protocol})"
        lines = [f"failed: Java {self.java_role} says: {self.java_error}", f"the lab's side says: {self.lab}"]
        if self.explanation:
            lines += [f"cause: {self.explanation.cause}", f"fix: {self.explanation.fix}"]
        return "\n".join(lines)


#: (text in Java's exception chain, cause, fix); first match wins.
_CAUSES = (
    (
        "does not permit use for TLS server authentication",
        "the server presented a certificate without serverAuth (a GUI certificate): Java refuses it for a TLS server",
        "issue the server a server-profile certificate (serverAuth and clientAuth): create_cert.sh -host <fqdn> -CN <name>",
    ),
    (
        "does not permit use for TLS client authentication",
        "the client presented a certificate without clientAuth: Java refuses it for a TLS client",
        "issue a certificate with clientAuth (the server profile has both, the GUI profile clientAuth)",
    ),
    (
        "InvalidKeySpecException",
        "the key file is PKCS#1 (BEGIN RSA PRIVATE KEY): PKCS8EncodedKeySpec reads only PKCS#8",
        "convert_priv_key.sh -in <serial>_<host>_priv_key.pem -out <serial>_<host>_priv_key_NEW.pem -informat rsa -outformat pkcs8",
    ),
    (
        "unable to find valid certification path",
        "the peer's certificate was issued by a CA that this side does not trust (not in its truststore / ca_cert.pem)",
        "give Java the ca_cert.pem of the CA that issued the peer's certificate (keytool -importcert ... -file ca_cert.pem)",
    ),
    (
        "validity check failed",
        "the peer's certificate has expired (or is not valid yet): Java checks the validity period",
        "renew the certificate (genesys-lab renew SERIAL) and install the new files",
    ),
    (
        "No subject alternative",
        "the server's certificate does not carry the host name Java connected to in its SAN",
        "issue the certificate with that host name: create_cert.sh -host <fqdn> (or -SANDomain for more names)",
    ),
    (
        "password was incorrect",
        "the keystore or truststore does not open with the password given",
        "give the password the store was made with (KEYSTORE_PASSWORD / TRUSTSTORE_PASSWORD)",
    ),
    (
        "Empty client certificate chain",
        "the server requires mutual TLS and the client sent no certificate",
        "give the client its certificate and key (--pem or --keystore)",
    ),
)


def explain(java_text: str, lab_text: str = "") -> Explanation | None:
    for needle, cause, fix in _CAUSES:
        if needle in java_text:
            return Explanation(cause, fix)
    if "unsupported certificate purpose" in lab_text or "unsuitable certificate purpose" in lab_text:
        return Explanation(
            "the lab refused the Java side's certificate for its purpose (EKU)", "issue a certificate with the EKU the role needs"
        )
    if "certificate verify failed" in lab_text:
        return Explanation(f"the lab refused the Java side's certificate: {lab_text}", "issue the Java side's certificate from the CA the lab trusts")
    return None


def _java_error(output: str) -> str | None:
    lines = [line[len("exception ") :] for line in output.splitlines() if line.startswith("exception ")]
    return " <- ".join(lines) if lines else None


def _java_command(classes: Path, *args: str) -> list[str]:
    return [_tool("java"), "-cp", str(classes), "TlsPeer", *args]


def _check(side: JavaSide) -> None:
    for path in (side.cert, side.key, side.ca, side.keystore, side.truststore):
        if path is not None and not Path(path).is_file():
            raise UsageError(f"{path} is not a file: give the Java side's certificate, key or store files")


def java_client(classes, java: JavaSide, server: tls.ServerConfig, server_name: str, *, timeout: float = TIMEOUT) -> JavaHandshake:
    """Java connects as a client to the lab's TLS server (server auth; mutual TLS when the server requires it)."""
    _check(java)
    ctx = tls.server_context(server)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(timeout)
    box: dict = {"outcome": tls.SideOutcome(False, "no connection arrived"), "version": None}
    thread = threading.Thread(target=_serve_one, args=(listener, ctx, timeout, box), daemon=True)
    thread.start()
    try:
        proc = subprocess.run(
            _java_command(Path(classes), "client", str(listener.getsockname()[1]), server_name, *java.arguments()),
            env=java.environment(),
            capture_output=True,
            text=True,
            timeout=timeout + 30,
        )
    finally:
        listener.close()  # a Java side that failed before connecting must not leave the lab waiting
        thread.join(timeout + 1)
    return _result("client", proc.stdout + proc.stderr, proc.returncode, box["outcome"], box["version"])


def _serve_one(listener, ctx, timeout: float, box: dict) -> None:
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    conn.settimeout(timeout)
    try:
        with ctx.wrap_socket(conn, server_side=True) as sock:
            box["version"] = sock.version()
            if sock.recv(len(_PING)) == _PING:
                sock.sendall(_PONG)
            box["outcome"] = tls.SideOutcome(True)
    except (ssl.SSLError, OSError) as exc:
        box["outcome"] = tls.SideOutcome(False, tls.openssl_text(exc), refused=isinstance(exc, ssl.SSLCertVerificationError))
        conn.close()


def java_server(
    classes, java: JavaSide, client: tls.ClientConfig, *, need_client_auth: bool = False, timeout: float = TIMEOUT
) -> JavaHandshake:
    """The lab connects as a client to a Java TLS server (mutual TLS with ``need_client_auth``)."""
    _check(java)
    ctx = tls.client_context(client)
    extra = ["--need-client-auth"] if need_client_auth else []
    proc = subprocess.Popen(
        _java_command(Path(classes), "server", *extra, *java.arguments()),
        env=java.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        if not first.startswith("LISTENING "):
            rest = proc.communicate(timeout=timeout)[0]
            return _result("server", first + rest, proc.returncode, tls.SideOutcome(False, "the Java server did not start"), None)
        lab, version = _connect(int(first.split()[1]), ctx, client.server_hostname, timeout)
        rest = proc.communicate(timeout=timeout + 30)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return _result("server", first + rest, proc.returncode, lab, version)


def _connect(port: int, ctx, hostname, timeout: float):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=hostname) as sock:
                version = sock.version()
                sock.sendall(_PING)
                if sock.recv(len(_PONG)) != _PONG:
                    return tls.SideOutcome(False, "the Java server closed the connection without answering"), version
                return tls.SideOutcome(True), version
    except (ssl.SSLError, OSError) as exc:
        return tls.SideOutcome(False, tls.openssl_text(exc), refused=isinstance(exc, ssl.SSLCertVerificationError)), None


def _result(role: str, output: str, code: int, lab: tls.SideOutcome, version) -> JavaHandshake:
    java_ok = code == 0 and any(line.startswith("OK ") for line in output.splitlines())
    error = None
    if not java_ok:
        lines = output.strip().splitlines()
        error = _java_error(output) or (lines[-1] if lines else f"exit {code}")
    ok = java_ok and lab.ok
    explanation = None if ok else explain(error or "", lab.error or "")
    return JavaHandshake(ok, role, output.strip(), error, lab, version, explanation)
