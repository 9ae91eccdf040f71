"""A site's inventory: one row per host, as an administrator keeps it in a spreadsheet.

The columns are ``create-certs``'s (``host``, ``cn``, ``ip``, ``san_domains``, ``san_ips``,
``profile``, ``key_size``, ``digest``, ``days``, subject fields) plus two that a runbook needs:
``platform`` (how the host installs its certificate: ``unix``, ``windows``, ``java-pem``,
``java-keystore``: the guide's three installation sections, Java split by the two ways it
describes) and ``applications`` (the Genesys applications on the host, ``;``-separated, named as
in Configuration Manager). Every row is checked before anything is issued and every problem is
reported at once with its line number, so a site fixes its spreadsheet in one pass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import FormatError, GenesysLabError
from genesys_lab.install.bundle import Platform  # how a host receives its certificate: the deploy bundle's kinds
from genesys_lab.x509.names import split_list, validate_hostname, validate_ip
from genesys_lab.x509.profiles import Profile

MAX_INVENTORY_BYTES = 4 * 2**20  # a site of thousands of hosts is far below this
REQUIRED = ("host", "cn", "platform")
OPTIONAL = (
    "ip",
    "san_domains",
    "san_ips",
    "profile",
    "key_size",
    "digest",
    "days",
    "applications",
    "email",
    "org_unit",
    "org",
    "locality",
    "state",
    "country",
)


class InventoryError(FormatError):
    """Every problem of an inventory at once: ``problems`` holds one line each."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{path}: {len(problems)} problem(s), nothing was issued: {'; '.join(problems[:5])}{more}")


@dataclass(frozen=True)
class SiteHost:
    """One host of the site, checked: what its certificate must say and how it is installed."""

    line: int
    host: str
    cn: str
    platform: Platform
    profile: Profile = Profile.SERVER
    ip: str | None = None
    san_domains: tuple[str, ...] = ()
    san_ips: tuple[str, ...] = ()
    applications: tuple[str, ...] = ()
    issue_options: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def wanted_dns(self) -> frozenset[str]:
        """The DNS names its certificate's SAN must hold (the host first, as create_cert.sh puts it)."""
        return frozenset(n.lower() for n in (self.host, *self.san_domains))

    @property
    def wanted_ips(self) -> frozenset[str]:
        return frozenset(i for i in ((self.ip,) if self.ip else ()) + self.san_ips)

    def issue_kwargs(self) -> dict:
        """Keyword arguments for ``CertificateAuthority.issue`` / ``issue_many``."""
        kwargs = dict(self.issue_options)
        kwargs.update(
            host=self.host,
            cn=self.cn,
            profile=self.profile,
            ip=self.ip,
            san_domains=list(self.san_domains),
            san_ips=list(self.san_ips),
        )
        return kwargs


def example_inventory() -> Path:
    """The lab's example site (examples/site_hosts.csv in the checkout), wherever a notebook copy runs."""
    return Path(__file__).resolve().parents[2] / "examples" / "site_hosts.csv"


def read_site_inventory(path: Path | str) -> list[SiteHost]:
    """Read and check a site inventory; raise InventoryError listing every problem with its line."""
    path = Path(path)
    text = _read_text(path)
    header_line = text.splitlines()[0] if text.strip() else ""
    if ";" in header_line and "," not in header_line:
        raise InventoryError(path, ["line 1: the columns are separated by ';': save the spreadsheet as 'CSV (comma delimited)'"])
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InventoryError(path, [f"line {reader.line_num}: {exc}"]) from None
    if not rows:
        raise InventoryError(path, ["line 1: the file is empty: the first line must name the columns (host,cn,platform,...)"])
    header = [h.strip().lower() for h in rows[0]]
    problems = [f"line 1: missing column '{c}'" for c in REQUIRED if c not in header]
    problems += [
        f"line 1: unknown column '{c}' (known: {', '.join(REQUIRED + OPTIONAL)})"
        for c in header
        if c and c not in REQUIRED + OPTIONAL
    ]
    if problems:
        raise InventoryError(path, problems)
    hosts: list[SiteHost] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                f'line {number}: {len(cells)} cells for {len(header)} columns: put quotes around lists, e.g. "a.example.com,b.example.com"'
            )
            continue
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        host, errors = _check_row(row, number)
        problems += errors
        if host is None:
            continue
        if host.host.lower() in seen:
            problems.append(f"line {number}: host {host.host} is already on line {seen[host.host.lower()]}: one row per host")
            continue
        seen[host.host.lower()] = number
        hosts.append(host)
    if problems:
        raise InventoryError(path, problems)
    if not hosts:
        raise InventoryError(path, ["the inventory lists no host: add one row per host under the header"])
    return hosts


def _read_text(path: Path) -> str:
    try:
        if not path.is_file():
            raise InventoryError(path, ["not a regular file: name the CSV file of the site's hosts"])
        if path.stat().st_size > MAX_INVENTORY_BYTES:
            raise InventoryError(path, [f"larger than {MAX_INVENTORY_BYTES // 2**20} MiB: is this really the site's host list?"])
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read inventory {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark: accepted
    except UnicodeDecodeError:
        raise InventoryError(path, ["not UTF-8 text: save the spreadsheet as 'CSV UTF-8'"]) from None


def _check_row(row: dict, number: int) -> tuple[SiteHost | None, list[str]]:
    errors: list[str] = []

    def check(func):
        try:
            return func()
        except (GenesysLabError, ValueError) as exc:  # each validator's own message, with the line in front
            errors.append(f"line {number}: {exc}")
            return None

    host = check(lambda: validate_hostname(row["host"], option="host"))
    cn = row["cn"]
    if not cn:
        errors.append(f"line {number}: cn is empty: give the certificate's common name (the guide uses the host's short name)")
    platform = check(lambda: _choice(Platform, row["platform"], "platform"))
    profile = check(lambda: _choice(Profile, row.get("profile") or "server", "profile"))
    if profile is Profile.CA:
        errors.append(f"line {number}: profile: 'ca' is the CA's own profile: use server or gui")
    ip = check(lambda: validate_ip(row["ip"], option="ip")) if row.get("ip") else None
    san_domains = check(lambda: tuple(validate_hostname(n, option="san_domains") for n in split_list(row.get("san_domains", ""))))
    san_ips = check(lambda: tuple(validate_ip(i, option="san_ips") for i in split_list(row.get("san_ips", ""))))
    applications = tuple(a.strip() for a in row.get("applications", "").split(";") if a.strip())
    options = {}
    for name in ("key_size", "days"):
        if row.get(name):
            value = check(lambda n=name: _positive_int(row[n]))
            if value is not None:
                options[name] = value
    for name in ("digest", "email", "org_unit", "org", "locality", "state", "country"):
        if row.get(name):
            options[name] = row[name]
    if errors:
        return None, errors
    return SiteHost(number, host, cn, platform, profile, ip, san_domains, san_ips, applications, options), []


def _choice(enum_type, value: str, what: str):
    try:
        return enum_type(value.strip().lower())
    except ValueError:
        raise ValueError(f"{value!r} is not a {what}: use one of {', '.join(m.value for m in enum_type)}") from None


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{value!r} is not a positive whole number")
    return int(value)
