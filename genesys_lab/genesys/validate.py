"""``genesys-check``: a site's TLS configuration checked against its certificates.

Each rule below names the Genesys document it follows (SOURCES.md). A
finding names the object, the option, why, and the fix. ``skip`` findings
say why a rule could not be applied (no machine folder for a Windows host,
the Windows simulation not installed); they are never counted as passes.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError
from genesys_lab.genesys.material import Material, is_thumbprint, material
from genesys_lab.genesys.model import OS, Connection, Kind, Level, Site, effective_options
from genesys_lab.genesys.options import OPTIONS, is_true, suggestion

CLIENT_AUTH, SERVER_AUTH = "clientAuth", "serverAuth"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str
    object: str
    option: str
    why: str
    fix: str

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.object}: {self.option}: {self.why}; fix: {self.fix}"


def check_site(site: Site, *, ca=None, now: dt.datetime | None = None) -> tuple[Finding, ...]:
    """Every rule over the whole site; ``ca`` lets Windows thumbprints be matched to the CA's files."""
    ctx = _Context(site, ca, now or dt.datetime.now(dt.UTC))
    found: list[Finding] = []
    for rule in RULES:
        try:
            found.extend(rule(ctx))
        except GenesysLabError as exc:  # a file a rule cannot read is a finding, and the other rules still run
            found.append(_f(Severity.ERROR, rule.__name__.replace("_", "-"), "site", "-", str(exc), "fix the file it names"))
    return tuple(found)


def errors(findings) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.severity is Severity.ERROR)


@dataclass
class _Context:
    site: Site
    ca: object
    now: dt.datetime

    def objects(self) -> Iterator[tuple[Level, str, Mapping[str, str]]]:
        for host in self.site.hosts.values():
            yield Level.HOST, f"host {host.name}", host.options
        for app in self.site.applications.values():
            yield Level.APPLICATION, f"application {app.name}", app.options
            for port in app.ports.values():
                yield Level.PORT, f"port {app.name}:{port.id}", port.options
        for conn in self.site.connections:
            yield Level.CONNECTION, f"connection {conn.label}", conn.options

    def secure_ports(self):
        for app in self.site.applications.values():
            for port in app.ports.values():
                if port.secure:
                    yield app, port

    def server_material(self, app_name: str, port_id: str) -> Material:
        return material(effective_options(self.site, (app_name, port_id)), self.site.folder, self.ca)

    def client_material(self, conn: Connection) -> Material:
        return material(effective_options(self.site, conn), self.site.folder, self.ca)

    def secure_connections(self):
        for conn in self.site.connections:
            if self.site.port(conn.server, conn.port).secure:
                yield conn


def _f(severity, rule, obj, option, why, fix) -> Finding:
    return Finding(severity, rule, obj, option, why, fix)


# ---------------------------------------------------------------- option names and levels


def unknown_options(ctx: _Context):
    """Option names are case-sensitive and must be typed as documented (S4): a misspelt one is ignored by Genesys."""
    for _level, obj, options in ctx.objects():
        for name in options:
            if name not in OPTIONS:
                meant = suggestion(name)
                fix = f"rename it to {meant}" if meant else f"use a documented option ({', '.join(OPTIONS)})"
                yield _f(
                    Severity.ERROR, "unknown-option", obj, name, "not a documented Genesys TLS option, so it is ignored", fix
                )


def misplaced_options(ctx: _Context):
    """Secure mode (tls=1, tls-mutual=1) is set on the Port only (S1); the Platform SDK also reads tls from a client's Connection and Application (S5)."""
    kinds = {f"application {a.name}": a.kind for a in ctx.site.applications.values()}
    for level, obj, options in ctx.objects():
        for name in options:
            spec = OPTIONS.get(name)
            if spec is None:
                continue
            misplaced = level not in spec.levels or (
                name == "tls" and level is Level.APPLICATION and kinds.get(obj) is not Kind.JAVA
            )
            if misplaced:
                yield _f(
                    Severity.ERROR,
                    "port-only",
                    obj,
                    name,
                    f"{name} is set on the Port only (Security Deployment Guide)",
                    f"move {name}=1 to the secure port's Transport parameters",
                )


