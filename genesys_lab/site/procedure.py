"""The site procedure: from an inventory to certificates, bundles, options, a rotation plan and a runbook.

Re-runnable as the site changes: the plan (site.plan) compares the inventory with what the CA
already issued, so an unchanged host keeps its certificate, a changed row gets a new one, and a
host that left is listed for revocation (revoked only with ``revoke=True``). Every row is checked
before anything is issued. Everything is written under the output folder: the CA (unless an
existing one is named), one bundle folder per host (install.deploy), the runbook (HTML and
Markdown), the calendar and the timeline. No key or password is written into any document; a
generated keystore password lives in a 0600 file beside its keystore, and the runbook names the file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genesys_lab.errors import UsageError
from genesys_lab.site.inventory import Platform, SiteHost, read_site_inventory
from genesys_lab.site.plan import Action, Step, current_certificates, plan, valid_certificates
from genesys_lab.site.rotation import Rotation, rotation

if TYPE_CHECKING:
    from genesys_lab.genesys.generate import GeneratedOptions
    from genesys_lab.install.bundle import Bundle

PASSWORD_FILE = "keystore-password.txt"
BUNDLES = "bundles"
_OPTIONS_PLATFORM = {
    Platform.UNIX: "unix",
    Platform.WINDOWS: "windows",
    Platform.JAVA_PEM: "java",
    Platform.JAVA_KEYSTORE: "java",
}


@dataclass(frozen=True)
class SiteSettings:
    """The parameters of notebooks/11_site_procedure.ipynb and of ``genesys-lab runbook``."""

    site: str
    inventory: Path
    out: Path
    ca_dir: Path | None = None  # an existing CA; None: create one under out/ca
    ca_cn: str = "Site Certification Authority"
    ca_org: str | None = None
    ca_country: str | None = None
    days: int = 365
    ca_days: int = 5 * 365  # a new site CA outlives several rotations of its host certificates
    renewal_lead_days: int = 30
    crl_url: str | None = None
    keystore_password: str | None = None  # None: a random one per keystore, in a 0600 file beside it
    revoke: bool = False  # revoke replaced and removed certificates and publish a new CRL
    key_size: int = 2048

    def __post_init__(self):
        if self.ca_days <= self.days:
            raise UsageError(
                f"a CA of {self.ca_days} days cannot sign certificates of {self.days} days: give the CA a longer life"
            )
        if self.days <= 0 or self.renewal_lead_days < 0 or self.renewal_lead_days >= self.days:
            raise UsageError(
                f"validity {self.days} days with renewal lead {self.renewal_lead_days} days: "
                "use a positive validity and a lead time shorter than it"
            )


@dataclass(frozen=True)
class HostEntry:
    """Everything the runbook says about one host."""

    row: SiteHost
    serial: str
    thumbprint: str
    not_after: dt.datetime
    bundle: Bundle
    options: GeneratedOptions
    password_file: Path | None = None


@dataclass(frozen=True)
class Procedure:
    settings: SiteSettings
    ca: Any  # authority.ca.CertificateAuthority
    created_ca: bool
    steps: tuple[Step, ...]
    hosts: tuple[HostEntry, ...]
    rotation: tuple[Rotation, ...]
    revoked: tuple[str, ...] = ()
    versions: str = ""
    issued: dict = field(default_factory=dict)  # host (lower case) -> serial issued in this run

    def steps_by(self, action: Action) -> list[Step]:
        return [s for s in self.steps if s.action is action]


def run_procedure(settings: SiteSettings, *, progress=None, now: dt.datetime | None = None) -> Procedure:
    """Check, issue, deploy and document; ``progress(done, total, what)`` after each host."""
    hosts = read_site_inventory(settings.inventory)  # every row checked before anything is written
    settings.out.mkdir(parents=True, exist_ok=True)
    ca, created = _ca(settings)
    steps = plan(hosts, valid_certificates(ca), renewal_lead_days=settings.renewal_lead_days, now=now)
    issued = _issue(
        ca, settings, [s for s in steps if s.action in (Action.ISSUE, Action.REPLACE, Action.RENEW)], progress, len(hosts)
    )
    revoked = _revoke(ca, steps) if settings.revoke else ()
    current = current_certificates(ca)
    entries = []
    for number, row in enumerate(hosts, 1):
        entries.append(_host_entry(ca, settings, row, current[row.host.lower()].serial, issued))
        if progress:
            progress(number, len(hosts), f"bundle and options for {row.host}")
    plan_rows = tuple(
        rotation(e.row.host, e.serial, e.thumbprint, e.not_after, settings.renewal_lead_days, e.row.applications) for e in entries
    )
    from genesys_lab.install.version import version_report

    return Procedure(
        settings,
        ca,
        created,
        tuple(steps),
        tuple(entries),
        plan_rows,
        revoked,
        version_report().text(),
        {host: made.serial for host, made in issued.items()},
    )


def _ca(settings: SiteSettings):
    from genesys_lab.authority.ca import create_ca, load_ca

    if settings.ca_dir is not None:
        return load_ca(settings.ca_dir), False
    folder = settings.out / "ca"
    if (folder / "ca_conf").exists():
        return load_ca(folder), False
    folder.mkdir(parents=True, exist_ok=True)
    made = create_ca(
        folder,
        settings.ca_cn,
        org=settings.ca_org,
        country=settings.ca_country,
        crl_url=settings.crl_url,
        key_size=settings.key_size,
        days=settings.ca_days,
    )
    return made.ca, True


def _issue(ca, settings: SiteSettings, todo: list[Step], progress, total: int) -> dict[str, Any]:
    if not todo:
        return {}
    requests = []
    for step in todo:
        assert step.row is not None  # issue, replace and renew steps always carry their row
        kwargs = step.row.issue_kwargs()
        kwargs.setdefault("days", settings.days)
        kwargs.setdefault("key_size", settings.key_size)
        requests.append(kwargs)

    def report(done, count, issued):
        if progress:
            progress(done, count, f"issued {issued.serial} for {issued.host}")

    made = ca.issue_many(requests, progress=report)
    return {m.host.lower(): m for m in made}


def _revoke(ca, steps: list[Step]) -> tuple[str, ...]:
    """Revoke what the plan takes out of service (replaced, renewed, retired, removed), then publish the CRL."""
    from genesys_lab.authority.crl import generate_crl
    from genesys_lab.authority.revoke import revoke

    done = []
    for step in steps:
        if step.serial and step.revocation_reason:
            revoke(ca, step.serial, step.revocation_reason)
            done.append(step.serial)
    if done:
        generate_crl(ca)
    return tuple(done)


def _host_entry(ca, settings: SiteSettings, row: SiteHost, serial: str, issued: dict) -> HostEntry:
    from genesys_lab.genesys.generate import genesys_options
    from genesys_lab.install.bundle import deploy
    from genesys_lab.x509.describe import describe

    folder = settings.out / BUNDLES / row.host
    folder.parent.mkdir(mode=0o755, exist_ok=True)
    password_file = None
    storepass = None
    if row.platform is Platform.JAVA_KEYSTORE:
        storepass, password_file = _keystore_password(settings, folder)
    bundle = deploy(ca, serial, row.platform.value, folder, storepass=storepass, trustpass=storepass, overwrite=True)
    if password_file is not None and storepass is not None:
        _write_secret(password_file, storepass)
    options = genesys_options(ca, serial, _OPTIONS_PLATFORM[row.platform], mutual=False)
    info = describe(ca.paths.repository / f"{serial}.pem")
    return HostEntry(row, serial, info.thumbprint_sha1, info.not_after, bundle, options, password_file)


def _keystore_password(settings: SiteSettings, folder: Path) -> tuple[str, Path]:
    """The given password, or a random one (never printed; the runbook names only its file)."""
    password = settings.keystore_password or secrets.token_urlsafe(18)
    return password, folder / PASSWORD_FILE


def _write_secret(path: Path, value: str) -> None:
    from genesys_lab.site.output import write_file

    write_file(path, (value + "\n").encode(), mode=0o600)
