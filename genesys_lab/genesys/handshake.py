"""A real TLS handshake on 127.0.0.1 driven by two ends' effective Genesys options.

The server end is the target Port (its options by Port > Application > Host
precedence), the client end the Connection (Connection > Application >
Host), as in SOURCES.md S5. The options become OpenSSL settings through
``checks.tls`` (Python's ssl is OpenSSL):

- ``sec-protocol`` -> the versions allowed (S6: empty 1.2+, SSLv23 1.1+, TLSv12, TLSv13);
- ``cipher-list`` -> the OpenSSL cipher string (TLS 1.2 and below);
- ``tls-mutual=1`` on the port -> the server requires a client certificate;
- ``tls-target-name-check=host`` -> the client checks the server's host name
  (the Host object's name) against the certificate;
- ``tls-crl`` -> CRL checking of the peer's certificate with that file;
- ``certificate``, ``certificate-key``, ``trusted-ca`` -> the files loaded.

A failure is traced back to the option that caused it (``cause``), read from
OpenSSL's own message, so "what happens if I set this option" has an answer
that names the option and the object it was read from.
"""

from __future__ import annotations

import dataclasses
import ssl
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.checks.tls import ClientConfig, HandshakeResult, ServerConfig, handshake
from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.genesys.material import material
from genesys_lab.genesys.model import Connection, Effective, Site, effective_options
from genesys_lab.genesys.options import spec
from genesys_lab.genesys.validate import versions

_SSL = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


@dataclass(frozen=True)
class Cause:
    option: str
    object: str
    value: str | None

    def __str__(self) -> str:
        shown = f"={self.value}" if self.value is not None else " (not set)"
        return f"{self.option}{shown} on {self.object}"


@dataclass(frozen=True)
class OptionHandshake:
    connection: str
    result: HandshakeResult
    cause: Cause | None

    @property
    def ok(self) -> bool:
        return self.result.ok

    def summary(self) -> str:
        text = f"{self.connection}: {self.result.summary()}"
        return text if self.ok or self.cause is None else f"{text}; caused by {self.cause}"


def handshake_connection(site: Site, connection, *, ca=None, timeout: float = 5.0) -> OptionHandshake:
    """Run the handshake of one connection (a Connection or its label) from the site's options."""
    conn = site.connection(connection.label if isinstance(connection, Connection) else connection)
    port = site.port(conn.server, conn.port)
    if not port.secure:
        raise UsageError(f"port {conn.server}:{conn.port} is not secure (no tls=1): the connection {conn.label} does not use TLS")
    s_opts, c_opts = effective_options(site, (conn.server, conn.port)), effective_options(site, conn)
    server, client = material(s_opts, site.folder, ca), material(c_opts, site.folder, ca)
    cert = _require(server.certificate, "certificate", f"port {conn.server}:{conn.port}")
    key = _require(server.key, "certificate-key", f"port {conn.server}:{conn.port}")
    trust = _require(client.trusted_ca, "trusted-ca", f"connection {conn.label}")
    check_name = "tls-target-name-check" in c_opts
    s_lo, s_hi = _range(s_opts)
    c_lo, c_hi = _range(c_opts)
    server_config = ServerConfig(
        cert, key, trust=server.trusted_ca, require_client_cert=port.mutual,
        crl_check=server.crl is not None, crl=server.crl, min_version=s_lo, max_version=s_hi, ciphers=_value(s_opts, "cipher-list"),
    )  # fmt: skip
    client_config = ClientConfig(
        trust, server_hostname=site.host_of(site.app(conn.server)).name if check_name else None,
        check_hostname=check_name, cert=client.certificate, key=client.key if client.certificate else None,
        crl_check=client.crl is not None, crl=client.crl, min_version=c_lo, max_version=c_hi, ciphers=_value(c_opts, "cipher-list"),
    )  # fmt: skip
    result = handshake(server_config, client_config, timeout=timeout)
    return OptionHandshake(conn.label, result, None if result.ok else cause_of(result, s_opts, c_opts, conn))


def _require(path: Path | None, option: str, obj: str) -> Path:
    if path is None:
        raise GenesysLabError(
            f"{obj} has no usable {option}: set it (a PEM file; a Windows thumbprint needs the CA passed as ca=)"
        )
    return path