# ---------------------------------------------------------------- what a secure port needs


def port_requirements(ctx: _Context):
    """Every secure port needs certificate; native applications on UNIX also certificate-key and trusted-ca (S2)."""
    for app, port in ctx.secure_ports():
        options = effective_options(ctx.site, (app.name, port.id))
        obj = f"port {app.name}:{port.id}"
        if "certificate" not in options:
            yield _f(
                Severity.ERROR,
                "no-certificate",
                obj,
                "certificate",
                "a secure port has no certificate",
                "set certificate on the port, the application or its host",
            )
        unix = ctx.site.host_of(app).os is OS.UNIX
        if unix and app.kind is not Kind.GUI:
            for name in ("certificate-key", "trusted-ca"):
                if name not in options and not (name == "certificate-key" and _is_thumb(options)):
                    yield _f(
                        Severity.ERROR,
                        f"no-{name}",
                        obj,
                        name,
                        f"a UNIX application's secure port needs {name}",
                        f"set {name} next to certificate (same level)",
                    )


def _is_thumb(options) -> bool:
    return "certificate" in options and is_thumbprint(options["certificate"].value)


def split_levels(ctx: _Context):
    """All settings a level needs belong on that level: certificate with certificate-key and sec-protocol (S4, 8.5.x tip)."""
    for app, port in ctx.secure_ports():
        options = effective_options(ctx.site, (app.name, port.id))
        if "certificate" not in options:
            continue
        for name in ("certificate-key", "sec-protocol"):
            if name in options and options[name].level is not options["certificate"].level:
                yield _f(
                    Severity.WARNING,
                    "split-levels",
                    f"port {app.name}:{port.id}",
                    name,
                    f"{name} comes from the {options[name].level.value} level but certificate from the {options['certificate'].level.value} level",
                    f"set certificate and {name} on the same object",
                )


# ---------------------------------------------------------------- files


def _ends(ctx: _Context):
    """(object label, options, material, os) of every end that presents or trusts certificates."""
    for app, port in ctx.secure_ports():
        options = effective_options(ctx.site, (app.name, port.id))
        yield f"port {app.name}:{port.id}", options, ctx.server_material(app.name, port.id), ctx.site.host_of(app)
    for conn in ctx.secure_connections():
        app = ctx.site.app(conn.client)
        yield f"connection {conn.label}", effective_options(ctx.site, conn), ctx.client_material(conn), ctx.site.host_of(app)


def files_exist(ctx: _Context):
    """With the PEM provider the options name files (S9); a name that is not a file stops the application's TLS."""
    for obj, options, mat, _host in _ends(ctx):
        named = {"certificate-key": mat.key, "trusted-ca": mat.trusted_ca, "tls-crl": mat.crl}
        for path in mat.chain:
            if not path.is_file():
                yield _f(
                    Severity.ERROR,
                    "missing-file",
                    obj,
                    "certificate",
                    f"{path} does not exist",
                    "copy the certificate there or correct the path",
                )
        for name, path in named.items():
            if name in options and path is not None and not is_thumbprint(options[name].value) and not path.is_file():
                yield _f(
                    Severity.ERROR, "missing-file", obj, name, f"{path} does not exist", f"copy the file there or correct {name}"
                )


