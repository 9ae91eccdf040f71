"""What a re-run of the site procedure must do: compare the inventory with what the CA issued.

The CA's own certificates are the record of what was done; no second state file can drift from
them. A host's current certificate is the newest valid one whose first DNS name is the host
(``create_cert.sh`` puts ``-host`` first in the SAN). It is kept when it still says what the row
says (CN, SAN names and addresses, profile) and is not due for renewal; a changed row gets a new
certificate (the old one is listed to be revoked as ``superseded``, RFC 5280 5.3.1); a host that
left the inventory is listed for revocation (``cessationOfOperation``) and revoked only when asked.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from genesys_lab.site.inventory import SiteHost


class Action(enum.Enum):
    KEEP = "keep"
    ISSUE = "issue"  # no certificate yet
    REPLACE = "replace"  # the row changed: new certificate, old one to revoke (superseded)
    RENEW = "renew"  # unchanged but due: expires within the renewal lead time
    REVOKE = "revoke"  # the host left the inventory (cessationOfOperation)
    RETIRE = "retire"  # an older, still valid certificate of a host that has a newer one (superseded)


@dataclass(frozen=True)
class Current:
    """A valid certificate of the CA as the plan sees it."""

    serial: str
    host: str
    cn: str | None
    dns: frozenset[str]
    ips: frozenset[str]
    profile: str | None
    not_after: dt.datetime


@dataclass(frozen=True)
class Step:
    action: Action
    host: str
    why: str
    serial: str | None = None  # the certificate kept, replaced, renewed or to revoke
    row: SiteHost | None = None

    @property
    def revocation_reason(self) -> str | None:
        """RFC 5280 5.3.1's reason for the certificate this step takes out of service, if any."""
        if self.action is Action.REVOKE:
            return "cessationOfOperation"
        if self.action in (Action.REPLACE, Action.RENEW, Action.RETIRE):
            return "superseded"
        return None


def current_certificates(ca) -> dict[str, Current]:
    """The newest valid certificate per host (lower-case FQDN)."""
    return {host: found[-1] for host, found in valid_certificates(ca).items()}


def valid_certificates(ca) -> dict[str, list[Current]]:
    """Every valid host certificate per host (lower-case FQDN), oldest first."""
    from cryptography import x509

    from genesys_lab.x509.describe import describe, extension
    from genesys_lab.x509.profiles import profile_of

    found: dict[str, list[Current]] = {}
    for record in ca.records():
        if record.status != "V":
            continue
        path = ca.paths.repository / f"{record.serial}.pem"
        if not path.exists():
            continue
        info = describe(path)
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        if extension(cert, x509.BasicConstraints) is not None and info.is_ca:
            continue
        host = (info.san_dns[0] if info.san_dns else info.common_name or "").lower()
        profile = profile_of(cert)
        found.setdefault(host, []).append(
            Current(
                record.serial,
                host,
                info.common_name,
                frozenset(n.lower() for n in info.san_dns),
                frozenset(info.san_ip),
                profile.value if profile else None,
                info.not_after,
            )
        )
    return found


def plan(
    hosts: list[SiteHost], valid: dict[str, list[Current]], *, renewal_lead_days: int, now: dt.datetime | None = None
) -> list[Step]:
    """One step per inventory host, one per older certificate still valid, one per host that left.

    ``valid`` is :func:`valid_certificates`' answer: a host's newest certificate is its current one;
    any older one still valid (left over from a replacement) is to be retired, or the site runs two.
    """
    now = now or dt.datetime.now(dt.UTC)
    steps = []
    for row in hosts:
        found = valid.get(row.host.lower(), [])
        steps.append(_host_step(row, found[-1] if found else None, renewal_lead_days, now))
        steps += [Step(Action.RETIRE, row.host, f"replaced by {found[-1].serial}", old.serial, row) for old in found[:-1]]
    listed = {row.host.lower() for row in hosts}
    for host, found in sorted(valid.items()):
        if host not in listed:
            steps += [Step(Action.REVOKE, old.host, "no longer in the inventory", old.serial) for old in found]
    return steps


def _host_step(row: SiteHost, have: Current | None, renewal_lead_days: int, now: dt.datetime) -> Step:
    if have is None:
        return Step(Action.ISSUE, row.host, "no valid certificate yet", row=row)
    changes = _differences(row, have)
    if changes:
        return Step(Action.REPLACE, row.host, "changed: " + ", ".join(changes), have.serial, row)
    if have.not_after - now <= dt.timedelta(days=renewal_lead_days):
        days = (have.not_after - now).days
        return Step(Action.RENEW, row.host, f"expires in {days} days (renewal lead {renewal_lead_days} days)", have.serial, row)
    return Step(Action.KEEP, row.host, "unchanged", have.serial, row)


def _differences(row: SiteHost, have: Current) -> list[str]:
    changes = []
    if (have.cn or "") != row.cn:
        changes.append(f"CN {have.cn} -> {row.cn}")
    if have.dns != row.wanted_dns:
        changes.append(f"SAN names {sorted(have.dns)} -> {sorted(row.wanted_dns)}")
    if have.ips != row.wanted_ips:
        changes.append(f"SAN addresses {sorted(have.ips)} -> {sorted(row.wanted_ips)}")
    if have.profile != row.profile.value:
        changes.append(f"profile {have.profile} -> {row.profile.value}")
    return changes