def _value(options: dict[str, Effective], name: str) -> str | None:
    e = options.get(name)
    return e.value if e is not None and e.value else None


def _range(options: dict[str, Effective]):
    allowed = sorted(versions(_value(options, "sec-protocol") or None))
    return _SSL[allowed[0]], _SSL[allowed[-1]]


def _cause(options: dict[str, Effective], name: str, fallback: str) -> Cause:
    e = options.get(name)
    return Cause(name, f"{e.level.value} {e.owner}", e.value) if e else Cause(name, fallback, None)


def cause_of(result: HandshakeResult, s_opts, c_opts, conn: Connection) -> Cause | None:
    """The option behind OpenSSL's message: the refusing side's setting, else the setting that differs."""
    text = (result.reason or "").lower()
    port_obj, conn_obj = f"port {conn.server}:{conn.port}", f"connection {conn.label}"
    refuser = (s_opts, port_obj) if result.refused_by == "server" else (c_opts, conn_obj)
    if "hostname mismatch" in text or "ip address mismatch" in text:
        return _cause(c_opts, "tls-target-name-check", conn_obj)
    if "unsuitable certificate purpose" in text:
        return (
            _cause(s_opts, "tls-mutual", port_obj) if result.refused_by == "server" else _cause(s_opts, "certificate", port_obj)
        )
    if "did not return a certificate" in text or "certificate required" in text:
        return _cause(s_opts, "tls-mutual", port_obj)
    if "crl" in text or "revoked" in text:
        return _cause(refuser[0], "tls-crl", refuser[1])
    if "local issuer" in text or "self-signed" in text or "self signed" in text:
        return _cause(refuser[0], "trusted-ca", refuser[1])
    if "expired" in text:
        peer = (c_opts, conn_obj) if result.refused_by == "server" else (s_opts, port_obj)
        return _cause(peer[0], "certificate", peer[1])
    for name, words in (("sec-protocol", ("protocol", "version")), ("cipher-list", ("cipher", "handshake failure"))):
        if any(w in text for w in words):
            side = (c_opts, conn_obj) if name in c_opts else (s_opts, port_obj)
            return _cause(side[0], name, side[1])
    return None


# ---------------------------------------------------------------- what if I set this option


def with_option(site: Site, obj: str, option: str, value: str | None) -> Site:
    """A copy of the site with one option set (or removed, value None) on ``obj``, named as a Finding names it.

    ``obj`` is ``"host NAME"``, ``"application NAME"``, ``"port APP:PORT"`` or
    ``"connection CLIENT -> SERVER:PORT"``; setting an undocumented option or a value
    it does not take is one UsageError line, and the site is left unchanged.
    """
    if value is not None:  # removing (value None) takes any name: that is how a misspelt option goes
        spec(option).check(str(value))
    kind, _, name = obj.partition(" ")

    def edit(options):
        new = dict(options)
        if value is None:
            new.pop(option, None)
        else:
            new[option] = str(value)
        return new

    hosts, apps, conns = dict(site.hosts), dict(site.applications), list(site.connections)
    if kind == "host" and name in hosts:
        hosts[name] = dataclasses.replace(hosts[name], options=edit(hosts[name].options))
    elif kind == "application" and name in apps:
        apps[name] = dataclasses.replace(apps[name], options=edit(apps[name].options))
    elif kind == "port" and ":" in name:
        app_name, port_id = name.split(":", 1)
        port = site.port(app_name, port_id)
        ports = {**site.app(app_name).ports, port_id: dataclasses.replace(port, options=edit(port.options))}
        apps[app_name] = dataclasses.replace(apps[app_name], ports=ports)
    elif kind == "connection":
        conn = site.connection(name)
        conns[conns.index(conn)] = dataclasses.replace(conn, options=edit(conn.options))
    else:
        raise UsageError(
            f"{obj!r} names no object of the site: use 'host NAME', 'application NAME', 'port APP:PORT' or 'connection CLIENT -> SERVER:PORT'"
        )
    return dataclasses.replace(site, hosts=hosts, applications=apps, connections=tuple(conns))


def what_if(
    site: Site, connection, obj: str, option: str, value: str | None, *, ca=None, timeout: float = 5.0
) -> OptionHandshake:
    """The playground's mode: run the connection's handshake as it would be with one option changed."""
    return handshake_connection(with_option(site, obj, option, value), connection, ca=ca, timeout=timeout)
