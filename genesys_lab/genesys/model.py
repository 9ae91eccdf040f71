"""A site's TLS configuration as plain data: hosts, applications, ports, connections and their options.

Genesys keeps TLS parameters on four kinds of configuration object (S1, S5 in
SOURCES.md): the Host (Annex), the Application (Annex, section security),
the server's Port (Transport parameters) and the client's Connection
(Transport parameters). ``effective_options`` applies the documented
precedence, the most specific object first, separately for every option (S5):

- a server port: Port, then the server's Application, then its Host;
- a client connection: Connection, then the client's Application, then its
  Host, and for ``tls`` alone the target server's Port.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from genesys_lab.errors import UsageError
from genesys_lab.genesys.options import OPTIONS, Level, is_true


class OS(enum.Enum):
    UNIX = "unix"
    WINDOWS = "windows"


class Kind(enum.Enum):
    """What runs: a native server (Security Pack / SChannel), a GUI desktop, or a Java Platform SDK application (S11)."""

    SERVER = "server"
    GUI = "gui"
    JAVA = "java"


def _choice(cls, value, what: str):
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        raise UsageError(f"{what} {value!r} is not one of {', '.join(m.value for m in cls)}") from None


@dataclass(frozen=True)
class Host:
    """A Host object: its name (the name clients connect to), OS, Annex options; ``machine`` is a simulated Windows folder."""

    name: str
    os: OS
    options: Mapping[str, str] = field(default_factory=dict)
    machine: str | None = None


@dataclass(frozen=True)
class Port:
    """A server Port object: its ID, number, and Transport parameters (``tls=1`` makes it secure, S1)."""

    id: str
    number: int | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def secure(self) -> bool:
        return is_true(self.options.get("tls"))

    @property
    def mutual(self) -> bool:
        return is_true(self.options.get("tls-mutual"))


@dataclass(frozen=True)
class Application:
    """An Application object: kind, the host it runs on, Annex options and its listening ports."""

    name: str
    kind: Kind
    host: str
    options: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[str, Port] = field(default_factory=dict)


@dataclass(frozen=True)
class Connection:
    """A client Application's connection to a server's Port, with its own Transport parameters (S3, S5)."""

    client: str
    server: str
    port: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.client} -> {self.server}:{self.port}"


@dataclass(frozen=True)
class Effective:
    """One option's value and the object it was read from."""

    value: str
    level: Level
    owner: str

    def __str__(self) -> str:
        return f"{self.value}  (from {self.level.value} {self.owner})"


@dataclass(frozen=True)
class Site:
    hosts: Mapping[str, Host]
    applications: Mapping[str, Application]
    connections: tuple[Connection, ...] = ()
    folder: str | None = None  # where relative file names in options are resolved (the site file's folder)

    def __post_init__(self):
        check_references(self)

    def app(self, name: str) -> Application:
        if name not in self.applications:
            raise UsageError(f"no application {name!r} in the site: the site has {', '.join(self.applications) or 'none'}")
        return self.applications[name]

    def host_of(self, app: Application) -> Host:
        return self.hosts[app.host]

    def port(self, app_name: str, port_id: str) -> Port:
        app = self.app(app_name)
        if port_id not in app.ports:
            raise UsageError(f"application {app_name!r} has no port {port_id!r}: its ports are {', '.join(app.ports) or 'none'}")
        return app.ports[port_id]

    def connection(self, label_or_client: str, server: str | None = None) -> Connection:
        """A connection by ``"client -> server:port"`` or by client (and server) name."""
        for conn in self.connections:
            if conn.label == label_or_client or (conn.client == label_or_client and server in (None, conn.server)):
                return conn
        known = "; ".join(c.label for c in self.connections) or "none"
        raise UsageError(f"no connection {label_or_client!r} in the site: its connections are {known}")

    def clients_of(self, app_name: str, port_id: str) -> tuple[Connection, ...]:
        return tuple(c for c in self.connections if c.server == app_name and c.port == port_id)


def check_references(site: Site) -> None:
    """Every application on a known host; every connection between known applications to a port that exists."""
    for app in site.applications.values():
        if app.host not in site.hosts:
            raise UsageError(
                f"application {app.name!r} runs on host {app.host!r}, which the site does not define: add [hosts.{app.host!r}]"
            )
    for conn in site.connections:
        site.app(conn.client)
        site.port(conn.server, conn.port)


def _lookup(chain, name: str) -> Effective | None:
    for level, owner, options in chain:
        if name in options:
            return Effective(options[name], level, owner)
    return None


def server_chain(site: Site, app_name: str, port_id: str):
    """(level, owner, options) in the server's order of precedence: Port, Application, Host (S5)."""
    app = site.app(app_name)
    port = site.port(app_name, port_id)
    host = site.host_of(app)
    return (
        (Level.PORT, f"{app.name}:{port.id}", port.options),
        (Level.APPLICATION, app.name, app.options),
        (Level.HOST, host.name, host.options),
    )


def client_chain(site: Site, conn: Connection):
    """Connection, client Application, client Host (S5); the server's Port is consulted for ``tls`` alone."""
    app = site.app(conn.client)
    host = site.host_of(app)
    return (
        (Level.CONNECTION, conn.label, conn.options),
        (Level.APPLICATION, app.name, app.options),
        (Level.HOST, host.name, host.options),
    )


def effective_options(site: Site, target) -> dict[str, Effective]:
    """The options in force for a server Port (``("app", "port")``) or a client Connection, with where each came from."""
    if isinstance(target, Connection):
        target = site.connection(target.label)  # this site's own copy: another site's object may differ
        chain = client_chain(site, target)
        found = {name: e for name in OPTIONS if (e := _lookup(chain, name)) is not None}
        server_port = site.port(target.server, target.port)
        if "tls" not in found and "tls" in server_port.options:
            found["tls"] = Effective(server_port.options["tls"], Level.PORT, f"{target.server}:{target.port}")
        found.pop("tls-mutual", None)  # a port-only setting (S1): the client follows the server's port
        return found
    app_name, port_id = target
    chain = server_chain(site, app_name, port_id)
    return {name: e for name in OPTIONS if (e := _lookup(chain, name)) is not None}


def option_levels(options: Mapping[str, Effective]) -> dict[str, list[str]]:
    """For a table: option -> [value, level, owner]."""
    return {name: [e.value, e.level.value, e.owner] for name, e in options.items()}
