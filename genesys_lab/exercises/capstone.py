"""The capstone: a small site carried out alone, graded from what is on disk and in the simulated stores.

``grade(work)`` returns a :class:`Grade` (one :class:`Item` per part of the brief, points earned and
feedback) and prints nothing; notebooks/12_capstone.ipynb shows it. Every verdict comes from the
lab's own checkers (load_ca, describe, load_crl, install.check_install, windows.check_application,
genesys.check_site), so the capstone grades with the same rules the course taught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import GenesysLabError

HOSTS = {
    "sip01.example.com": {"cn": "sip01", "profile": "server", "ip": "10.0.0.11", "san_domains": ["sip.example.com"]},
    "cfg01.example.com": {"cn": "cfg01", "profile": "server", "ip": "10.0.0.12", "san_domains": []},
    "desk01.example.com": {"cn": "desk01", "profile": "gui", "ip": None, "san_domains": []},
    "psdk01.example.com": {"cn": "psdk01", "profile": "server", "ip": "10.0.0.14", "san_domains": []},
}
BRIEF = """\
Example Telecom runs four Genesys hosts. Working only in this notebook's scratch folder `work`:

1. Create the site's CA in `work/ca` (common name "Capstone Site CA", RSA 2048, SHA-256).
2. Issue one certificate per host, with the right profile and names:
   sip01.example.com  SIP Server on UNIX            server, IP 10.0.0.11, also sip.example.com
   cfg01.example.com  Configuration Server, Windows server, IP 10.0.0.12
   desk01.example.com agent desktop (GUI), Windows  gui
   psdk01.example.com Java PSDK application, UNIX   server, IP 10.0.0.14
3. sip01's first certificate was e-mailed with its key to the wrong person: revoke it
   (keyCompromise), issue sip01 a new one, and publish the CRL.
4. Make the UNIX bundle of sip01's new certificate in `work/unix/sip01` and the Java PEM bundle
   (PKCS#8 key) of psdk01 in `work/java/psdk01`.
5. Windows: a simulated machine `work/windows/cfg01` (Windows Server 2019) where the Configuration
   Server, a service, finds its certificate; and `work/windows/desk01` (Windows 10) where the
   desktop application, run by the user, finds its own.
6. Describe the site's TLS configuration in `work/site.toml` (the four applications, each secure
   port with its certificate options) so that `genesys-lab genesys-check` finds no error.
