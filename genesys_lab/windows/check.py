"""Will a Genesys application on this Windows machine find, trust and use its certificate?

The rules, each with its source:

- **Store**: server applications take their certificate from the Local
  Computer's stores, desktop applications from the Current User's (the
  Genesys guide, "Installing Certificates on Windows for Native Applications
  and Applications with a .NET Dependency"). An application configured with a
  thumbprint looks it up in Personal (``My``) of that location.
- **Thumbprint text**: Windows compares the 40 hex digits; spaces, colons
  and invisible marks pasted with them make the lookup fail (see
  ``windows.thumbprints``).
- **Private key and its readers**: TLS needs the key, and the account the
  application runs as must be allowed to read it: the permission MMC's
  "All Tasks > Manage Private Keys" sets on the key (a service account missing
  there is the usual cause of a server that cannot use an installed
  certificate; https://learn.microsoft.com/en-us/troubleshoot/iis/cannot-import-ssl-pfx-local-certificate
  covers the MachineKeys permissions). Which accounts are on a new key by
  default is not documented in what the lab found (see ``windows.machine``).
- **EKU**: server applications are TLS servers and clients (serverAuth and
  clientAuth), desktop applications are clients (clientAuth): the lab's
  profiles, from the guide's certificate requirements.
- **Chain**: it must build, in the application's context, to a certificate
  in Trusted Root (``windows.view``); a root in the user's store does not help
  a service.
- **Validity**: ``checks.verify``'s window (and its 30-day warning).
- **Revocation**: SChannel fetches the CRL from the certificate's CDP; if
  that URL is slow or unreachable, verification waits for the URL retrieval
  timeout, 15 seconds by default (the guide, "Certificate Revocation Lists";
  CERT_CHAIN_URL_RETRIEVAL_TIMEOUT_MILLISECONDS_DEFAULT = 15000 in wincrypt.h;
  CAPICOM's UrlRetrievalTimeout "default time-out is 15 seconds",
  https://learn.microsoft.com/en-us/windows/win32/seccrypto/certificatestatus-urlretrievaltimeout).
  The guide recommends a local, fast CDP and says CRL checking must be
  turned off for Windows native and .NET applications; it leaves the Windows
  setting to Windows' documentation, and so does the lab (it names none).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from genesys_lab.checks.verify import Status
from genesys_lab.errors import UsageError
from genesys_lab.windows import commands
from genesys_lab.windows.errors import NotInStoreError
from genesys_lab.windows.machine import Machine, StoreEntry, check_account
from genesys_lab.windows.stores import Location, StoreKind, StoreName
from genesys_lab.windows.thumbprints import normalize
from genesys_lab.x509.profiles import parse_choice

SCHANNEL_URL_TIMEOUT_SECONDS = 15
CDP_PROBE_TIMEOUT = 2.0
_SYSTEM = {"system", "localsystem", "nt authority\\system", "local system"}


class AppKind(enum.Enum):
    SERVER = "server"
    DESKTOP = "desktop"

    @classmethod
    def parse(cls, value) -> AppKind:
        return parse_choice(cls, value, words="is not an application kind: use server or desktop")

    @property
    def location(self) -> Location:
        return Location.LOCAL_MACHINE if self is AppKind.SERVER else Location.CURRENT_USER


@dataclass(frozen=True)
class AppCheck:
    """One check: pass / warn / fail / skip, why, and the fix three ways."""

    name: str
    status: Status
    reason: str
    fix: str = ""  # the wizard step
    powershell: str = ""
    certutil: str = ""


@dataclass(frozen=True)
class AppReport:
    machine: str
    app: AppKind
    account: str
    thumbprint: str
    checks: tuple[AppCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.status is not Status.FAIL for c in self.checks)

    def check(self, name: str) -> AppCheck:
        return next(c for c in self.checks if c.name == name)

    def to_rows(self) -> list[dict]:
        return [{"check": c.name, "status": c.status.value, "reason": c.reason, "fix": c.fix} for c in self.checks]


def check_application(
    machine: Machine, app, thumbprint: str, *, account: str | None = None, cdp_timeout: float = CDP_PROBE_TIMEOUT, at=None
) -> AppReport:
    """Answer: will this application find, trust and use the certificate with ``thumbprint``?"""
    kind = AppKind.parse(app)
    who = check_account(account) if account else ("SYSTEM" if kind is AppKind.SERVER else machine.user)
    if not isinstance(cdp_timeout, (int, float)) or not 0 < cdp_timeout <= 30:
        raise UsageError(f"cdp_timeout {cdp_timeout!r}: give seconds between 0 and 30")
    text_check, value = _thumbprint_text(thumbprint)
    wanted = StoreName(kind.location, StoreKind.MY)
    store_check, entry = _store(machine, kind, value, wanted)
    checks = [text_check, store_check]
    if entry is None:
        names = ("private key", "key permission", "purpose (EKU)", "chain", "validity", "revocation")
        checks += [AppCheck(n, Status.SKIP, "the certificate was not found where the application looks") for n in names]
    else:
        checks += [_key(entry), _readers(entry, who, kind), _purpose(entry, kind), *_chain_and_validity(machine, entry, at)]
        checks.append(_revocation(entry, cdp_timeout))
    return AppReport(machine.name, kind, who, value, tuple(checks))


# -- the checks ---------------------------------------------------------------------------------


def _thumbprint_text(text: str) -> tuple[AppCheck, str]:
    found = normalize(text)
    name = "thumbprint text"
    invisible = [p for p in found.problems if p.startswith("invisible")]
    if invisible:
        return AppCheck(
            name, Status.FAIL, invisible[0], "retype the thumbprint, or paste it through a plain-text editor"
        ), found.value
    if found.problems:
        why = "; ".join(found.problems)
        return AppCheck(name, Status.WARN, why, f"configure the 40 digits as Windows shows them: {found.value}"), found.value
    return AppCheck(name, Status.PASS, f"{found.value}: 40 hex digits, nothing else"), found.value


def _store(machine: Machine, kind: AppKind, value: str, wanted: StoreName) -> tuple[AppCheck, StoreEntry | None]:
    name = "store"
    try:
        entry = machine.find(value, store=wanted)
        return AppCheck(name, Status.PASS, f"found in {wanted} ({wanted.display})"), entry
    except NotInStoreError:
        pass
    elsewhere = [e.store for e in machine.entries() if e.thumbprint == value]
    role = (
        "server applications use the Local Computer's Personal store"
        if kind is AppKind.SERVER
        else ("desktop applications use the Current User's Personal store")
    )
    where = f"it is in {', '.join(elsewhere)}" if elsewhere else f"no store of {machine.name} has it"
    ps, cu = commands.import_pfx("host.pfx", wanted, exportable=False, empty_password=True)
    fix = f"import the host's .pfx into {wanted.display} (All Tasks > Import, place all certificates in Personal)"
    return AppCheck(name, Status.FAIL, f"not in {wanted}: {where}; {role} (the guide's rule)", fix, ps, cu), None


def _key(entry: StoreEntry) -> AppCheck:
    if entry.has_private_key:
        return AppCheck("private key", Status.PASS, "the entry has its private key")
    ps, cu = commands.import_pfx("host.pfx", entry.store_name, exportable=False, empty_password=True)
    return AppCheck(
        "private key",
        Status.FAIL,
        "the certificate is there without its private key (a .cer was imported): TLS cannot use it",
        "import the host's .pfx (it carries the key) into the same store",
        ps,
        cu,
    )


def _readers(entry: StoreEntry, who: str, kind: AppKind) -> AppCheck:
    name = "key permission"
    if not entry.has_private_key:
        return AppCheck(name, Status.SKIP, "no private key to read")
    readers = {r.lower() for r in entry.key_readers}
    allowed = who.lower() in readers or (who.lower() in _SYSTEM and readers & _SYSTEM)
    assumed = " (default readers are the lab's assumption; see windows.machine)"
    if allowed:
        return AppCheck(name, Status.PASS, f"{who} may read the key (readers: {', '.join(entry.key_readers)}){assumed}")
    sddl = '"D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;<SID of ' + who + '>)"'
    return AppCheck(
        name,
        Status.FAIL,
        f"{who}, the account the {kind.value} application runs as, may not read the key "
        f"(readers: {', '.join(entry.key_readers)}){assumed}",
        f"in MMC: right-click the certificate > All Tasks > Manage Private Keys > Add {who} > Read",
        commands.grant_key_read(entry.store_name, entry.thumbprint, who),
        f"certutil {entry.store_name.location.certutil_flag}-repairstore My {entry.thumbprint} {sddl}",
    )


def _purpose(entry: StoreEntry, kind: AppKind) -> AppCheck:
    from genesys_lab.x509.describe import describe

    ekus = set(describe(entry.certificate).extended_key_usage)
    name = "purpose (EKU)"
    reissue = "issue a new certificate with the right profile (create_cert.sh, or genesys-lab create-cert --profile ...)"
    if not ekus or "anyExtendedKeyUsage" in ekus:
        return AppCheck(name, Status.PASS, "no EKU restriction: every purpose is allowed")
    if kind is AppKind.SERVER:
        if "serverAuth" not in ekus:
            return AppCheck(
                name,
                Status.FAIL,
                f"EKU {', '.join(sorted(ekus))} lacks serverAuth: TLS clients will refuse this server",
                reissue + " server",
            )
        if "clientAuth" not in ekus:
            return AppCheck(
                name,
                Status.WARN,
                "serverAuth only: Genesys servers also connect to other servers as clients",
                reissue + " server",
            )
        return AppCheck(name, Status.PASS, "serverAuth and clientAuth: fits a server application")
    if "clientAuth" not in ekus:
        return AppCheck(
            name,
            Status.FAIL,
            f"EKU {', '.join(sorted(ekus))} lacks clientAuth: servers will refuse this client",
            reissue + " gui",
        )
    return AppCheck(name, Status.PASS, "clientAuth: fits a desktop application")


def _chain_and_validity(machine: Machine, entry: StoreEntry, at) -> list[AppCheck]:
    from genesys_lab.checks.verify import verify
    from genesys_lab.windows.view import PathStatus, certification_path

    path = certification_path(machine, entry, at=at)
    root = StoreName(entry.store_name.location, StoreKind.ROOT)
    ps, cu = commands.import_certificate("ca_cert.pem", root)
    if path.status in (PathStatus.ISSUER_NOT_FOUND, PathStatus.ROOT_NOT_TRUSTED, PathStatus.SIGNATURE_INVALID):
        chain = AppCheck("chain", Status.FAIL, path.text, path.fix, ps, cu)
        validity = AppCheck("validity", Status.SKIP, "the chain does not build, so its validity was not checked")
        return [chain, validity]
    names = " -> ".join(e.subject for e in path.elements)
    chain = AppCheck("chain", Status.PASS, f"{names}, ending in {path.elements[-1].store}")
    result = verify(
        entry.certificate,
        ca=_cert(machine, path.elements[-1].thumbprint),
        chain=[_cert(machine, e.thumbprint) for e in path.elements[1:-1]],
        at=at,
    )
    window = result.check("validity")
    status = {"pass": Status.PASS, "warn": Status.WARN, "fail": Status.FAIL}[window.status.value]
    return [chain, AppCheck("validity", status, window.reason, window.remedy)]


def _cert(machine: Machine, thumb: str):
    return next(e.certificate for e in machine.entries() if e.thumbprint == thumb)


def _revocation(entry: StoreEntry, timeout: float) -> AppCheck:
    import time

    from genesys_lab.authority.crl import distribution_points, fetch_crl
    from genesys_lab.errors import GenesysLabError

    name = "revocation"
    urls = distribution_points(entry.certificate)
    advice = (
        "the guide: use a local, fast CDP, and turn CRL checking off for Windows native and .NET applications "
        "(it leaves the Windows setting to Windows' documentation)"
    )
    if not urls:
        return AppCheck(name, Status.PASS, "no CRL distribution point: SChannel has no CRL to fetch, so nothing can stall")
    problems = []
    for url in urls:
        started = time.monotonic()
        try:
            crl = fetch_crl(url, timeout=timeout)
        except GenesysLabError as exc:
            problems.append(f"{url}: {exc}")
            continue
        took = time.monotonic() - started
        if crl.is_revoked(entry.certificate.serial_number):
            return AppCheck(
                name, Status.FAIL, f"the CRL at {url} lists this certificate as revoked", "issue and install a new certificate"
            )
        return AppCheck(
            name, Status.PASS, f"the CRL at {url} answered in {took:.1f} s and does not list the certificate; " + advice
        )
    return AppCheck(
        name,
        Status.WARN,
        f"the CDP cannot be reached quickly ({'; '.join(problems)}): SChannel may stall each handshake for up to "
        f"{SCHANNEL_URL_TIMEOUT_SECONDS} s (Windows' default URL retrieval timeout)",
        advice,
    )