def files_match(ctx: _Context):
    """The key must be the certificate's own, and the certificate must be issued by a CA the peer trusts."""
    from genesys_lab.formats.convert import key_matches

    for obj, _options, mat, _host in _ends(ctx):
        if mat.certificate and mat.key and mat.certificate.is_file() and mat.key.is_file():
            try:
                ok = key_matches(mat.certificate, mat.key)
            except GenesysLabError as exc:
                yield _f(
                    Severity.ERROR,
                    "key-mismatch",
                    obj,
                    "certificate-key",
                    str(exc),
                    "name the key file that was issued with the certificate",
                )
                continue
            if not ok:
                yield _f(
                    Severity.ERROR,
                    "key-mismatch",
                    obj,
                    "certificate-key",
                    f"{mat.key.name} is not the key of {mat.certificate.name}",
                    "use <serial>_<host>_priv_key.pem of the same serial",
                )
    for conn in ctx.secure_connections():
        server, client = ctx.server_material(conn.server, conn.port), ctx.client_material(conn)
        yield from _trusts(f"connection {conn.label}", client.trusted_ca, server.certificate, "the server's certificate")
        if ctx.site.port(conn.server, conn.port).mutual:
            yield from _trusts(
                f"port {conn.server}:{conn.port}", server.trusted_ca, client.certificate, f"{conn.client}'s certificate"
            )


def _trusts(obj: str, trusted: Path | None, cert: Path | None, whose: str):
    if not (trusted and cert and trusted.is_file() and cert.is_file()):
        return
    from cryptography.exceptions import InvalidSignature

    from genesys_lab.formats.convert import load_certificates

    try:
        leaf = load_certificates(cert)[0]
        cas = load_certificates(trusted)
    except GenesysLabError as exc:
        yield _f(Severity.ERROR, "unreadable", obj, "trusted-ca", str(exc), "name PEM certificate files")
        return
    for ca_cert in cas:
        try:
            leaf.verify_directly_issued_by(ca_cert)
            return
        except (ValueError, TypeError, InvalidSignature):  # not issued by this CA
            continue
    yield _f(
        Severity.ERROR,
        "untrusted",
        obj,
        "trusted-ca",
        f"{whose} ({cert.name}) is not issued by the CA in {trusted.name}",
        "name the CA that issued it (several CAs may be listed in one PEM file)",
    )


# ---------------------------------------------------------------- Windows store


def windows_thumbprints(ctx: _Context):
    """On Windows (MSCAPI) certificate is the thumbprint of a certificate in the machine's Personal store (S9, S12).

    Which Personal store follows the guide's Windows installation section: server applications
    (services) read the Local Computer's, desktop (GUI) applications the Current User's.
    """
    for app in ctx.site.applications.values():
        host = ctx.site.host_of(app)
        value = app.options.get("certificate") or host.options.get("certificate")
        for port in app.ports.values():
            value = port.options.get("certificate", value)
        if host.os is not OS.WINDOWS or not value or not is_thumbprint(value):
            continue
        obj = f"application {app.name}"
        store, place = ("CurrentUser\\My", "Current User") if app.kind is Kind.GUI else ("LocalMachine\\My", "Local Computer")
        if not host.machine:
            yield _f(
                Severity.SKIP,
                "windows-store",
                obj,
                "certificate",
                f"host {host.name} names no machine folder",
                'add machine = "<folder>" to the host',
            )
            continue
        try:
            from genesys_lab.windows import load_machine  # another room of the lab, optional here
        except ImportError:
            yield _f(
                Severity.SKIP,
                "windows-store",
                obj,
                "certificate",
                "the Windows store simulation (genesys_lab.windows) is not installed",
                "install it to check LocalMachine\\My",
            )
            continue
        from genesys_lab.genesys.material import resolve_path

        try:
            entries = load_machine(resolve_path(ctx.site.folder, host.machine)).entries(store)
        except GenesysLabError as exc:
            yield _f(Severity.SKIP, "windows-store", obj, "certificate", str(exc), "fix the machine folder")
            continue
        wanted = value.replace(" ", "").upper()
        if wanted not in {e.thumbprint.upper() for e in entries}:
            yield _f(
                Severity.ERROR,
                "windows-store",
                obj,
                "certificate",
                f"thumbprint {wanted} is not in {store} of {host.name}",
                f"import the .pfx into {place} > Personal, or copy the right thumbprint",
            )


# ---------------------------------------------------------------- purposes, names, protocols, CRLs


def _eku(path: Path | None):
    if path is None or not path.is_file():
        return None
    from genesys_lab.x509.describe import describe

    try:
        return describe(path).extended_key_usage
    except GenesysLabError:
        return None