7. Write the runbook into `work/runbook` (`genesys-lab runbook ... --ca-dir work/ca`).
"""


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    points: int
    earned: int
    feedback: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.earned == self.points


@dataclass(frozen=True)
class Grade:
    items: tuple[Item, ...]
    attempted: bool = True

    @property
    def score(self) -> int:
        return sum(i.earned for i in self.items)

    @property
    def total(self) -> int:
        return sum(i.points for i in self.items)


@dataclass
class _Marks:
    """Points of one item: each check adds what it is worth, or a line of feedback saying why not."""

    points: int = 0
    earned: int = 0
    feedback: list[str] = field(default_factory=list)

    def check(self, worth: int, ok: bool, why_not: str) -> bool:
        self.points += worth
        if ok:
            self.earned += worth
        else:
            self.feedback.append(why_not)
        return ok

    def item(self, id: str, title: str) -> Item:
        return Item(id, title, self.points, self.earned, tuple(self.feedback))


def grade(work: Path | str) -> Grade:
    work = Path(work)
    if not (work / "ca").exists():
        return Grade(tuple(Item(i, t, p, 0, ("not attempted yet",)) for i, t, p in _OUTLINE), attempted=False)
    ca, items = _ca_item(work)
    current = _current(ca) if ca is not None else {}
    items = [items, _hosts_item(current), _revocation_item(ca, current), _bundles_item(work, current)]
    items += [_windows_item(work, current), _genesys_item(work, ca), _runbook_item(work, current)]
    return Grade(tuple(items))


_OUTLINE = (
    ("ca", "the site's CA", 10),
    ("hosts", "a certificate per host, right profile and names", 32),
    ("revocation", "sip01's leaked certificate revoked and published", 12),
    ("bundles", "UNIX and Java bundles that pass check-install", 10),
    ("windows", "certificates where Windows applications find them", 16),
    ("genesys", "the site's TLS options without errors", 10),
    ("runbook", "the runbook names every host and thumbprint", 10),
)


def _ca_item(work: Path):
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.x509.describe import describe

    m = _Marks()
    try:
        ca = load_ca(work / "ca")
    except GenesysLabError as exc:
        m.check(10, False, f"work/ca is not a CA the lab can load: {exc}")
        return None, m.item("ca", "the site's CA")
    info = describe(ca.paths.cert)
    m.check(4, info.is_ca, "the CA certificate must say CA:TRUE")
    m.check(2, info.common_name == "Capstone Site CA", f"the CA's common name is {info.common_name!r}, not 'Capstone Site CA'")
    m.check(2, info.key_size >= 2048, f"the CA key has {info.key_size} bits: use 2048")
    m.check(2, "sha256" in info.signature_algorithm.lower(), f"the CA is signed with {info.signature_algorithm}: use sha256")
    return ca, m.item("ca", "the site's CA")


def _current(ca) -> dict:
    """host -> (record, certificate info), newest valid certificate per host."""
    from genesys_lab.x509.describe import describe

    found = {}
    for record in ca.records():
        path = ca.paths.repository / f"{record.serial}.pem"
        if record.status == "V" and path.exists():
            info = describe(path)
            if info.san_dns:
                found[info.san_dns[0].lower()] = (record, info)
    return found


def _hosts_item(current: dict) -> Item:
    m = _Marks()
    for host, want in HOSTS.items():
        if not m.check(2, host in current, f"{host}: no valid certificate"):
            m.points += 6
            continue
        _, info = current[host]
        ekus = set(info.extended_key_usage)
        if want["profile"] == "server":
            m.check(
                3,
                {"serverAuth", "clientAuth"} <= ekus,
                f"{host}: a Genesys server needs serverAuth and clientAuth, it has {sorted(ekus)}",
            )
        else:
            m.check(
                3,
                "clientAuth" in ekus and "serverAuth" not in ekus,
                f"{host}: a GUI certificate carries clientAuth only, it has {sorted(ekus)}",
            )
        names = {host, *want["san_domains"]}
        m.check(2, names <= {n.lower() for n in info.san_dns}, f"{host}: the SAN must name {sorted(names)}")
        m.check(1, not want["ip"] or want["ip"] in info.san_ip, f"{host}: the SAN must hold the IP address {want['ip']}")
    return m.item("hosts", "a certificate per host, right profile and names")


def _revocation_item(ca, current: dict) -> Item:
    from genesys_lab.authority.crl import load_crl

    m = _Marks()
    if ca is None:
        m.check(12, False, "no CA")
        return m.item("revocation", "sip01's leaked certificate revoked and published")
    revoked = [r for r in ca.records() if r.status == "R" and _first_dns(ca, r.serial) == "sip01.example.com"]
    if not m.check(4, bool(revoked), "no revoked certificate of sip01.example.com in ca.db"):
        m.points += 8
        return m.item("revocation", "sip01's leaked certificate revoked and published")
    leaked = revoked[-1]
    m.check(
        2,
        leaked.reason == "keyCompromise",
        f"serial {leaked.serial} was revoked with reason {leaked.reason}: a leaked key is keyCompromise",
    )
    m.check(2, "sip01.example.com" in current, "sip01 has no valid certificate after the revocation: issue it a new one")
    crl = None
    if ca.paths.crl_pem.exists():
        try:
            crl = load_crl(ca.paths.crl_pem)
        except GenesysLabError:
            crl = None
    listed = crl is not None and int(leaked.serial, 16) in {e.serial for e in crl.entries}
    m.check(4, listed, f"the published CRL does not list serial {leaked.serial}: run gen-crl after revoking")
    return m.item("revocation", "sip01's leaked certificate revoked and published")


def _first_dns(ca, serial: str) -> str | None:
    from genesys_lab.x509.describe import describe

    path = ca.paths.repository / f"{serial}.pem"
    if not path.exists():
        return None
    dns = describe(path).san_dns
    return dns[0].lower() if dns else None


def _bundles_item(work: Path, current: dict) -> Item:
    import os

    from genesys_lab.install.checker import check_install

    m = _Marks()
    for folder, platform, host in (
        ("unix/sip01", "unix", "sip01.example.com"),
        ("java/psdk01", "java-pem", "psdk01.example.com"),
    ):
        where = work / folder
        if not m.check(1, where.is_dir(), f"work/{folder} does not exist: make the {platform} bundle there"):
            m.points += 4
            continue
        try:
            report = check_install(where, platform, os.getuid(), host=host, ca=work / "ca" / "ca_conf" / "ca_cert.pem")
        except GenesysLabError as exc:
            m.check(4, False, f"work/{folder}: {exc}")
            continue
        failed = "; ".join(f"{r.check}: {r.why}" for r in report.failures)
        m.check(3, report.ok, f"work/{folder} fails check-install: {failed}")
        serial = current.get(host, (None, None))[0]
        fresh = serial is not None and any(p.name.startswith(f"{serial.serial}_") for p in where.iterdir())
        m.check(1, fresh, f"work/{folder} does not hold {host}'s current certificate")
    return m.item("bundles", "UNIX and Java bundles that pass check-install")


def _windows_item(work: Path, current: dict) -> Item:
    from genesys_lab.windows import load_machine
    from genesys_lab.windows.check import check_application

    m = _Marks()
    for folder, host, app in (("cfg01", "cfg01.example.com", "server"), ("desk01", "desk01.example.com", "desktop")):
        where = work / "windows" / folder
        try:
            machine = load_machine(where)
        except GenesysLabError as exc:
            m.check(8, False, f"work/windows/{folder}: {exc}")
            continue
        if host not in current:
            m.check(8, False, f"{host} has no valid certificate to install")
            continue
        report = check_application(machine, app, current[host][1].thumbprint_sha1, cdp_timeout=0.5)
        failed = [c for c in report.checks if c.status.value == "fail"]
        m.check(4, not any(c.name in ("store", "private key") for c in failed), _why(folder, failed, ("store", "private key")))
        m.check(4, not failed, _why(folder, failed, None))
    return m.item("windows", "certificates where Windows applications find them")


def _why(folder: str, failed, names) -> str:
    picked = [c for c in failed if names is None or c.name in names]
    return f"work/windows/{folder}: " + "; ".join(f"{c.name}: {c.reason}" for c in picked)


def _genesys_item(work: Path, ca) -> Item:
    from genesys_lab.genesys.sitefile import load_site
    from genesys_lab.genesys.validate import check_site, errors

    m = _Marks()
    path = work / "site.toml"
    try:
        site = load_site(path)
    except GenesysLabError as exc:
        m.check(10, False, f"work/site.toml: {exc}")
        return m.item("genesys", "the site's TLS options without errors")
    kinds = {a.kind.value for a in site.applications.values()}
    m.check(2, len(site.applications) >= 4, f"work/site.toml describes {len(site.applications)} applications: describe all four")
    m.check(
        2,
        {"server", "gui", "java"} <= kinds,
        f"the applications' kinds are {sorted(kinds)}: a server, a GUI and a Java application are needed",
    )
    found = errors(check_site(site, ca=ca))
    m.check(6, not found, "genesys-check finds errors: " + "; ".join(str(f) for f in found[:3]))
    return m.item("genesys", "the site's TLS options without errors")


def _runbook_item(work: Path, current: dict) -> Item:
    m = _Marks()
    page = work / "runbook" / "runbook.html"
    if not m.check(2, page.exists(), "work/runbook/runbook.html does not exist: run genesys-lab runbook"):
        m.points += 8
        return m.item("runbook", "the runbook names every host and thumbprint")
    text = page.read_text(errors="replace")
    missing = [h for h in HOSTS if h not in current or current[h][1].thumbprint_sha1.upper() not in text]
    m.check(
        6, not missing, f"the runbook lacks the current thumbprint of {', '.join(missing)}: run it again after the last change"
    )
    m.check(2, "PRIVATE KEY" not in text, "the runbook contains key material: it must never")
    return m.item("runbook", "the runbook names every host and thumbprint")


def reference_solution(work: Path | str, *, key_size: int = 2048) -> None:
    """One way to carry out the brief with the lab's API (used by the tests; see the notebook's hint)."""
    from genesys_lab.exercises.capstone_solution import solve

    solve(Path(work), key_size=key_size)
