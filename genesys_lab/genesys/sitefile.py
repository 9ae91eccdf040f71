"""The site file: a site's TLS configuration in TOML, for version control.

TOML because Python reads it without a new dependency (``tomllib``, 3.11)
and an administrator can diff it. The layout mirrors Configuration Manager::

    [hosts."cfg01.lab.example.com"]
    os = "unix"
    options = { trusted-ca = "ca_cert.pem" }      # Host > Annex > security

    [applications.confserv]
    kind = "server"                               # server | gui | java
    host = "cfg01.lab.example.com"
    options = { certificate = "...", certificate-key = "..." }   # Application > Annex > security

    [applications.confserv.ports.secure]
    number = 2021
    options = { tls = "1", tls-mutual = "1" }     # Port > Transport parameters

    [[connections]]
    client = "sipserver"
    server = "confserv"
    port = "secure"
    options = { tls-target-name-check = "host" }  # Connection > Transport parameters

A malformed file, a value a documented option does not take, or a reference
to a host, application or port that is not there is one GenesysLabError
line; an option name that is not documented is kept, so ``genesys-check``
can report it with the name that was meant.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from genesys_lab.errors import FormatError, GenesysLabError
from genesys_lab.genesys.model import OS, Application, Connection, Host, Kind, Port, Site, _choice
from genesys_lab.genesys.options import OPTIONS


class SiteFileError(FormatError):
    """The site file cannot be read as a site; the message names the file, the place and the fix."""


def load_site(path: Path | str) -> Site:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteFileError(f"site file {path} does not exist: check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteFileError(f"site file {path} cannot be read ({exc.__class__.__name__}): give a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteFileError(f"site file {path} is not valid TOML: {exc}") from None
    try:
        return site_from_dict(data, folder=str(path.resolve().parent))
    except GenesysLabError as exc:
        raise SiteFileError(f"site file {path}: {exc}") from None


def site_from_dict(data: dict, *, folder: str | None = None) -> Site:
    _keys(data, {"hosts", "applications", "connections"}, "the file")
    hosts = {name: _host(name, _table(body, f"hosts.{name}")) for name, body in _table(data.get("hosts", {}), "hosts").items()}
    apps = {
        name: _application(name, _table(body, f"applications.{name}"))
        for name, body in _table(data.get("applications", {}), "applications").items()
    }
    conns = data.get("connections", [])
    if not isinstance(conns, list):
        raise SiteFileError("connections must be an array of tables: write [[connections]]")
    connections = tuple(_connection(i, _table(c, f"connections[{i}]")) for i, c in enumerate(conns, 1))
    return Site(hosts, apps, connections, folder=folder)


def _table(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise SiteFileError(f"{where} must be a table, not {type(value).__name__}")
    return value


def _keys(body: dict, allowed: set, where: str) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise SiteFileError(f"{where} has unknown key {extra[0]!r}: the keys are {', '.join(sorted(allowed))}")


def _text(body: dict, key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SiteFileError(f'{where} needs {key} = "..." (text)')
    return value.strip()


def _options(body: dict, where: str) -> dict[str, str]:
    """Option values as Genesys stores them (text); a documented option's value is checked here (one line)."""
    raw = _table(body.get("options", {}), f"{where}.options")
    options = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise SiteFileError(f'{where}: option {name} = {value!r} must be text such as "1" (Genesys option values are text)')
        text = str(value)
        if name in OPTIONS:
            OPTIONS[name].check(text)
        options[name] = text
    return options


def _host(name: str, body: dict) -> Host:
    where = f"hosts.{name}"
    _keys(body, {"os", "options", "machine"}, where)
    os_ = _choice(OS, _text(body, "os", where), f"{where}: os")
    return Host(name, os_, _options(body, where), _text(body, "machine", where) if "machine" in body else None)


def _application(name: str, body: dict) -> Application:
    where = f"applications.{name}"
    _keys(body, {"kind", "host", "options", "ports"}, where)
    kind = _choice(Kind, _text(body, "kind", where), f"{where}: kind")
    ports = {
        pid: _port(pid, _table(p, f"{where}.ports.{pid}"), where)
        for pid, p in _table(body.get("ports", {}), f"{where}.ports").items()
    }
    return Application(name, kind, _text(body, "host", where), _options(body, where), ports)


def _port(pid: str, body: dict, owner: str) -> Port:
    where = f"{owner}.ports.{pid}"
    _keys(body, {"number", "options"}, where)
    number = body.get("number")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 65536):
        raise SiteFileError(f"{where}: number = {number!r} is not a TCP port: use 1 to 65535")
    return Port(pid, number, _options(body, where))


def _connection(i: int, body: dict) -> Connection:
    where = f"connections[{i}]"
    _keys(body, {"client", "server", "port", "options"}, where)
    return Connection(
        _text(body, "client", where), _text(body, "server", where), _text(body, "port", where), _options(body, where)
    )


# ---------------------------------------------------------------- writing


def dump_site(site: Site) -> str:
    """The site as TOML that ``load_site`` reads back to an equal Site."""
    lines: list[str] = []
    for host in site.hosts.values():
        lines += [f"[hosts.{_key(host.name)}]", f"os = {_str(host.os.value)}"]
        if host.machine:
            lines.append(f"machine = {_str(host.machine)}")
        lines += [*_inline(host.options), ""]
    for app in site.applications.values():
        lines += [f"[applications.{_key(app.name)}]", f"kind = {_str(app.kind.value)}", f"host = {_str(app.host)}"]
        lines += [*_inline(app.options), ""]
        for port in app.ports.values():
            lines.append(f"[applications.{_key(app.name)}.ports.{_key(port.id)}]")
            if port.number is not None:
                lines.append(f"number = {port.number}")
            lines += [*_inline(port.options), ""]
    for conn in site.connections:
        lines += [
            "[[connections]]",
            f"client = {_str(conn.client)}",
            f"server = {_str(conn.server)}",
            f"port = {_str(conn.port)}",
        ]
        lines += [*_inline(conn.options), ""]
    return "\n".join(lines)


def save_site(site: Site, path: Path | str, *, overwrite: bool = False) -> Path:
    from genesys_lab.formats.convert import write_output

    return write_output(Path(path), dump_site(site).encode("utf-8"), secret=False, overwrite=overwrite)


def _str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _key(name: str) -> str:
    import re

    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _str(name)


def _inline(options) -> list[str]:
    if not options:
        return []
    return ["options = { " + ", ".join(f"{_key(k)} = {_str(v)}" for k, v in options.items()) + " }"]