def _has(ekus, purpose: str) -> bool:
    return ekus is not None and (not ekus or any(purpose.lower() in e.lower().replace(" ", "") for e in ekus))


def purposes(ctx: _Context):
    """Mutual TLS: each client's certificate needs clientAuth; an application that is server and client uses one certificate for both (S13)."""
    for conn in ctx.secure_connections():
        server = ctx.server_material(conn.server, conn.port)
        eku = _eku(server.certificate)
        if eku is not None and not _has(eku, SERVER_AUTH):
            yield _f(
                Severity.ERROR,
                "no-serverAuth",
                f"port {conn.server}:{conn.port}",
                "certificate",
                "the server certificate has no serverAuth, so OpenSSL clients refuse it",
                "issue it with the server profile",
            )
        if not ctx.site.port(conn.server, conn.port).mutual:
            continue
        client = ctx.client_material(conn)
        obj = f"connection {conn.label}"
        if client.certificate is None:
            yield _f(
                Severity.ERROR,
                "mutual-no-cert",
                obj,
                "certificate",
                f"port {conn.server}:{conn.port} has tls-mutual=1 but {conn.client} presents no certificate",
                f"set certificate (and certificate-key) for {conn.client}",
            )
            continue
        eku = _eku(client.certificate)
        if eku is not None and not _has(eku, CLIENT_AUTH):
            yield _f(
                Severity.ERROR,
                "mutual-no-clientAuth",
                obj,
                "tls-mutual",
                f"{conn.client}'s certificate has no clientAuth, so the server refuses it",
                "issue it with the server or gui profile (both carry clientAuth)",
            )
    yield from _servers_that_connect(ctx)


def _servers_that_connect(ctx: _Context):
    clients = {c.client for c in ctx.site.connections}
    for app, port in ctx.secure_ports():
        if app.name not in clients:
            continue
        eku = _eku(ctx.server_material(app.name, port.id).certificate)
        if eku is not None and not _has(eku, CLIENT_AUTH):
            yield _f(
                Severity.WARNING,
                "server-no-clientAuth",
                f"application {app.name}",
                "certificate",
                "it opens connections of its own with a certificate without clientAuth: mutual TLS will refuse it",
                "reissue it with the server profile (serverAuth and clientAuth)",
            )


def target_names(ctx: _Context):
    """tls-target-name-check=host: the client matches the server's host name against the certificate (issue; page not read)."""
    from genesys_lab.x509.describe import describe

    for conn in ctx.secure_connections():
        options = effective_options(ctx.site, conn)
        if options.get("tls-target-name-check", None) is None or options["tls-target-name-check"].value != "host":
            continue
        server = ctx.server_material(conn.server, conn.port)
        if server.certificate is None or not server.certificate.is_file():
            continue
        host = ctx.site.host_of(ctx.site.app(conn.server)).name
        info = describe(server.certificate)
        if not _name_matches(host, info.san_dns, info.san_ip):
            names = ", ".join(info.san_dns + info.san_ip) or "none"
            yield _f(
                Severity.ERROR,
                "target-name",
                f"connection {conn.label}",
                "tls-target-name-check",
                f"the server certificate's SAN ({names}) lacks {host}, the name the client uses",
                f"reissue the certificate with -host {host} (or -SANDomain), or name the host as in the SAN",
            )


def _name_matches(name: str, dns: tuple[str, ...], ips: tuple[str, ...]) -> bool:
    name = name.lower().rstrip(".")
    for pattern in (d.lower() for d in dns):
        if pattern == name or (pattern.startswith("*.") and name.split(".", 1)[-1] == pattern[2:] and "." in name):
            return True
    return name in ips


