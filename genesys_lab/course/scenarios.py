"""The handshake scenarios that matter at a Genesys site, run for real and tabled.

Each case pairs a server and a client built from lab certificates with what
OpenSSL must answer and what to change; ``scenarios(ca)`` runs them under
TLS 1.2 and 1.3 (genesys_lab.checks.tls does the handshakes). The certificates the
lab's profiles never issue (serverAuth only, expired, another CA) are made in
a scratch folder by genesys_lab.course.samples, never recorded in the CA.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genesys_lab.checks.tls import DEFAULT_TIMEOUT, ClientConfig, HandshakeResult, ServerConfig, TLSVersion, handshake


@dataclass(frozen=True)
class Scenario:
    """One case of the playground: the two peers, what OpenSSL should say, and the fix."""

    name: str
    server: ServerConfig
    client: ClientConfig
    refused_by: str | None  # None: the handshake must succeed
    error: str | None  # text the refusing side's error must contain
    fix: str

    @property
    def expected(self) -> str:
        return "ok" if self.refused_by is None else f"refused by the {self.refused_by}: {self.error}"

    def matches(self, result: HandshakeResult) -> bool:
        if self.refused_by is None:
            return result.ok
        return result.refused_by == self.refused_by and self.error in (result.reason or "")


@dataclass(frozen=True)
class ScenarioRow:
    """One line of the scenario table: expectation, what really happened on each side, and the fix."""

    scenario: str
    tls: str
    expected: str
    happened: str
    as_expected: bool
    server_says: str
    client_says: str
    fix: str


@dataclass(frozen=True)
class _Host:
    host: str
    cert: Path
    key: Path
    serial: str | None = None


_SERVER, _CLIENT, _GUI = "confserv.example.com", "tserver.example.com", "desk01.example.com"


def prepare_scenarios(ca, workdir: Path | str, *, key_size: int = 2048) -> list[Scenario]:
    """Make what the cases need, and return the cases (run them with ``run_scenarios``).

    In the CA (real issuance, so ``openssl ca`` and ``list`` see them): a
    Configuration Server certificate (server profile), a T-Server as its
    client (server profile), a GUI certificate, and a certificate that is
    revoked and published in a new CRL. In ``workdir``: three certificates
    the lab's profiles would never issue, built here only to be refused —
    one with serverAuth alone, one that expired 20 days ago (both signed by
    the CA key, with random serials so they can never collide with ca.db),
    and a second, unrelated CA.

    OpenSSL details the expectations rely on: a peer sends its CA
    certificate along with its own (OpenSSL completes the chain from the
    context's trust store), so a client that trusts another CA reports a
    *self-signed certificate in certificate chain*, not a missing issuer;
    and OpenSSL 3 calls a wrong EKU an *unsuitable certificate purpose*.
    """
    from genesys_lab.authority.crl import generate_crl
    from genesys_lab.authority.revoke import revoke
    from genesys_lab.course import samples

    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    server = _issued(ca, _SERVER, "confserv", "server", key_size)
    client = _issued(ca, _CLIENT, "tserver", "server", key_size)
    gui = _issued(ca, _GUI, "desk01", "gui", key_size)
    revoked = _issued(ca, "oldapp.example.com", "oldapp", "server", key_size)
    revoke(ca, revoked.serial, "keyCompromise")
    crl = generate_crl(ca).path
    server_only = _demo(
        samples.server_only(ca, "serveronly.example.com", "serveronly"), work, "serveronly.example.com", "serveronly"
    )
    expired = _demo(samples.expired(ca, _SERVER, "confserv", ended_days_ago=20), work, _SERVER, "expired")
    other_ca = _other_ca(work, key_size)
    return _cases(ca.paths.cert, crl, server, client, gui, revoked, server_only, expired, other_ca)


def _cases(trust, crl, server, client, gui, revoked, server_only, expired, other_ca) -> list[Scenario]:
    def srv(h: _Host, **kw) -> ServerConfig:
        return ServerConfig(h.cert, h.key, trust=trust, **kw)

    def cli(name=_SERVER, who: _Host | None = None, **kw) -> ClientConfig:
        return ClientConfig(
            kw.pop("ca", trust), server_hostname=name, cert=who.cert if who else None, key=who.key if who else None, **kw
        )

    mutual = dict(require_client_cert=True)
    return [
        Scenario(
            "good: mutual TLS between two server applications",
            srv(server, **mutual),
            cli(who=client),
            None,
            None,
            "nothing to fix",
        ),
        Scenario(
            "wrong host name",
            srv(server),
            cli("stat.example.com"),
            "client",
            "Hostname mismatch",
            "connect with a name the certificate's SAN lists, or re-issue it with that name (-SANDomain)",
        ),
        Scenario(
            "server certificate without serverAuth (a GUI certificate on a server)",
            srv(gui),
            cli(_GUI),
            "client",
            "unsuitable certificate purpose",
            "issue server certificates with the server profile (serverAuth and clientAuth); gui gives clientAuth only",
        ),
        Scenario(
            "client certificate without clientAuth",
            srv(server, **mutual),
            cli(who=server_only),
            "server",
            "unsuitable certificate purpose",
            "re-issue with the server profile: a Genesys server is also a TLS client of other servers, so it needs clientAuth too",
        ),
        Scenario(
            "revoked client certificate, server checks the CRL",
            srv(server, crl_check=True, crl=crl, **mutual),
            cli(who=revoked),
            "server",
            "certificate revoked",
            "working as intended: give the client a new certificate (genesys-lab renew) and install it",
        ),
        Scenario(
            "expired server certificate",
            srv(expired),
            cli(),
            "client",
            "certificate has expired",
            "renew before expiry (genesys-lab renew SERIAL; list --expiring DAYS shows what is due) and install the new files",
        ),
        Scenario(
            "unknown CA (client trusts another CA)",
            srv(server),
            cli(ca=other_ca),
            "client",
            "self-signed certificate in certificate chain",
            "install the CA certificate that issued the server certificate (ca_conf/ca_cert.pem) on the client",
        ),
        Scenario(
            "CRL checking on, but no CRL loaded",
            srv(server),
            cli(crl_check=True),
            "client",
            "unable to get certificate CRL",
            "give the client the CA's current CRL (ca_conf/crl.pem from gen-crl), or turn CRL checking off",
        ),
        Scenario(
            "mutual TLS, client sends no certificate",
            srv(server, **mutual),
            cli(),
            "server",
            "peer did not return a certificate",
            "install the client's certificate and key, or do not require client certificates on that port",
        ),
    ]


def run_scenarios(cases: list[Scenario], versions=("1.2", "1.3"), *, timeout: float = DEFAULT_TIMEOUT) -> list[ScenarioRow]:
    """Run every case under every TLS version; rows in case order, versions side by side."""
    rows = []
    for case in cases:
        for version in versions:
            parsed = TLSVersion.parse(version)
            result = handshake(case.server, case.client, tls_version=parsed, timeout=timeout)
            rows.append(
                ScenarioRow(
                    case.name,
                    f"TLS {parsed.value}",
                    case.expected,
                    result.summary(),
                    case.matches(result),
                    str(result.server),
                    str(result.client),
                    case.fix,
                )
            )
    return rows


def scenarios(
    ca, workdir: Path | str | None = None, *, versions=("1.2", "1.3"), key_size: int = 2048, timeout: float = DEFAULT_TIMEOUT
) -> list[ScenarioRow]:
    """Prepare the cases in ``workdir`` (a temporary folder when None) and run them; see prepare_scenarios."""
    import tempfile

    if workdir is not None:
        return run_scenarios(prepare_scenarios(ca, workdir, key_size=key_size), versions, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="genesys-lab-tls-") as tmp:
        return run_scenarios(prepare_scenarios(ca, tmp, key_size=key_size), versions, timeout=timeout)


def scenario_frame(rows: list[ScenarioRow]):
    """The rows as a pandas DataFrame (pandas imported here only)."""
    from genesys_lab.course.tables import to_frame

    return to_frame(rows)


def _issued(ca, host: str, cn: str, profile: str, key_size: int) -> _Host:
    issued = ca.issue(host, cn, profile=profile, key_size=key_size)
    return _Host(host, issued.cert_file, issued.key_file, issued.serial)


def _demo(sample, work: Path, host: str, stem: str) -> _Host:
    """A sample certificate (genesys_lab.course.samples) written to the scratch folder, never into the CA."""
    cert_path, key_path = sample.write(work, stem)
    return _Host(host, cert_path, key_path)


def _other_ca(work: Path, key_size: int) -> Path:
    from genesys_lab.authority.ca import create_ca

    root = work / "other_ca"
    root.mkdir(exist_ok=True)
    if not (root / "ca_conf" / "ca_cert.pem").exists():
        create_ca(root, "Another Certification Authority", key_size=key_size)
    return root / "ca_conf" / "ca_cert.pem"