def versions(value: str | None) -> frozenset[str]:
    """sec-protocol to TLS versions (S6): empty = 1.2 and up; SSLv23 = 1.1 and up; TLSv12 / TLSv13 strict."""
    return {
        None: frozenset({"1.2", "1.3"}),
        "": frozenset({"1.2", "1.3"}),
        "SSLv23": frozenset({"1.1", "1.2", "1.3"}),
        "TLSv12": frozenset({"1.2"}),
        "TLSv13": frozenset({"1.3"}),
    }[value]


def protocols(ctx: _Context):
    """sec-protocol at the two ends must leave a common version (S6); on Windows the machine's settings win (S6)."""
    for conn in ctx.secure_connections():
        client = effective_options(ctx.site, conn).get("sec-protocol")
        server = effective_options(ctx.site, (conn.server, conn.port)).get("sec-protocol")
        c, s = (client.value if client else None), (server.value if server else None)
        if not versions(c) & versions(s):
            yield _f(
                Severity.ERROR,
                "no-common-version",
                f"connection {conn.label}",
                "sec-protocol",
                f"the client allows {c or 'default'}, the server {s or 'default'}: no common TLS version",
                "leave sec-protocol empty at one end, or set the same value at both",
            )
        for end, app_name in (("client", conn.client), ("server", conn.server)):
            value = c if end == "client" else s
            if value and ctx.site.host_of(ctx.site.app(app_name)).os is OS.WINDOWS:
                yield _f(
                    Severity.WARNING,
                    "windows-protocol",
                    f"application {app_name}",
                    "sec-protocol",
                    "on Windows the SChannel settings of the machine take precedence over sec-protocol",
                    "enable the version in the Windows registry as well",
                )


def crls(ctx: _Context):
    """tls-crl must be a current CRL signed by the CA the end trusts (issue; page not read: the lab checks what OpenSSL checks)."""
    from genesys_lab.authority.crl import load_crl
    from genesys_lab.formats.convert import load_certificates

    for obj, _options, mat, _host in _ends(ctx):
        if mat.crl is None or not mat.crl.is_file():
            continue
        try:
            crl = load_crl(mat.crl)
        except GenesysLabError as exc:
            yield _f(Severity.ERROR, "crl-unreadable", obj, "tls-crl", str(exc), "name the CA's crl.pem")
            continue
        if not crl.is_current(ctx.now):
            yield _f(
                Severity.ERROR,
                "crl-stale",
                obj,
                "tls-crl",
                f"{mat.crl.name} expired on {crl.next_update:%Y-%m-%d}: OpenSSL refuses every peer",
                "publish a new CRL (genesys-lab gen-crl) and copy it there",
            )
        trusted = mat.trusted_ca
        if trusted and trusted.is_file() and not any(crl.is_signed_by(c) for c in load_certificates(trusted)):
            yield _f(
                Severity.ERROR,
                "crl-foreign",
                obj,
                "tls-crl",
                f"{mat.crl.name} is not signed by the CA in {mat.trusted_ca.name}",
                "use the CRL of the CA that issued the peers' certificates",
            )


def insecure_links(ctx: _Context):
    """A connection is secure only when it targets the server's secure port (S3)."""
    for conn in ctx.site.connections:
        if not ctx.site.port(conn.server, conn.port).secure and any(n in OPTIONS and n != "tls" for n in conn.options):
            yield _f(
                Severity.WARNING,
                "insecure-link",
                f"connection {conn.label}",
                "tls",
                f"port {conn.server}:{conn.port} is not secure, so these TLS options do nothing",
                f"link the connection to a port with tls=1, or set tls=1 on {conn.port}",
            )
        elif is_true(conn.options.get("tls")) and not ctx.site.port(conn.server, conn.port).secure:
            yield _f(
                Severity.ERROR,
                "insecure-link",
                f"connection {conn.label}",
                "tls",
                f"the connection asks for TLS but port {conn.server}:{conn.port} is not secure",
                f"set tls=1 on port {conn.port}",
            )


RULES = (
    unknown_options,
    misplaced_options,
    port_requirements,
    split_levels,
    files_exist,
    files_match,
    windows_thumbprints,
    purposes,
    target_names,
    protocols,
    crls,
    insecure_links,
)
